/**
 * How cells reconnect: partysocket's exponential backoff, with jitter so a
 * classroom of browsers does not reconnect to a restarted server in one
 * synchronised wave.
 */

export interface ReconnectOptions {
  /** First retry delay, before jitter. */
  readonly minReconnectionDelay: number;
  /** Longest delay between attempts. */
  readonly maxReconnectionDelay: number;
  /** Each failed attempt multiplies the delay by this. */
  readonly reconnectionDelayGrowFactor: number;
  /** An attempt that has not opened by then counts as failed. */
  readonly connectionTimeout: number;
  /** A connection must stay up this long before the backoff resets. */
  readonly minUptime: number;
  /** Each delay is scaled by a random factor in [1 - jitterRatio, 1 + jitterRatio]. */
  readonly jitterRatio: number;
}

export const RECONNECT_DEFAULTS: ReconnectOptions = {
  minReconnectionDelay: 500,
  maxReconnectionDelay: 8_000,
  reconnectionDelayGrowFactor: 2,
  connectionTimeout: 4_000,
  minUptime: 2_000,
  jitterRatio: 0.3,
};

/**
 * partysocket options with jitter. partysocket reads `minReconnectionDelay`
 * from its options object each time it computes a delay
 * (`min * grow ** (retry - 1)`, capped at max), so a getter that returns a
 * freshly jittered value jitters every attempt without patching the library.
 */
export function partysocketOptions(overrides: Partial<ReconnectOptions> = {}, random: () => number = Math.random) {
  const options = { ...RECONNECT_DEFAULTS, ...overrides };
  return {
    maxReconnectionDelay: options.maxReconnectionDelay,
    reconnectionDelayGrowFactor: options.reconnectionDelayGrowFactor,
    connectionTimeout: options.connectionTimeout,
    minUptime: options.minUptime,
    get minReconnectionDelay(): number {
      return options.minReconnectionDelay * (1 - options.jitterRatio + 2 * options.jitterRatio * random());
    },
  };
}
