/** One price change. */
export interface Quote {
  readonly symbol: string;
  readonly price: number;
  /** Change since the previous price, rounded to cents. */
  readonly change: number;
  /** When it changed, ms since the epoch. */
  readonly time: number;
}

export interface TickerFeedOptions {
  /** Opening price of each symbol; the feed knows exactly these. */
  readonly openingPrices: Readonly<Record<string, number>>;
  /** How often each symbol may move. */
  readonly intervalMs: number;
  /** Chance that a symbol moves on a given tick. */
  readonly changeProbability: number;
  /** Standard deviation of a move, as a fraction of the price. */
  readonly volatility: number;
  /** Uniform random numbers in [0, 1). */
  readonly random: () => number;
  readonly now: () => number;
}

export const TICKER_FEED_DEFAULTS: Readonly<TickerFeedOptions> = {
  openingPrices: { AAPL: 190, SPY: 520, MSFT: 420, GOOG: 170, AMZN: 185, TSLA: 250, NVDA: 120, 'BTC-USD': 65_000 },
  intervalMs: 250,
  changeProbability: 0.6,
  volatility: 0.0015,
  random: Math.random,
  now: Date.now,
};

const roundCents = (value: number) => Math.round(value * 100) / 100;

/**
 * One random-walk price generator shared by every subscriber (fan-out): the
 * prices are the same for everyone, and the cost of a tick does not grow
 * with the number of symbols each client watches. The timer runs only while
 * someone listens.
 */
export class TickerFeed {
  readonly #options: TickerFeedOptions;
  readonly #prices = new Map<string, number>();
  readonly #listeners = new Set<(quote: Quote) => void>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: Partial<TickerFeedOptions> = {}) {
    this.#options = { ...TICKER_FEED_DEFAULTS, ...options };
    const { intervalMs, changeProbability, volatility } = this.#options;
    if (!(intervalMs >= 10) || !(changeProbability > 0 && changeProbability <= 1) || !(volatility > 0 && volatility < 0.5)) {
      throw new TypeError(
        `TickerFeed needs intervalMs >= 10, changeProbability in (0, 1] and volatility in (0, 0.5), got ${String(intervalMs)}, ${String(changeProbability)}, ${String(volatility)}`,
      );
    }
    for (const [symbol, price] of Object.entries(this.#options.openingPrices)) this.#prices.set(symbol, price);
  }

  /** Whether the tick timer is running (only while someone listens). */
  get running(): boolean {
    return this.#timer !== null;
  }

  get symbols(): string[] {
    return [...this.#prices.keys()];
  }

  /** The current price of `symbol` as a quote with no change, or `null` for an unknown symbol. */
  current(symbol: string): Quote | null {
    const price = this.#prices.get(symbol);
    return price === undefined ? null : { symbol, price, change: 0, time: this.#options.now() };
  }

  /** Calls `listener` with every price change; returns the function that stops it. */
  listen(listener: (quote: Quote) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs);
      this.#timer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopTimer();
    };
  }

  /** Drops every listener and stops the timer (server shutdown). */
  stop(): void {
    this.#listeners.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A standard normal sample (Box–Muller). */
  #gaussian(): number {
    const u = 1 - this.#options.random();
    const w = this.#options.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }

  #tick(): void {
    const time = this.#options.now();
    for (const [symbol, price] of this.#prices) {
      if (this.#options.random() >= this.#options.changeProbability) continue;
      const next = roundCents(Math.max(0.01, price * Math.exp(this.#options.volatility * this.#gaussian())));
      const change = roundCents(next - price);
      if (change === 0) continue;
      this.#prices.set(symbol, next);
      const quote = { symbol, price: next, change, time };
      for (const listener of this.#listeners) listener(quote);
    }
  }
}
