/**
 * Holds callbacks for a fixed delay and runs them in order: a simulated long
 * network link. `clear()` drops whatever is still in flight (the connection
 * closed). A delay of 0 runs callbacks at once.
 */
export class DelayLine {
  readonly delayMs: number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(delayMs: number) {
    if (!Number.isInteger(delayMs) || delayMs < 0) throw new TypeError(`DelayLine needs a whole number of ms >= 0, got ${String(delayMs)}`);
    this.delayMs = delayMs;
  }

  /** Callbacks waiting to run. */
  get pending(): number {
    return this.#timers.size;
  }

  run(callback: () => void): void {
    if (this.delayMs === 0) {
      callback();
      return;
    }
    // Node fires timers of equal duration in the order they were set, so the link keeps message order.
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      callback();
    }, this.delayMs);
    this.#timers.add(timer);
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
