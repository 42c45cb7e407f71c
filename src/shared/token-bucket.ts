/**
 * A token bucket: `burst` events at once, refilled at `perSecond`. Used for
 * per-client message rate limits and for counting repeated invalid input.
 */
export class TokenBucket {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(perSecond > 0) || !(burst >= 1)) {
      throw new TypeError(`TokenBucket needs perSecond > 0 and burst >= 1, got ${String(perSecond)} and ${String(burst)}`);
    }
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  /** Whether the bucket is back to its full burst: forgetting it and making a new one would change nothing. */
  isFull(): boolean {
    return this.#tokens + ((this.#now() - this.#updatedAt) / 1000) * this.#perSecond >= this.#burst;
  }

  /** Takes one token; returns false when the bucket is empty (the event is over the limit). */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there now): what a refusal's `Retry-After` is made of. */
  msUntilNextToken(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) / this.#perSecond) * 1000;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#perSecond);
    this.#updatedAt = now;
  }
}
