/**
 * How cells reconnect: partysocket's exponential backoff, with jitter so a
 * classroom of browsers does not reconnect to a restarted server in one
 * synchronised wave, and a close-code policy so a cell does not come straight
 * back after the server said "don't" (1008, 4401, …).
 */
import { CloseEvent as PartySocketCloseEvent } from 'partysocket/ws';
import { shouldReconnectAfter } from './close-policy.ts';

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

/** The part of a close event the policy reads. */
export interface CloseLike {
  readonly code: number;
}

/**
 * Whether a client that wants to stay connected should reconnect after the
 * server closed with `event.code`, following `shouldReconnectAfter` in `close-policy.ts` (the reference table shows the same):
 *
 * - reconnect (with backoff) after 1001, 1005, 1006, 1011, 1012, 1013, 1014:
 *   the server went away, the network failed, or the server asked to come
 *   back later;
 * - stop after 1000 (the conversation was ended on purpose), 1002, 1003,
 *   1007, 1009, 1010 (this client's data or protocol was refused and would be
 *   again), 1008 (policy: rate limit, origin, not reading), 1015, and the
 *   application range 4400–4499 (4000 + an HTTP 4xx status, e.g. 4401
 *   Unauthorized: nothing changes by coming back as is);
 * - reconnect after other codes (3000–3999, the rest of 4000–4999): a generic
 *   client cannot know them, and backoff bounds the cost of being wrong.
 */
export function shouldReconnectOnClose(event: CloseLike): boolean {
  return shouldReconnectAfter(event.code);
}

/**
 * The `shouldReconnectOnClose` option for partysocket. partysocket also calls
 * it with close events of its own making, with code 1000: after an `error`
 * event (the browser fires one before closing with 1006 for a refused or
 * failed connection), after a connection timeout, and on `reconnect()`. Those
 * stand for a failed attempt, not for a server that said goodbye, so they
 * always reconnect; only real close events go through the policy.
 */
export function partysocketShouldReconnect(event: CloseLike, policy: (event: CloseLike) => boolean = shouldReconnectOnClose): boolean {
  if (event instanceof PartySocketCloseEvent) return true;
  return policy(event);
}

/**
 * partysocket options with jitter and the close-code policy. partysocket
 * reads `minReconnectionDelay` from its options object each time it computes
 * a delay (`min * grow ** (retry - 1)`, capped at max), so a getter that
 * returns a freshly jittered value jitters every attempt without patching the
 * library. `policy` replaces the generic close-code policy for a client
 * that knows what its own server's codes mean (the chat lab's 1008).
 */
export function partysocketOptions(overrides: Partial<ReconnectOptions> = {}, random: () => number = Math.random, policy: (event: CloseLike) => boolean = shouldReconnectOnClose) {
  const options = { ...RECONNECT_DEFAULTS, ...overrides };
  return {
    maxReconnectionDelay: options.maxReconnectionDelay,
    reconnectionDelayGrowFactor: options.reconnectionDelayGrowFactor,
    connectionTimeout: options.connectionTimeout,
    minUptime: options.minUptime,
    shouldReconnectOnClose: (event: CloseLike) => partysocketShouldReconnect(event, policy),
    get minReconnectionDelay(): number {
      return options.minReconnectionDelay * (1 - options.jitterRatio + 2 * options.jitterRatio * random());
    },
  };
}
