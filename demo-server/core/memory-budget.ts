/**
 * What the server holds for its clients, counted in the bytes it really
 * occupies: a queued message costs its payload and frame header plus the
 * objects that carry it through ws and the socket's write queue (a write
 * request, a header buffer, a view of the payload, the callback). Measured
 * on Node 24 with ws 8: a 2-byte echo queued for a client that never reads
 * cost about 220 bytes of RSS (issue 16: 1,000,000 of them took 215 MiB),
 * so each message is counted as its bytes plus `MESSAGE_OVERHEAD_BYTES`.
 */
export const MESSAGE_OVERHEAD_BYTES = 256;

/** A connection as the budget sees it. */
export interface BudgetHolder {
  /** Bytes queued for this client, counted with `MESSAGE_OVERHEAD_BYTES` per message. */
  readonly queuedBytes: number;
  /** Whether it can still be shed (not already closing). */
  readonly isOpen: boolean;
  /** Drops the client at once, freeing what is queued for it. */
  shed(reason: string): void;
}

/**
 * The server-wide budget of bytes queued for clients
 * (`--max-total-buffered-bytes`). Each connection reports what it holds;
 * when a send would take the total past the limit, the client holding the
 * most is dropped at once (its queue is freed with it), so N slow readers
 * cost at most the budget, not N × the per-client cap.
 */
export class MemoryBudget {
  readonly limitBytes: number;
  #totalBytes = 0;
  /** Connections that hold queued bytes; only these can be shed. */
  readonly #holders = new Set<BudgetHolder>();
  /** Clients shed so far, for /healthz and the tests. */
  shedCount = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  /** Bytes queued for all clients together. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Records that `holder` now holds `nextBytes` where it held `previousBytes`. */
  update(holder: BudgetHolder, previousBytes: number, nextBytes: number): void {
    this.#totalBytes += nextBytes - previousBytes;
    // Called on every send: touch the set only when the holder starts or stops holding bytes.
    if (nextBytes > 0) {
      if (previousBytes <= 0) this.#holders.add(holder);
    } else {
      this.#holders.delete(holder);
    }
  }

  /**
   * Makes room for `bytes` more: while the total would pass the limit, drops
   * the open client that holds the most. Returns `false` when `sender` itself
   * was dropped (its send must not happen).
   */
  reserve(sender: BudgetHolder, bytes: number): boolean {
    while (this.#totalBytes + bytes > this.limitBytes) {
      let largest: BudgetHolder | null = null;
      for (const holder of this.#holders) {
        if (holder.isOpen && (largest === null || holder.queuedBytes > largest.queuedBytes)) largest = holder;
      }
      if (largest === null || largest.queuedBytes < bytes) {
        // Nobody holds more than this send would add: refuse the send itself.
        if (sender.isOpen) {
          this.shedCount += 1;
          sender.shed(`server-wide send budget of ${String(this.limitBytes)} bytes reached`);
        }
        return false;
      }
      this.shedCount += 1;
      largest.shed(`server-wide send budget of ${String(this.limitBytes)} bytes reached; this client held the most (${String(largest.queuedBytes)} bytes)`);
      // shed() reports zero bytes; never pick the same holder twice whatever it did.
      this.#holders.delete(largest);
      if (largest === sender) return false;
    }
    return true;
  }
}
