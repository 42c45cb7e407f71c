/**
 * A latency histogram with buckets 1 % wide, so a run of millions of
 * deliveries keeps a few thousand counters instead of every sample, and
 * histograms from several worker threads add up. Percentiles are within 1 %
 * of the exact value; the maximum is exact.
 */

/** Bucket `i` holds values in [FLOOR_MS × GROWTH^i, FLOOR_MS × GROWTH^(i+1)). */
const GROWTH = 1.01;
/** Values below 1 µs land in bucket 0. */
const FLOOR_MS = 0.001;
/** Up to FLOOR_MS × GROWTH^BUCKETS ≈ 30 minutes: anything slower is clamped into the last bucket. */
const BUCKETS = 2_700;
const LOG_GROWTH = Math.log(GROWTH);

/** What a histogram sends between threads (plain data, structured-clone friendly). */
export interface HistogramData {
  readonly counts: number[];
  readonly maxMs: number;
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #maxMs = 0;

  record(ms: number): void {
    const index = ms <= FLOOR_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / FLOOR_MS) / LOG_GROWTH));
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
    this.#count += 1;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  get count(): number {
    return this.#count;
  }

  get maxMs(): number {
    return this.#maxMs;
  }

  /** Adds another histogram's counts (e.g. from another worker thread). */
  add(data: HistogramData): void {
    for (const [index, count] of data.counts.entries()) {
      if (count === 0) continue;
      this.#counts[index] = (this.#counts[index] ?? 0) + count;
      this.#count += count;
    }
    this.#maxMs = Math.max(this.#maxMs, data.maxMs);
  }

  /**
   * The nearest-rank percentile (`fraction` 0.5 for p50), as the middle of
   * its bucket, capped at the exact maximum; `NaN` when empty.
   */
  percentile(fraction: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.#count));
    if (rank >= this.#count) return this.#maxMs;
    let seen = 0;
    for (const [index, count] of this.#counts.entries()) {
      seen += count;
      if (seen >= rank) return Math.min(this.#maxMs, FLOOR_MS * GROWTH ** (index + 0.5));
    }
    return this.#maxMs;
  }

  toData(): HistogramData {
    return { counts: [...this.#counts], maxMs: this.#maxMs };
  }
}
