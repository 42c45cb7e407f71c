/**
 * Accepted WebSocket handshakes per 100 ms, kept for the last minute: what
 * chapter 11's draining lab draws. A herd of reconnects is a spike here.
 * The buckets are wall-clock (`Date.now()`), so the counts of instances on
 * one machine line up.
 */

/** Width of one bucket. */
export const HANDSHAKE_BUCKET_MS = 100;
/** How many buckets are kept (one minute). */
const KEPT_BUCKETS = 600;

export interface HandshakeCounts {
  readonly bucketMs: number;
  /** This server's clock when the counts were read. */
  readonly nowMs: number;
  /** Buckets that saw at least one handshake, oldest first; `atMs` is the bucket's start. */
  readonly buckets: readonly { readonly atMs: number; readonly count: number }[];
}

export class HandshakeCounter {
  readonly #now: () => number;
  /** Bucket index (`floor(ms / 100)`) → handshakes. */
  readonly #counts = new Map<number, number>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Counts one accepted handshake now. */
  count(): void {
    const bucket = Math.floor(this.#now() / HANDSHAKE_BUCKET_MS);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    if (this.#counts.size > KEPT_BUCKETS) {
      // Map keeps insertion order and buckets only grow: the first keys are the oldest.
      for (const old of this.#counts.keys()) {
        if (old > bucket - KEPT_BUCKETS) break;
        this.#counts.delete(old);
      }
    }
  }

  /** The buckets that start at or after `sinceMs` (their start, `floor`ed to a bucket). */
  since(sinceMs: number): HandshakeCounts {
    const from = Math.floor(sinceMs / HANDSHAKE_BUCKET_MS);
    const buckets = [...this.#counts].filter(([bucket]) => bucket >= from).map(([bucket, count]) => ({ atMs: bucket * HANDSHAKE_BUCKET_MS, count }));
    return { bucketMs: HANDSHAKE_BUCKET_MS, nowMs: this.#now(), buckets };
  }
}
