import { WebSocket } from 'ws';
import { closeRequestProblem } from '../../src/shared/close-policy.ts';
import { socketError, type SocketErrorName } from '../../src/shared/protocol/errors.ts';
import { formatBytes, formatDuration } from '../http/log.ts';

export type ConnectionState = 'open' | 'closing' | 'closed';

/** Who sent the first close frame, or `network` when the TCP connection dropped without one. */
export type CloseInitiator = 'server' | 'client' | 'network';

export interface ConnectionLimits {
  readonly maxBufferedBytes: number;
  readonly closeTimeoutMs: number;
}

/** What a route does with each message, after the connection has counted it. */
export type MessageHandler = (data: Buffer, isBinary: boolean, connection: Connection) => void;

/** Called once when the connection has closed, before the routes' own `close` listeners. */
export type ClosedHandler = (connection: Connection, code: number, reason: Buffer) => void;

/**
 * The WebSocket class the demo server creates (ws's `WebSocket` option): it
 * carries its `Connection`, so the listeners a connection needs are shared
 * functions instead of closures made for each connection. With 10,000 idle
 * readers those closures, their contexts and listener arrays were about a
 * quarter of each connection's heap (see the Performance page).
 */
export class DemoWebSocket extends WebSocket {
  connection: Connection | null = null;
}

/**
 * One accepted WebSocket, as the routes see it: counts messages and bytes
 * each way for the log and the stats, enforces the per-client send-buffer
 * cap, and validates close codes before `ws.close()` (which throws on bad
 * ones).
 */
export class Connection {
  readonly id: number;
  readonly socket: DemoWebSocket;
  /** Endpoint path, e.g. `/ws/echo`. */
  readonly endpoint: string;
  /** `address:port` of the client. */
  readonly peer: string;
  readonly openedAt = Date.now();
  state: ConnectionState = 'open';
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  /** Set by the server heartbeat: did the client answer the last ping? */
  answeredPing = true;
  closedBy: CloseInitiator | null = null;
  /** The close frame this server sent, if it started the closing handshake. */
  sentClose: { readonly code: number; readonly reason: string } | null = null;
  /** Last error on the socket (e.g. an oversize message), for the close log line. */
  lastError: string | null = null;
  readonly #limits: ConnectionLimits;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;
  #messageHandler: MessageHandler | null = null;
  readonly #closedHandler: ClosedHandler | null;

  constructor(id: number, socket: DemoWebSocket, endpoint: string, peer: string, limits: ConnectionLimits, closedHandler: ClosedHandler | null = null) {
    this.id = id;
    this.socket = socket;
    this.endpoint = endpoint;
    this.peer = peer;
    this.#limits = limits;
    this.#closedHandler = closedHandler;
    socket.connection = this;
    // One listener per event, shared by every connection: `this` is the socket.
    socket.on('message', Connection.#received);
    socket.on('pong', Connection.#ponged);
    socket.on('error', Connection.#failed);
    socket.on('close', Connection.#closed);
  }

  /**
   * Hands every message to `handler` after counting it. A connection has one
   * handler: a route that set one already gets a `TypeError`.
   */
  onMessage(handler: MessageHandler): void {
    if (this.#messageHandler !== null) throw new TypeError(`connection #${String(this.id)} already has a message handler`);
    this.#messageHandler = handler;
  }

  static #received(this: WebSocket, data: Buffer, isBinary: boolean): void {
    const connection = connectionOf(this);
    if (connection === null) return;
    connection.messagesIn += 1;
    connection.bytesIn += byteLengthOf(data);
    connection.#messageHandler?.(data, isBinary, connection);
  }

  static #ponged(this: WebSocket): void {
    const connection = connectionOf(this);
    if (connection !== null) connection.answeredPing = true;
  }

  // Without a listener an 'error' event would crash the process. After a
  // receive error ws itself sends the close frame (e.g. 1009), so record it.
  static #failed(this: WebSocket, error: Error & { code?: string }): void {
    const connection = connectionOf(this);
    if (connection === null) return;
    connection.lastError = error.message;
    const code = error.code === undefined ? undefined : closeCodeForReceiveError(error.code);
    if (code !== undefined && connection.sentClose === null) {
      connection.sentClose = { code, reason: '' };
      connection.closedBy ??= 'server';
    }
  }

  static #closed(this: WebSocket, code: number, reason: Buffer): void {
    const connection = connectionOf(this);
    if (connection === null) return;
    connection.state = 'closed';
    connection.closedBy ??= code === 1006 ? 'network' : 'client';
    if (connection.#closeTimer !== null) clearTimeout(connection.#closeTimer);
    connection.#closedHandler?.(connection, code, reason);
  }

  /** Whether messages can still be sent. */
  get isOpen(): boolean {
    return this.state === 'open' && this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Sends a message unless the client already has `maxBufferedBytes` queued,
   * in which case the client is cut off with 1008: a reader that never reads
   * must not make the server hold unbounded memory. Returns whether it sent.
   */
  send(data: string | Buffer, binary = typeof data !== 'string'): boolean {
    if (!this.isOpen) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (this.socket.bufferedAmount + size > this.#limits.maxBufferedBytes) {
      this.fail('SEND_BUFFER_FULL', `${formatBytes(this.socket.bufferedAmount)} queued, limit ${formatBytes(this.#limits.maxBufferedBytes)}`);
      return false;
    }
    this.messagesOut += 1;
    this.bytesOut += size;
    this.socket.send(data, { binary });
    return true;
  }

  /** Sends `value` as a JSON text message. */
  sendJson(value: unknown): boolean {
    return this.send(JSON.stringify(value), false);
  }

  /**
   * Starts the closing handshake. An invalid code or reason is never passed
   * to `ws.close()`: it is reported and replaced with 1011. If the client
   * does not complete the handshake in `closeTimeoutMs` the TCP connection is
   * destroyed (the client then sees 1006).
   */
  close(code: number, reason = ''): void {
    if (this.state !== 'open') return;
    const problem = closeRequestProblem(code, reason);
    if (problem !== null) {
      this.lastError = problem;
      code = 1011;
      reason = 'internal error';
    }
    this.state = 'closing';
    this.closedBy ??= 'server';
    this.sentClose = { code, reason };
    this.socket.close(code, reason);
    this.#startCloseTimer();
  }

  /**
   * Starts the closing handshake with a close frame that has no body, which
   * RFC 6455 §5.5.1 allows; the client then reports 1005 (no status). Logged
   * as 1005, the code that stands for "none".
   */
  closeWithoutStatus(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closedBy ??= 'server';
    this.sentClose = { code: 1005, reason: '' };
    this.socket.close();
    this.#startCloseTimer();
  }

  #startCloseTimer(): void {
    this.#closeTimer = setTimeout(() => {
      this.socket.terminate();
    }, this.#limits.closeTimeoutMs);
    this.#closeTimer.unref();
  }

  /**
   * Reports `name` to the client as an error message and, when the error is
   * fatal, closes with its close code.
   */
  fail(name: SocketErrorName, detail?: string): void {
    const message = socketError(name, detail);
    if (message.closeCode === undefined) {
      this.sendJson(message);
      return;
    }
    this.lastError = message.message;
    // A client cut off for not reading would never see a queued message, so
    // the reason goes in the close frame (truncated to fit its 123 bytes).
    this.close(message.closeCode, truncateUtf8(message.message, 123));
  }

  /** Drops the TCP connection without a close frame. */
  terminate(reason: string): void {
    if (this.state === 'closed') return;
    this.lastError ??= reason;
    this.closedBy ??= 'server';
    this.state = 'closing';
    this.socket.terminate();
  }

  /**
   * How the connection ended, for the log: the code the server sent when it
   * closed first, else the code the client sent (1006 when none arrived).
   */
  describeClose(receivedCode: number, receivedReason: string): string {
    const quote = (reason: string) => (reason === '' ? '' : ` "${reason}"`);
    // RFC 6455 §7.1.5: 1005 stands for a close frame with no code in it.
    const codeText = (code: number) => (code === 1005 ? '1005 (no status code)' : String(code));
    if (this.sentClose !== null) {
      const { code, reason } = this.sentClose;
      const unanswered = receivedCode === 1006 ? ', no close frame back' : '';
      return `${codeText(code)}${quote(reason)} by server${unanswered}`;
    }
    if (this.closedBy === 'server') return '1006 (terminated by server)';
    if (receivedCode === 1006) return '1006 (connection dropped, no close frame)';
    return `${codeText(receivedCode)}${quote(receivedReason)} by client`;
  }

  /** The summary for the close log line. */
  describeTraffic(): string {
    const duration = formatDuration(Date.now() - this.openedAt);
    return `${duration}  in ${String(this.messagesIn)} msg/${formatBytes(this.bytesIn)}  out ${String(this.messagesOut)} msg/${formatBytes(this.bytesOut)}`;
  }
}

function connectionOf(socket: WebSocket): Connection | null {
  return socket instanceof DemoWebSocket ? socket.connection : null;
}

/**
 * The close code ws sends when its receiver rejects a frame (see
 * ws/lib/receiver.js): sizes → 1009, bad UTF-8 → 1007, the rest → 1002.
 */
function closeCodeForReceiveError(code: string): number | undefined {
  if (!code.startsWith('WS_ERR_')) return undefined;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH' || code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') {
    return 1009;
  }
  if (code === 'WS_ERR_INVALID_UTF8') return 1007;
  return 1002;
}

function byteLengthOf(data: Buffer | ArrayBuffer | Buffer[]): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.byteLength, 0);
  return data.byteLength;
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let result = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (bytes + size > maxBytes - 3) break;
    result += character;
    bytes += size;
  }
  return `${result}...`;
}
