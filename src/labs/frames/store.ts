import type { InspectFrameMessage, InspectReplyMessage, InspectServerMessage } from '../../shared/protocol/inspect.ts';
import { ConnectionTracker, INITIAL_CONNECTION, SnapshotStore, type LabConnection } from '../../shared/snapshot-store.ts';
import { SOCKET_OPEN, type SocketLike } from '../../shared/socket-like.ts';

/** One message the reader sent, with the frames it went out in and the server's echo. */
export interface FrameLabMessage {
  readonly type: 'message';
  readonly id: number;
  readonly kind: 'text' | 'binary';
  readonly bytes: number;
  /** The start of what was sent: text, or hex bytes for binary. */
  readonly preview: string;
  /** The frames the browser sent, as the server received them (several if the browser fragmented it). */
  readonly clientFrames: readonly InspectFrameMessage[];
  /** The frames the server announced for its echo. */
  readonly reply: InspectReplyMessage | null;
  /** `sending` until the echo is back; `lost` when the connection closed first. */
  readonly status: 'sending' | 'echoed' | 'lost';
  /** Whether the echo was identical to what was sent. */
  readonly echoMatches: boolean | null;
}

/** A control frame the browser sent on its own (a pong answering the server's ping). */
export interface FrameLabControlFrame {
  readonly type: 'control';
  readonly id: number;
  readonly report: InspectFrameMessage;
}

export type FrameLabEntry = FrameLabMessage | FrameLabControlFrame;

export interface FrameLabSnapshot extends LabConnection {
  readonly entries: readonly FrameLabEntry[];
  /** Largest message the server accepts, from its handshake report. */
  readonly maxMessageBytes: number;
  /** Payload bytes the server shows per frame. */
  readonly previewBytes: number;
  readonly sendError: string | null;
}

/** Entries kept; older ones scroll away. */
export const MAX_FRAME_LAB_ENTRIES = 30;
/** Characters or bytes kept as the preview of a sent message. */
const PREVIEW_LENGTH = 64;

/**
 * `text` repeated (or cut) to exactly `bytes` bytes of UTF-8, without
 * splitting a character: the cut is padded with spaces.
 */
export function textOfBytes(text: string, bytes: number): string {
  const unit = text === '' ? 'x' : text;
  const encoder = new TextEncoder();
  const unitBytes = encoder.encode(unit).length;
  const whole = Math.floor(bytes / unitBytes);
  let result = unit.repeat(whole);
  let length = whole * unitBytes;
  for (const character of unit) {
    const size = encoder.encode(character).length;
    if (length + size > bytes) break;
    result += character;
    length += size;
  }
  return result + ' '.repeat(bytes - length);
}

/** The UTF-8 bytes of `text`, repeated or cut to exactly `bytes`. */
export function bytesOfLength(text: string, bytes: number): Uint8Array<ArrayBuffer> {
  const unit = new TextEncoder().encode(text === '' ? 'x' : text);
  const result = new Uint8Array(bytes);
  for (let offset = 0; offset < bytes; offset += unit.length) result.set(unit.subarray(0, bytes - offset), offset);
  return result;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, PREVIEW_LENGTH), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

const isDataFrame = (report: InspectFrameMessage) => ['text', 'binary', 'continuation'].includes(report.frame.opcodeName);

/**
 * State of the frame lab, with no DOM: each message the reader sends to
 * `/ws/inspect`, the frames the server saw it arrive in, the frames of the
 * server's echo, and the control frames the browser sent by itself.
 *
 * Reports arrive in the order the server saw things, so they are matched
 * to messages in order: data frames to the oldest message still missing
 * its last frame, a `reply` to the oldest message without one, and the
 * message right after a `reply` is that echo.
 */
export class FrameLabStore extends SnapshotStore<FrameLabSnapshot> {
  readonly #socket: SocketLike;
  readonly #connection = new ConnectionTracker();
  #nextId = 1;
  /** Messages whose last frame has not been reported yet. */
  #awaitingFrames: number[] = [];
  /** Messages whose echo has not been announced yet. */
  #awaitingReply: number[] = [];
  /** The message whose echo is the next message from the server. */
  #echoFor: number | null = null;
  /** What was sent, until its echo is back, to compare. */
  readonly #sentPayloads = new Map<number, string | Uint8Array>();

  constructor(socket: SocketLike) {
    super({ ...INITIAL_CONNECTION, entries: [], maxMessageBytes: 1024 * 1024, previewBytes: 64, sendError: null });
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.update({ ...this.#connection.opened(), sendError: null });
    });
    socket.addEventListener('message', (event) => {
      this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      this.#abandonPending();
      this.update(this.#connection.closed(event, this.snapshot.failedAttempts));
    });
  }

  /**
   * Sends `text` as a text message, or its UTF-8 bytes as binary. With
   * `sizeBytes`, the message is `text` repeated to exactly that many bytes,
   * to reach the 16- and 64-bit length encodings. Refuses, saying why, when
   * not connected or over the server's limit.
   */
  send(text: string, asBinary: boolean, sizeBytes: number | null = null): boolean {
    if (this.#socket.readyState !== SOCKET_OPEN) {
      this.update({ sendError: 'Not connected: the message was not sent. Wait for the status to say "open".' });
      return false;
    }
    const payload: string | Uint8Array<ArrayBuffer> = asBinary
      ? sizeBytes === null
        ? new TextEncoder().encode(text)
        : bytesOfLength(text, sizeBytes)
      : sizeBytes === null
        ? text
        : textOfBytes(text, sizeBytes);
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload).length : payload.length;
    if (bytes > this.snapshot.maxMessageBytes) {
      this.update({ sendError: `${bytes.toLocaleString('en')} bytes is over the server's limit of ${this.snapshot.maxMessageBytes.toLocaleString('en')} bytes for this endpoint.` });
      return false;
    }
    const id = this.#nextId++;
    this.#socket.send(payload);
    this.#awaitingFrames.push(id);
    this.#awaitingReply.push(id);
    this.#sentPayloads.set(id, payload);
    this.#append({
      type: 'message',
      id,
      kind: asBinary ? 'binary' : 'text',
      bytes,
      preview: typeof payload === 'string' ? payload.slice(0, PREVIEW_LENGTH) : hex(payload),
      clientFrames: [],
      reply: null,
      status: 'sending',
      echoMatches: null,
    });
    return true;
  }

  /** Empties the list. */
  clear(): void {
    this.update({ entries: [] });
  }

  #receive(data: unknown): void {
    if (this.#echoFor !== null) {
      this.#receiveEcho(this.#echoFor, data);
      this.#echoFor = null;
      return;
    }
    if (typeof data !== 'string') return;
    const message = JSON.parse(data) as InspectServerMessage;
    switch (message.type) {
      case 'handshake':
        this.update({ maxMessageBytes: message.maxMessageBytes, previewBytes: message.previewBytes });
        return;
      case 'frame':
        this.#receiveFrame(message);
        return;
      case 'reply': {
        const id = this.#awaitingReply.shift();
        if (id === undefined) return;
        this.#echoFor = id;
        this.#changeMessage(id, { reply: message });
        return;
      }
      case 'probe':
      case 'error':
        return;
    }
  }

  #receiveFrame(report: InspectFrameMessage): void {
    const id = this.#awaitingFrames[0];
    if (!isDataFrame(report) || id === undefined) {
      this.#append({ type: 'control', id: this.#nextId++, report });
      return;
    }
    if (report.frame.fin) this.#awaitingFrames.shift();
    const entry = this.snapshot.entries.find((candidate) => candidate.id === id);
    const frames = entry?.type === 'message' ? entry.clientFrames : [];
    this.#changeMessage(id, { clientFrames: [...frames, report] });
  }

  #receiveEcho(id: number, data: unknown): void {
    const sent = this.#sentPayloads.get(id);
    this.#sentPayloads.delete(id);
    let matches = false;
    if (typeof data === 'string') matches = data === sent;
    else if (data instanceof ArrayBuffer && sent instanceof Uint8Array) matches = sameBytes(new Uint8Array(data), sent);
    this.#changeMessage(id, { status: 'echoed', echoMatches: matches });
  }

  /** The connection closed: nothing still expected will arrive. */
  #abandonPending(): void {
    const pending = new Set([...this.#awaitingFrames, ...this.#awaitingReply, ...this.#sentPayloads.keys()]);
    this.#awaitingFrames = [];
    this.#awaitingReply = [];
    this.#echoFor = null;
    this.#sentPayloads.clear();
    for (const id of pending) this.#changeMessage(id, { status: 'lost' });
  }

  #changeMessage(id: number, change: Partial<Omit<FrameLabMessage, 'type' | 'id'>>): void {
    const entries = this.snapshot.entries.map((entry) => (entry.id === id && entry.type === 'message' ? { ...entry, ...change } : entry));
    this.update({ entries });
  }

  #append(entry: FrameLabEntry): void {
    this.update({ entries: [...this.snapshot.entries, entry].slice(-MAX_FRAME_LAB_ENTRIES), sendError: null });
  }
}
