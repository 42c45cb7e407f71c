import { SnapshotStore } from '../../shared/snapshot-store.ts';
import type { SocketLike } from '../../shared/socket-like.ts';

/** A way for `/ws/close` to end every connection, for the reconnect lab. */
export interface ReconnectChoice {
  readonly id: string;
  readonly label: string;
  /** Query string for `/ws/close`, without `afterMs`. */
  readonly query: string;
}

export const RECONNECT_CHOICES: readonly ReconnectChoice[] = [
  { id: '1001', label: '1001 Going Away', query: 'code=1001&reason=going%20away' },
  { id: '1006', label: '1006 Abnormal Closure (dropped connection)', query: 'action=drop' },
  { id: '1005', label: '1005 No Status Received', query: 'action=no-status' },
  { id: '1011', label: '1011 Internal Error', query: 'code=1011&reason=keepalive%20ping%20timeout' },
  { id: '1012', label: '1012 Service Restart', query: 'code=1012&reason=restarting' },
  { id: '1013', label: '1013 Try Again Later', query: 'code=1013&reason=overloaded' },
  { id: '1000', label: '1000 Normal Closure', query: 'code=1000&reason=bye' },
  { id: '1008', label: '1008 Policy Violation', query: 'code=1008&reason=rate%20limit' },
  { id: '4401', label: '4401 Unauthorized (application)', query: 'code=4401&reason=token%20expired' },
];

/** How long each connection stays open before the server closes it. */
export const RECONNECT_LAB_CLOSE_AFTER_MS = 300;
/** Reconnects per run: enough to see the backoff grow, few enough to end. */
export const MAX_LAB_RECONNECTS = 3;

/** The URL `/ws/close` needs to end each connection with `choice`. */
export function reconnectLabUrl(server: string, choice: ReconnectChoice): string {
  return `${server}/ws/close?${choice.query}&afterMs=${String(RECONNECT_LAB_CLOSE_AFTER_MS)}`;
}

/** A reconnecting socket (partysocket) as the store sees it. */
export interface ReconnectingSocketLike extends SocketLike {
  /** partysocket's verdict after a close: will it connect again? */
  readonly shouldReconnect: boolean;
}

/** `idle` before the first run; `running`; `stopped` by the policy, the lab's limit, or the reader. */
export type ReconnectLabState = 'idle' | 'running' | 'stopped';

export interface ReconnectLogEntry {
  readonly id: number;
  /** Monotonic milliseconds since the run started. */
  readonly atMs: number;
  readonly kind: 'open' | 'close' | 'stop';
  readonly text: string;
}

export interface ReconnectLabSnapshot {
  readonly state: ReconnectLabState;
  readonly choice: ReconnectChoice | null;
  /** Connections that opened in this run. */
  readonly opens: number;
  readonly entries: readonly ReconnectLogEntry[];
}

export interface ReconnectLabOptions {
  /** Opens a reconnecting socket that connects to `url()` on every attempt. */
  readonly open: (url: () => string) => ReconnectingSocketLike;
  readonly server: string;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

/**
 * State of the reconnect lab, with no DOM: one reconnecting socket at a time
 * against `/ws/close`, which ends each connection the chosen way, and a log
 * of every open, every close with partysocket's verdict, and the delay
 * before each reconnect.
 */
export class ReconnectLabStore extends SnapshotStore<ReconnectLabSnapshot> {
  readonly #options: Required<ReconnectLabOptions>;
  #socket: ReconnectingSocketLike | null = null;
  /** Incremented per run, so events of a stopped socket are ignored. */
  #generation = 0;
  #startedAt = 0;
  #closedAt: number | null = null;
  #reconnects = 0;
  #errorBeforeClose = false;
  #nextId = 1;

  constructor(options: ReconnectLabOptions) {
    super({ state: 'idle', choice: null, opens: 0, entries: [] });
    this.#options = { now: () => performance.now(), ...options };
  }



  /** Starts a run with `choiceId`, stopping any run in progress. */
  start(choiceId: string): void {
    const choice = RECONNECT_CHOICES.find((entry) => entry.id === choiceId);
    if (choice === undefined) {
      throw new Error(`no reconnect choice "${choiceId}"; expected one of ${RECONNECT_CHOICES.map((entry) => entry.id).join(', ')}`);
    }
    this.#socket?.close(1000, 'new run');
    const generation = ++this.#generation;
    this.#startedAt = this.#options.now();
    this.#closedAt = null;
    this.#reconnects = 0;
    this.#errorBeforeClose = false;
    this.update({ state: 'running', choice, opens: 0, entries: [] });
    const socket = this.#options.open(() => reconnectLabUrl(this.#options.server, choice));
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (generation !== this.#generation) return;
      this.#opened();
    });
    socket.addEventListener('error', () => {
      if (generation !== this.#generation) return;
      this.#errorBeforeClose = true;
    });
    socket.addEventListener('close', (event) => {
      if (generation !== this.#generation || this.snapshot.state !== 'running') return;
      this.#closed(socket, event);
    });
  }

  /** Stops the run: closes the socket and says so. */
  stop(): void {
    if (this.snapshot.state !== 'running') return;
    this.#generation += 1;
    this.#socket?.close(1000, 'stopped');
    this.#socket = null;
    this.#log('stop', 'Stopped by you.');
    this.update({ state: 'stopped' });
  }

  #opened(): void {
    const opens = this.snapshot.opens + 1;
    const after = this.#closedAt === null ? '' : `, ${formatSeconds(this.#options.now() - this.#closedAt)} after the close`;
    this.update({ opens });
    this.#log('open', `Connection ${String(opens)} open${after}.`);
  }

  #closed(socket: ReconnectingSocketLike, event: { code: number; reason: string; wasClean: boolean }): void {
    this.#closedAt = this.#options.now();
    const failedAttempt = this.#errorBeforeClose;
    this.#errorBeforeClose = false;
    const reconnecting = socket.shouldReconnect;
    const what = failedAttempt
      ? 'Could not connect (an error event; partysocket reports it as its own close 1000)'
      : `Closed with ${String(event.code)}${event.reason === '' ? '' : ` "${event.reason}"`} (${event.wasClean ? 'clean' : 'not clean'})`;
    if (!reconnecting) {
      this.#log('close', `${what}: the policy says do not reconnect. Stopped.`);
      this.update({ state: 'stopped' });
      return;
    }
    if (this.#reconnects >= MAX_LAB_RECONNECTS) {
      this.#log('close', `${what}: the policy says reconnect.`);
      socket.close(1000, 'lab limit');
      this.#generation += 1;
      this.#log('stop', `The lab stops after ${String(MAX_LAB_RECONNECTS)} reconnects; a cell would keep going, waiting longer each time (at most 8 s).`);
      this.update({ state: 'stopped' });
      return;
    }
    this.#reconnects += 1;
    this.#log('close', `${what}: the policy says reconnect, with backoff.`);
  }

  #log(kind: ReconnectLogEntry['kind'], text: string): void {
    const entry = { id: this.#nextId++, atMs: this.#options.now() - this.#startedAt, kind, text };
    this.update({ entries: [...this.snapshot.entries, entry] });
  }

}

/** `0.62 s`. */
function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
