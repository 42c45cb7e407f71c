import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { TokenBucket } from '../../src/shared/token-bucket.ts';

/** `::ffff:10.0.0.5` → `10.0.0.5`, so one machine is one address whatever the socket family. */
export function addressOf(remoteAddress: string | undefined): string {
  return (remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/** Where `noteForwardedFor()` leaves a proxied request's client address, on the request itself. */
const FORWARDED_CLIENT = Symbol('forwarded client address');
type NotedRequest = IncomingMessage & { [FORWARDED_CLIENT]?: string };

/**
 * For a request from a trusted proxy (`--trusted-proxies`), notes the
 * client's address from `X-Forwarded-For`, read from the right: each proxy
 * appends the address it was connected from, so the first entry that is
 * not a trusted proxy is the client. Entries to its left were written by the
 * client and are never believed; nor is the header from any other peer.
 */
export function noteForwardedFor(request: IncomingMessage, trustedProxies: readonly string[]): void {
  let hop = addressOf(request.socket.remoteAddress);
  if (!trustedProxies.includes(hop)) return;
  const header = request.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => addressOf(entry.trim()));
  while (trustedProxies.includes(hop)) {
    const next = entries.pop();
    // A garbled entry: the last trusted hop is the best address known.
    if (next === undefined || isIP(next) === 0) break;
    hop = next;
  }
  (request as NotedRequest)[FORWARDED_CLIENT] = hop;
}

/**
 * The address a request is counted and logged under: its client's behind a
 * trusted proxy (see `noteForwardedFor()`), else the socket's peer.
 */
export function clientAddress(request: IncomingMessage): string {
  return (request as NotedRequest)[FORWARDED_CLIENT] ?? addressOf(request.socket.remoteAddress);
}

/**
 * Past this many addresses, buckets back to their full burst are forgotten
 * when a new address arrives (forgetting them changes nothing), so addresses
 * seen once do not pile up.
 */
const MAX_IDLE_BUCKETS = 1_000;

/**
 * One `TokenBucket` per client address, made on first use: the per-address
 * rate limits (handshakes, chat joins, chat presence notices) are all this.
 */
export class AddressBuckets {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, TokenBucket>();

  /** A `burst` below 1 refuses every event (a limit of 0 turns the event off). */
  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
  }

  /** Takes a token from `address`'s bucket; false when it has none left (or the burst is 0). */
  take(address: string): boolean {
    if (this.#burst < 1) return false;
    return this.#bucket(address).take();
  }

  /** Milliseconds until `address` has a token again (0 when it has one now); `Infinity` when the burst is 0. */
  msUntilNextToken(address: string): number {
    if (this.#burst < 1) return Infinity;
    return this.#buckets.get(address)?.msUntilNextToken() ?? 0;
  }

  /** Addresses with a bucket, for the tests. */
  get size(): number {
    return this.#buckets.size;
  }

  #bucket(address: string): TokenBucket {
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_IDLE_BUCKETS) {
        for (const [key, each] of this.#buckets) if (each.isFull()) this.#buckets.delete(key);
      }
      bucket = new TokenBucket(this.#perSecond, this.#burst, this.#now);
      this.#buckets.set(address, bucket);
    }
    return bucket;
  }
}
