/**
 * The part every lab store shares: an immutable snapshot, listeners called
 * on every change, and `update()` to merge a change in. Stores extend it and
 * keep their sockets and logic to themselves.
 */
export class SnapshotStore<TSnapshot extends object> {
  readonly #listeners = new Set<(snapshot: TSnapshot) => void>();
  #snapshot: TSnapshot;

  constructor(initial: TSnapshot) {
    this.#snapshot = initial;
  }

  get snapshot(): TSnapshot {
    return this.#snapshot;
  }

  /** Calls `listener` now and after every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: TSnapshot) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#snapshot);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Merges `change` into a new snapshot and tells every listener. */
  protected update(change: Partial<TSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}
