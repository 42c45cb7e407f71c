import { RECONNECT_DEFAULTS, type ReconnectOptions } from './reconnect.ts';

export type BackoffOptions = Pick<ReconnectOptions, 'minReconnectionDelay' | 'maxReconnectionDelay' | 'reconnectionDelayGrowFactor' | 'jitterRatio'>;

/**
 * The wait before reconnection attempt `attempt` (1 for the first retry):
 * exponential, `min * grow^(attempt - 1)` capped at `max`, as partysocket
 * computes it for the cells, then scaled by a random factor in
 * [1 - jitterRatio, 1 + jitterRatio] so clients cut off together do not
 * come back together. Defaults: `RECONNECT_DEFAULTS` (500 ms doubling to 8 s, ±30 %).
 */
export function reconnectDelayMs(attempt: number, options: BackoffOptions = RECONNECT_DEFAULTS, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const base = Math.min(options.maxReconnectionDelay, options.minReconnectionDelay * options.reconnectionDelayGrowFactor ** exponent);
  return Math.round(base * (1 - options.jitterRatio + 2 * options.jitterRatio * random()));
}

/**
 * "Full jitter": a random wait between 0 and the capped exponential delay
 * of attempt `attempt`, so clients cut off together come back spread over
 * the whole window, not bunched around its middle (chapter 11's draining
 * lab and its `spread-herd` exercise).
 */
export function fullJitterDelayMs(attempt: number, options: BackoffOptions = RECONNECT_DEFAULTS, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const base = Math.min(options.maxReconnectionDelay, options.minReconnectionDelay * options.reconnectionDelayGrowFactor ** exponent);
  return Math.round(base * random());
}
