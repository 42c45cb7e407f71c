import { TokenBucket } from '../../src/shared/token-bucket.ts';

/** `::ffff:10.0.0.5` → `10.0.0.5`, so one machine is one address whatever the socket family. */
export function addressOf(remoteAddress: string | undefined): string {
  return (remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
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
