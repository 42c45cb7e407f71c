import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { closeRequestProblem } from '../../src/shared/close-policy.ts';
import { socketError, type SocketErrorName } from '../../src/shared/protocol/errors.ts';
import { formatBytes, formatDuration } from '../http/log.ts';
import { TokenBucket } from '../../src/shared/token-bucket.ts';
import { MESSAGE_OVERHEAD_BYTES, type BudgetHolder, type MemoryBudget } from './memory-budget.ts';

export type ConnectionState = 'open' | 'closing' | 'closed';

/** Who sent the first close frame, or `network` when the TCP connection dropped without one. */
export type CloseInitiator = 'server' | 'client' | 'network';

export interface ConnectionLimits {
  readonly maxBufferedBytes: number;
  readonly closeTimeoutMs: number;
  /** Stop reading the client while more than this is queued for it (its own sends then wait in TCP). */
  readonly readHighWaterBytes: number;
  /** Read again once the queue is back under this. */
  readonly readLowWaterBytes: number;
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
export class Connection implements BudgetHolder {
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
  /**
   * Hold this turn's frames and write them together when the turn of the
   * event loop ends: one system call for the frames of every message handled
   * in the turn instead of one per frame (see `send()`). Set by a route
   * whose clients each receive bursts of small messages (the chat's fan-out).
   * Off by default: a frame then goes to the kernel as it is sent, and
   * `bufferedAmount` right after a send shows only what TCP could not take,
   * as chapter 9's backpressure lab reads it.
   */
  coalesceSends = false;
  readonly #limits: ConnectionLimits;
  #closeTimer: ReturnType<typeof setTimeout> | null = null;
  #messageHandler: MessageHandler | null = null;
  readonly #closedHandler: ClosedHandler | null;
  readonly #budget: MemoryBudget | null;
  /** Messages handed to ws so far. */
  #sentCount = 0;
  /** Of those, how many are known to have been written to the kernel. */
  #writtenCount = 0;
  /** The message carrying the write callback in flight, or 0 for none. */
  #probeCount = 0;
  /** What this connection last reported to the budget. */
  #countedBytes = 0;
  /** Set once the socket is destroyed or closed: nothing is queued any more. */
  #released = false;
  /** Made on the first send, so idle connections do not pay for a closure. */
  #onWritten: (() => void) | null = null;
  /** Made when reading is first paused for the queue: the socket's 'drain' listener. */
  #onDrained: (() => void) | null = null;
  /** Pings answered; made on the first ping. */
  #pingRate: TokenBucket | null = null;
  /** Why reading is paused (`queue`, a route's own reasons); the socket reads when this is empty. */
  #pausedBy: Set<string> | null = null;
  /** The TCP socket while `coalesceSends` holds it corked, until the turn ends. */
  #corkedSocket: Duplex | null = null;
  /** Connections corked in this turn of the event loop, uncorked together at its end. */
  static #corkedThisTurn: Connection[] = [];

  constructor(
    id: number,
    socket: DemoWebSocket,
    endpoint: string,
    peer: string,
    limits: ConnectionLimits,
    closedHandler: ClosedHandler | null = null,
    budget: MemoryBudget | null = null,
  ) {
    this.id = id;
    this.socket = socket;
    this.endpoint = endpoint;
    this.peer = peer;
    this.#limits = limits;
    this.#closedHandler = closedHandler;
    this.#budget = budget;
    socket.connection = this;
    // One listener per event, shared by every connection: `this` is the socket.
    socket.on('message', Connection.#received);
    socket.on('pong', Connection.#ponged);
    socket.on('ping', Connection.#pinged);
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

  /**
   * RFC 6455 §5.5.2: answer a ping with a pong carrying its data, through
   * the same accounting as every send. More than PINGS_BURST at once (or
   * PINGS_PER_SECOND after) is a flood: close 1008 with a reason, not a reset.
   */
  static #pinged(this: WebSocket, data: Buffer): void {
    const connection = connectionOf(this);
    if (connection === null || !connection.isOpen) return;
    connection.#pingRate ??= new TokenBucket(PINGS_PER_SECOND, PINGS_BURST);
    if (!connection.#pingRate.take()) {
      connection.fail('PING_FLOOD', `more than ${String(PINGS_BURST)} at once or ${String(PINGS_PER_SECOND)} a second`);
      return;
    }
    if (connection.#overCap(data.byteLength + MESSAGE_OVERHEAD_BYTES)) return;
    this.pong(data, false, connection.#nextWriteCallback());
    connection.#account();
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
    const code = error.code === undefined ? undefined : (sentCloseCodeOf(error) ?? closeCodeForReceiveError(error.code));
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
    connection.#release();
    connection.#closedHandler?.(connection, code, reason);
  }

  /** Whether messages can still be sent. */
  get isOpen(): boolean {
    return this.state === 'open' && this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Bytes queued for this client as they occupy memory: ws's and the
   * socket's buffered bytes plus `MESSAGE_OVERHEAD_BYTES` per message not yet
   * written (a 2-byte echo costs about 220 bytes, not 4).
   */
  get queuedBytes(): number {
    if (this.#released) return 0;
    return this.socket.bufferedAmount + (this.#sentCount - this.#writtenCount) * MESSAGE_OVERHEAD_BYTES;
  }

  /** Whether reading from the client is paused because too much is queued for it. */
  get readingPaused(): boolean {
    return this.#pausedBy?.has('queue') ?? false;
  }

  /**
   * Stops reading the client's TCP socket for `reason` (messages, pings and
   * closes wait in the kernel, and TCP pushes back on the client). Reading
   * resumes once every reason has been lifted with `resumeReading()`.
   */
  pauseReading(reason: string): void {
    this.#pausedBy ??= new Set();
    this.#pausedBy.add(reason);
    if (this.socket.readyState === this.socket.OPEN && !this.socket.isPaused) this.socket.pause();
  }

  /** Lifts `reason`; reads again when no other reason holds. */
  resumeReading(reason: string): void {
    if (this.#pausedBy?.delete(reason) !== true || this.#pausedBy.size > 0) return;
    if (this.socket.readyState === this.socket.OPEN && this.socket.isPaused) this.socket.resume();
  }

  /**
   * Sends a message unless the client already has `maxBufferedBytes` queued
   * (counted in real cost), in which case the client is cut off with 1008: a
   * reader that never reads must not make the server hold unbounded memory.
   * Past `readHighWaterBytes` the server stops reading the client until the
   * queue drains under `readLowWaterBytes`, so a client that sends without
   * reading (an echo flood) is held back by TCP instead of growing the queue.
   * When the server-wide budget is reached the client holding the most is
   * dropped (see `MemoryBudget`). Returns whether it sent.
   */
  send(data: string | Buffer, binary = typeof data !== 'string'): boolean {
    if (!this.isOpen) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    const cost = size + MESSAGE_OVERHEAD_BYTES;
    if (this.#overCap(cost)) return false;
    if (this.#budget !== null && !this.#budget.reserve(this, cost)) return false;
    this.messagesOut += 1;
    this.bytesOut += size;
    if (this.coalesceSends && this.#corkedSocket === null) this.#cork();
    this.socket.send(data, { binary }, this.#nextWriteCallback());
    // A big frame gains nothing from waiting, and nothing holds more than a socket's default high-water mark.
    if (this.#corkedSocket !== null && this.#corkedSocket.writableLength >= COALESCE_LIMIT_BYTES) this.#uncork();
    this.#account();
    return true;
  }

  /**
   * Corks the TCP socket until the current turn of the event loop ends
   * (`process.nextTick` from here runs after every callback and promise
   * reaction of the turn): ws writes each frame as its header and payload
   * under a cork of its own, so one message is one `writev`; a fan-out of k
   * messages in one turn becomes one `writev` of k frames per member.
   */
  #cork(): void {
    const tcp = tcpOf(this.socket);
    if (tcp === undefined) return;
    tcp.cork();
    this.#corkedSocket = tcp;
    if (Connection.#corkedThisTurn.push(this) === 1) process.nextTick(Connection.#uncorkTurn);
  }

  /** Writes what the cork held (if anything). */
  #uncork(): void {
    const tcp = this.#corkedSocket;
    if (tcp === null) return;
    this.#corkedSocket = null;
    tcp.uncork();
  }

  static #uncorkTurn(): void {
    const corked = Connection.#corkedThisTurn;
    Connection.#corkedThisTurn = [];
    for (const connection of corked) connection.#uncork();
  }

  /**
   * The per-client cap, for every frame the server queues (messages and
   * pongs alike): when `cost` more would pass `maxBufferedBytes`, the client
   * is cut off with 1008 and this returns `true`.
   */
  #overCap(cost: number): boolean {
    const queued = this.queuedBytes;
    if (queued + cost <= this.#limits.maxBufferedBytes) return false;
    this.fail('SEND_BUFFER_FULL', `${formatBytes(queued)} queued, limit ${formatBytes(this.#limits.maxBufferedBytes)}`);
    return true;
  }

  /**
   * Counts one more message and returns the write callback to pass with it,
   * if none is in flight. One callback at a time, not one per message: a
   * callback on every frame kept thousands of tick records alive per read
   * chunk and promoted them to the old generation (issue 16's echo flood).
   * Writes complete in order, so when it fires every earlier message is written.
   */
  #nextWriteCallback(): (() => void) | undefined {
    this.#sentCount += 1;
    if (this.#probeCount !== 0) return undefined;
    this.#probeCount = this.#sentCount;
    this.#onWritten ??= () => {
      this.#written(this.#probeCount);
      this.#probeCount = 0;
    };
    return this.#onWritten;
  }

  /** Messages up to `count` are written; with nothing left in the buffers, all are. */
  #written(count: number): void {
    this.#writtenCount = this.socket.bufferedAmount === 0 ? this.#sentCount : Math.max(this.#writtenCount, count);
    this.#account();
  }

  /** Reports the queue to the budget and pauses or resumes reading at the water marks. */
  #account(): void {
    const queued = this.queuedBytes;
    if (queued !== this.#countedBytes) {
      this.#budget?.update(this, this.#countedBytes, queued);
      this.#countedBytes = queued;
    }
    if (this.#released || this.socket.readyState !== this.socket.OPEN) return;
    // Below the cap, so a client that sends without reading is held back, not cut off.
    const highWater = Math.min(this.#limits.readHighWaterBytes, this.#limits.maxBufferedBytes / 2);
    const lowWater = Math.min(this.#limits.readLowWaterBytes, highWater / 4);
    if (queued > highWater) {
      if (!this.readingPaused) {
        this.pauseReading('queue');
        // With more than the socket's high-water mark queued, 'drain' fires once it is all written.
        if (this.#onDrained === null) {
          this.#onDrained = () => {
            this.#written(this.#sentCount);
          };
          tcpOf(this.socket)?.on('drain', this.#onDrained);
        }
      }
    } else if (queued <= lowWater && this.readingPaused) {
      this.resumeReading('queue');
    }
  }

  /** Nothing is queued any more (closed or destroyed): give the bytes back to the budget. */
  #release(): void {
    this.#released = true;
    this.#writtenCount = this.#sentCount;
    this.#account();
  }

  /**
   * Drops the client at once because the server-wide budget is reached: a
   * close frame would wait behind everything already queued for a client
   * that does not read, so the queue is freed now instead.
   */
  shed(reason: string): void {
    this.terminate(reason);
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
    // What this turn already sent reaches the kernel first, as it would have without the cork.
    this.#uncork();
    this.socket.terminate();
    this.#release();
  }

  /**
   * How the connection ended, for the log and the metrics: the code the
   * server sent when it closed first, 1006 when it was terminated or the
   * connection dropped without a close frame, else the code the client sent.
   */
  closeOutcome(receivedCode: number): { readonly code: number; readonly by: CloseInitiator } {
    if (this.sentClose !== null) return { code: this.sentClose.code, by: 'server' };
    if (this.closedBy === 'server') return { code: 1006, by: 'server' };
    if (receivedCode === 1006) return { code: 1006, by: 'network' };
    return { code: receivedCode, by: 'client' };
  }

  /** `closeOutcome()` as a phrase for the close log line, with the reason. */
  describeClose(receivedCode: number, receivedReason: string): string {
    const quote = (reason: string) => (reason === '' ? '' : ` "${reason}"`);
    // RFC 6455 §7.1.5: 1005 stands for a close frame with no code in it.
    const codeText = (code: number) => (code === 1005 ? '1005 (no status code)' : String(code));
    const { code, by } = this.closeOutcome(receivedCode);
    if (this.sentClose !== null) {
      const unanswered = receivedCode === 1006 ? ', no close frame back' : '';
      return `${codeText(code)}${quote(this.sentClose.reason)} by server${unanswered}`;
    }
    if (by === 'server') return '1006 (terminated by server)';
    if (by === 'network') return '1006 (connection dropped, no close frame)';
    return `${codeText(code)}${quote(receivedReason)} by client`;
  }

  /** The summary for the close log line. */
  describeTraffic(): string {
    const duration = formatDuration(Date.now() - this.openedAt);
    return `${duration}  in ${String(this.messagesIn)} msg/${formatBytes(this.bytesIn)}  out ${String(this.messagesOut)} msg/${formatBytes(this.bytesOut)}`;
  }
}

/** Pings a client may send at once, then per second, before it is closed with PING_FLOOD. */
const PINGS_BURST = 100;
const PINGS_PER_SECOND = 10;

/**
 * The close code ws put on the wire for a receive error: ws stores it on the
 * error under its `status-code` symbol and calls `close()` with it (see
 * ws/lib/receiver.js createError and websocket.js receiverOnError).
 */
function sentCloseCodeOf(error: Error): number | undefined {
  const symbol = Object.getOwnPropertySymbols(error).find((each) => each.description === 'status-code');
  const code: unknown = symbol === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[symbol];
  return typeof code === 'number' ? code : undefined;
}

/** ws keeps the upgraded TCP socket in a private field; there is no public accessor. */
function tcpOf(socket: WebSocket): Duplex | undefined {
  return (socket as unknown as { _socket?: Duplex })._socket;
}

/**
 * What a coalescing connection holds back at most before writing at once:
 * Node's default high-water mark for a socket. Small frames are what cost a
 * system call each.
 */
const COALESCE_LIMIT_BYTES = 16 * 1024;

function connectionOf(socket: WebSocket): Connection | null {
  return socket instanceof DemoWebSocket ? socket.connection : null;
}

/**
 * The close code ws sends when its receiver rejects a frame, when the error
 * does not carry it (see ws/lib/receiver.js): too many parts → 1008, sizes
 * → 1009, bad UTF-8 → 1007, the rest → 1002.
 */
function closeCodeForReceiveError(code: string): number | undefined {
  if (!code.startsWith('WS_ERR_')) return undefined;
  // Too many fragments or buffered chunks is a policy limit: ws sends 1008 for it.
  if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') return 1008;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') return 1009;
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
