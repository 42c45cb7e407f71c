import { closeInfoOf, type CloseInfo } from './socket-like.ts';

/**
 * What every lab store shares: an immutable snapshot, replaced on each
 * change, and listeners called with it (the pattern of `EchoStore`).
 */
export class SnapshotStore<T extends object> {
  #snapshot: T;
  readonly #listeners = new Set<(snapshot: T) => void>();

  constructor(initial: T) {
    this.#snapshot = initial;
  }

  get snapshot(): T {
    return this.#snapshot;
  }

  /** Calls `listener` now and after every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: T) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#snapshot);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Drops every listener (the store is disposed). */
  protected forgetListeners(): void {
    this.#listeners.clear();
  }

  /** Merges `change` into the snapshot and tells every listener. */
  protected update(change: Partial<T>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of this.#listeners) listener(this.#snapshot);
  }
}

/**
 * A lab's connection over a reconnecting socket. `connecting`: first attempt
 * under way; `open`; `closed`: was open, a reconnect is pending;
 * `unreachable`: attempts fail without ever opening (the server is probably
 * not running).
 */
export type LabConnectionState = 'connecting' | 'open' | 'closed' | 'unreachable';

export interface LabConnection {
  readonly state: LabConnectionState;
  readonly lastClose: CloseInfo | null;
  /** Failed attempts since the last successful open. */
  readonly failedAttempts: number;
}

export const INITIAL_CONNECTION: LabConnection = { state: 'connecting', lastClose: null, failedAttempts: 0 };

/** Turns a reconnecting socket's `open` and `close` events into `LabConnection` changes. */
export class ConnectionTracker {
  #openedSinceLastClose = false;

  opened(): Pick<LabConnection, 'state' | 'failedAttempts'> {
    this.#openedSinceLastClose = true;
    return { state: 'open', failedAttempts: 0 };
  }

  /** A close after an open is `closed`; one without an open since the last close is another failed attempt. */
  closed(event: CloseInfo, failedAttempts: number): LabConnection {
    const lastClose = closeInfoOf(event);
    if (this.#openedSinceLastClose) {
      this.#openedSinceLastClose = false;
      return { state: 'closed', lastClose, failedAttempts };
    }
    return { state: 'unreachable', lastClose, failedAttempts: failedAttempts + 1 };
  }
}
