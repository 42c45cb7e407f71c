import { ConnectionTracker, INITIAL_CONNECTION, SnapshotStore, type LabConnection } from '../../shared/snapshot-store.ts';
import { browserClock, SOCKET_OPEN, type Clock, type SocketLike } from '../../shared/socket-like.ts';

export type { CloseInfo } from '../../shared/socket-like.ts';


export interface EchoEntry {
  readonly id: number;
  readonly direction: 'sent' | 'received';
  readonly kind: 'text' | 'binary';
  /** Text as sent/received; binary as hex bytes. */
  readonly preview: string;
  readonly bytes: number;
  /** Wall-clock time, ms since the epoch. */
  readonly at: number;
  /** For received echoes: time since the matching send. */
  readonly roundTripMs: number | null;
}

export interface EchoSnapshot extends LabConnection {
  readonly entries: readonly EchoEntry[];
  /** Why the last `send()` was refused, if it was. */
  readonly sendError: string | null;
}

/** Entries kept in the log; older ones scroll away. */
export const MAX_ECHO_ENTRIES = 200;
/** Longest preview kept per entry; the byte count is always exact. */
const MAX_PREVIEW_CHARS = 2_000;
const MAX_PREVIEW_BYTES = 64;

function hexPreview(bytes: Uint8Array): string {
  const shown = [...bytes.subarray(0, MAX_PREVIEW_BYTES)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return bytes.byteLength > MAX_PREVIEW_BYTES ? `${shown} …` : shown;
}

function truncate(text: string): string {
  return text.length > MAX_PREVIEW_CHARS ? `${text.slice(0, MAX_PREVIEW_CHARS)}…` : text;
}

/**
 * State of an echo cell, with no DOM: the log of messages each way with
 * sizes and round-trip times, and the connection state. Round trips are
 * matched in order, which is sound because the echo endpoint answers every
 * message in the order it arrived.
 */
export class EchoStore extends SnapshotStore<EchoSnapshot> {
  readonly #socket: SocketLike;
  readonly #clock: Clock;
  readonly #connection = new ConnectionTracker();
  /** Send times of messages whose echo has not arrived yet, oldest first. */
  #pendingSends: number[] = [];
  #nextId = 1;

  constructor(socket: SocketLike, clock: Clock = browserClock) {
    super({ ...INITIAL_CONNECTION, entries: [], sendError: null });
    this.#socket = socket;
    this.#clock = clock;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.#pendingSends = [];
      this.update({ ...this.#connection.opened(), sendError: null });
    });
    socket.addEventListener('message', (event) => {
      this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      this.#pendingSends = [];
      this.update(this.#connection.closed(event, this.snapshot.failedAttempts));
    });
  }

  /**
   * Sends `text` as a text message, or as its UTF-8 bytes in a binary
   * message. Refuses (and says why in `sendError`) when not connected.
   */
  send(text: string, asBinary: boolean): boolean {
    if (this.#socket.readyState !== SOCKET_OPEN) {
      this.update({ sendError: 'Not connected: the message was not sent. Wait for the status to say "open".' });
      return false;
    }
    const bytes = new TextEncoder().encode(text);
    this.#socket.send(asBinary ? bytes : text);
    this.#pendingSends.push(this.#clock.monotonic());
    this.#append({
      direction: 'sent',
      kind: asBinary ? 'binary' : 'text',
      preview: asBinary ? hexPreview(bytes) : truncate(text),
      bytes: bytes.byteLength,
      roundTripMs: null,
    });
    return true;
  }

  /** Empties the log. */
  clear(): void {
    this.update({ entries: [] });
  }

  #receive(data: unknown): void {
    const sentAt = this.#pendingSends.shift();
    const roundTripMs = sentAt === undefined ? null : this.#clock.monotonic() - sentAt;
    if (typeof data === 'string') {
      this.#append({
        direction: 'received',
        kind: 'text',
        preview: truncate(data),
        bytes: new TextEncoder().encode(data).byteLength,
        roundTripMs,
      });
    } else if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data);
      this.#append({ direction: 'received', kind: 'binary', preview: hexPreview(bytes), bytes: bytes.byteLength, roundTripMs });
    }
  }

  #append(entry: Omit<EchoEntry, 'id' | 'at'>): void {
    const entries = [...this.snapshot.entries, { ...entry, id: this.#nextId++, at: this.#clock.wall() }];
    this.update({ entries: entries.slice(-MAX_ECHO_ENTRIES), sendError: null });
  }
}
