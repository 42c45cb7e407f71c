import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { FrameDecoder, OPCODES, encodeFrame, type DecodedFrame, type FrameToEncode } from '../src/shared/frame-codec.ts';
import { generateWebSocketKey } from '../src/shared/handshake.ts';

/** The server's answer to an opening handshake, whatever its status. */
export interface HandshakeResponse {
  readonly key: string;
  /** `HTTP/1.1 101 Switching Protocols` */
  readonly statusLine: string;
  /** The status code, or 0 when the status line is not HTTP. */
  readonly status: number;
  /** Status line and headers as they arrived. */
  readonly lines: readonly string[];
  /** Header values by lower-case name; repeated headers are joined with `, ` (RFC 9110 §5.3). */
  readonly headers: ReadonlyMap<string, string>;
  readonly socket: Socket;
  /** Bytes that came after the headers (the first frames, or a refusal's body). */
  readonly rest: Buffer;
}

export interface RawClientOptions {
  /** Give up on the TCP connection and the handshake after this long. */
  readonly timeoutMs: number;
  /** Largest response head accepted; a bigger one is refused as not a WebSocket server. */
  readonly maxHeadBytes: number;
  /** Largest frame payload accepted from the server; a bigger frame ends the connection. */
  readonly maxPayloadBytes: number;
  /** Bytes accepted from the server over the whole connection, so a misbehaving server cannot fill memory. */
  readonly maxReceivedBytes: number;
  /** Answer the server's pings with pongs carrying the same payload (RFC 6455 §5.5.3), as every client must. */
  readonly autoPong: boolean;
  /** For `wss://`: certificates (PEM) to trust besides the system's, e.g. a server's self-signed one. */
  readonly ca: string | null;
}

export const RAW_CLIENT_DEFAULTS: Readonly<RawClientOptions> = {
  timeoutMs: 5_000,
  maxHeadBytes: 16 * 1024,
  maxPayloadBytes: 8 * 1024 * 1024,
  maxReceivedBytes: 64 * 1024 * 1024,
  autoPong: false,
  ca: null,
};

/** A whole message, reassembled from its fragments (RFC 6455 §5.4). */
export interface ReceivedMessage {
  readonly type: 'text' | 'binary';
  readonly payload: Uint8Array;
}

/** The connection ended while waiting: `closeCode` is from the server's close frame, or `null` when there was none. */
export class ConnectionEnded extends Error {
  readonly closeCode: number | null;
  readonly closeReason: string;

  constructor(closeCode: number | null, closeReason: string, detail: string) {
    super(detail);
    this.name = 'ConnectionEnded';
    this.closeCode = closeCode;
    this.closeReason = closeReason;
  }
}

/** Waiting for a frame took longer than allowed. */
export class WaitTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`no ${what} within ${String(ms)} ms`);
    this.name = 'WaitTimeout';
  }
}

/** The close code and reason in a close frame's payload (RFC 6455 §5.5.1), or `null` for an empty one. */
export function closePayloadOf(frame: DecodedFrame): { code: number; reason: string } | null {
  if (frame.payload.byteLength < 2) return null;
  return {
    code: ((frame.payload[0] ?? 0) << 8) | (frame.payload[1] ?? 0),
    reason: new TextDecoder().decode(frame.payload.subarray(2)),
  };
}

/** A fresh random masking key: clients pick a new one for every frame (RFC 6455 §5.3). */
export function randomMaskingKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(4));
}

function openSocket(target: URL, ca: string | null): Socket {
  const port = Number(target.port || (target.protocol === 'wss:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (target.protocol !== 'wss:') return connectTcp({ host, port });
  // SNI carries host names only (RFC 6066 §3), never an address.
  return connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...(ca === null ? {} : { ca }) });
}

/**
 * A WebSocket client made of a TCP (or TLS) socket and the frame codec, for
 * code that must control or see the exact bytes: header order and case,
 * masking keys, fragments, chunk boundaries, malformed frames. The terminal
 * grader checks students' servers with it; tests use it to misbehave.
 */
export class RawWebSocketClient {
  readonly socket: Socket;
  /** The server's response status line and headers. */
  readonly responseLines: readonly string[];
  readonly response: HandshakeResponse;
  readonly key: string;
  readonly #options: RawClientOptions;
  readonly #decoder: FrameDecoder;
  readonly #frames: DecodedFrame[] = [];
  readonly #waiters: { resolve: (frame: DecodedFrame) => void; reject: (error: Error) => void }[] = [];
  #received = 0;
  #ended: Error | null = null;
  /** The server's close frame, once it came. */
  #closeFrame: DecodedFrame | null = null;

  private constructor(response: HandshakeResponse, options: RawClientOptions) {
    this.response = response;
    this.socket = response.socket;
    this.responseLines = response.lines;
    this.key = response.key;
    this.#options = options;
    this.#decoder = new FrameDecoder({ sender: 'server', maxPayloadBytes: options.maxPayloadBytes });
    this.socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      const close = this.#closeFrame === null ? null : closePayloadOf(this.#closeFrame);
      this.#end(
        new ConnectionEnded(
          close?.code ?? null,
          close?.reason ?? '',
          this.#closeFrame === null ? 'the server closed the TCP connection without a close frame' : `the server closed with ${close === null ? 'an empty close frame' : String(close.code)}`,
        ),
      );
    });
    if (response.rest.length > 0) this.#receive(response.rest);
  }

  /**
   * Sends an opening handshake with `headers` in the order and case given
   * (defaults fill in the required ones that are missing) and resolves with
   * the answer, whatever its status. Rejects only when no HTTP answer came.
   */
  static handshake(url: string, headers: readonly [string, string][] = [], options: Partial<RawClientOptions> = {}): Promise<HandshakeResponse> {
    const { timeoutMs, maxHeadBytes, ca } = { ...RAW_CLIENT_DEFAULTS, ...options };
    const target = new URL(url);
    const key = headers.find(([name]) => name.toLowerCase() === 'sec-websocket-key')?.[1] ?? generateWebSocketKey();
    const required: [string, string][] = [
      ['Host', target.host],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', key],
      ['Sec-WebSocket-Version', '13'],
    ];
    const given = new Set(headers.map(([name]) => name.toLowerCase()));
    const all = [...required.filter(([name]) => !given.has(name.toLowerCase())), ...headers];
    const socket = openSocket(target, ca);
    socket.setNoDelay(true);
    socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\n${all.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`);
    return new Promise<HandshakeResponse>((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      const fail = (message: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(message));
      };
      const timer = setTimeout(() => fail(`no HTTP response within ${String(timeoutMs)} ms`), timeoutMs);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buffered.length > maxHeadBytes) fail(`the response head is over ${String(maxHeadBytes)} bytes: not a WebSocket server?`);
          return;
        }
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.pause();
        const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
        const statusLine = lines[0] ?? '';
        const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1];
        const fields = new Map<string, string>();
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          const previous = fields.get(name);
          fields.set(name, previous === undefined ? value : `${previous}, ${value}`);
        }
        resolve({ key, statusLine, status: status === undefined ? 0 : Number(status), lines, headers: fields, socket, rest: buffered.subarray(end + 4) });
      };
      const onError = (error: Error) => fail(`cannot connect to ${target.host}: ${error.message}`);
      const onClose = () => fail('the server closed the connection before answering the handshake');
      socket.on('data', onData);
      socket.once('error', onError);
      socket.once('close', onClose);
    });
  }

  /**
   * Connects to `ws://host:port/path` (or `wss://`) and completes the
   * handshake with `headers` as in `handshake()`. Rejects when the answer is
   * not 101.
   */
  static async connect(url: string, headers: readonly [string, string][] = [], options: Partial<RawClientOptions> = {}): Promise<RawWebSocketClient> {
    const response = await RawWebSocketClient.handshake(url, headers, options);
    if (response.status !== 101) {
      response.socket.destroy();
      throw new Error(`handshake refused: ${response.statusLine}`);
    }
    const client = new RawWebSocketClient(response, { ...RAW_CLIENT_DEFAULTS, ...options });
    response.socket.resume();
    return client;
  }

  /** The server's close code and reason, once its close frame came. */
  get serverClose(): { code: number; reason: string } | null {
    return this.#closeFrame === null ? null : (closePayloadOf(this.#closeFrame) ?? { code: 1005, reason: '' });
  }

  /** Whether the connection has ended (the TCP socket closed, or the server's frames were malformed). */
  get isEnded(): boolean {
    return this.#ended !== null;
  }

  /** Writes raw bytes. */
  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Encodes and writes one frame, masked with a fresh key unless `maskingKey` says otherwise (`null`: unmasked). */
  sendFrame(frame: FrameToEncode): void {
    this.write(encodeFrame({ ...frame, maskingKey: frame.maskingKey === undefined ? randomMaskingKey() : frame.maskingKey }));
  }

  /** Sends a masked text frame, as a browser does (RFC 6455 §5.3). */
  sendText(text: string, maskingKey = new Uint8Array([0x37, 0xfa, 0x21, 0x3d])): void {
    this.write(encodeFrame({ opcode: OPCODES.text, payload: new TextEncoder().encode(text), maskingKey }));
  }

  /** Sends a JSON message as one masked text frame. */
  sendJson(message: unknown): void {
    this.sendFrame({ opcode: OPCODES.text, payload: new TextEncoder().encode(JSON.stringify(message)) });
  }

  /** Resolves with the next frame from the server; rejects with `ConnectionEnded` or, after `timeoutMs`, `WaitTimeout`. */
  nextFrame(timeoutMs?: number): Promise<DecodedFrame> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.#ended !== null) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (next: DecodedFrame) => {
          clearTimeout(timer);
          resolve(next);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              reject(new WaitTimeout('frame', timeoutMs));
            }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /**
   * Resolves with the next whole data message, reassembling fragments and
   * skipping pings and pongs; rejects with `ConnectionEnded` when a close
   * frame or the end of the connection comes first, or `WaitTimeout`.
   */
  async nextMessage(timeoutMs: number): Promise<ReceivedMessage> {
    const deadline = performance.now() + timeoutMs;
    const parts: Uint8Array[] = [];
    let type: 'text' | 'binary' | null = null;
    for (;;) {
      const left = Math.max(0, deadline - performance.now());
      let frame: DecodedFrame;
      try {
        frame = await this.nextFrame(left);
      } catch (error) {
        if (error instanceof WaitTimeout) throw new WaitTimeout(type === null ? 'message' : 'final fragment of the message', timeoutMs);
        throw error;
      }
      if (frame.opcodeName === 'close') {
        const close = closePayloadOf(frame);
        throw new ConnectionEnded(close?.code ?? 1005, close?.reason ?? '', `the server closed with ${close === null ? 'an empty close frame' : String(close.code)}`);
      }
      if (frame.opcodeName === 'ping' || frame.opcodeName === 'pong') continue;
      type ??= frame.messageOpcodeName === 'binary' ? 'binary' : 'text';
      parts.push(frame.payload);
      if (frame.fin) return { type, payload: Buffer.concat(parts) };
    }
  }

  /** The next text message parsed as JSON; rejects when it is binary or not JSON. */
  async nextJsonMessage(timeoutMs: number): Promise<unknown> {
    const message = await this.nextMessage(timeoutMs);
    const text = new TextDecoder().decode(message.payload);
    if (message.type !== 'text') throw new Error(`expected a JSON text message, got a binary one of ${String(message.payload.length)} bytes`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`expected JSON, got ${JSON.stringify(text.slice(0, 80))}`);
    }
  }

  /** Resolves with the next data frame's payload parsed as JSON, skipping control frames. */
  async nextJson<T = Record<string, unknown>>(): Promise<T> {
    for (;;) {
      const frame = await this.nextFrame();
      if (frame.opcodeName === 'text') return JSON.parse(new TextDecoder().decode(frame.payload)) as T;
    }
  }

  /**
   * Resolves when the connection ends, with the server's close frame (or
   * `null` when none came), or with `'timeout'` after `timeoutMs`. Frames
   * before the close are read and dropped.
   */
  async waitForEnd(timeoutMs: number): Promise<{ code: number; reason: string } | null | 'timeout'> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        const frame = await this.nextFrame(Math.max(0, deadline - performance.now()));
        if (frame.opcodeName === 'close') return closePayloadOf(frame) ?? { code: 1005, reason: '' };
      } catch (error) {
        if (error instanceof WaitTimeout) return 'timeout';
        if (error instanceof ConnectionEnded && error.closeCode !== null) return { code: error.closeCode, reason: error.closeReason };
        return null;
      }
    }
  }

  /** Drops the TCP connection at once, without a closing handshake (the server sees 1006). */
  close(): void {
    this.socket.destroy();
  }

  /**
   * Ends politely, so the server sees 1000 rather than an error: a close
   * frame (RFC 6455 §7.1.2) unless the connection already ended, then the
   * TCP connection, dropped after `lingerMs` if the server does not close it.
   */
  closeGracefully(lingerMs = 1_000): void {
    if (this.#ended !== null || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    if (this.#closeFrame === null) this.sendFrame({ opcode: OPCODES.close, payload: Uint8Array.from([0x03, 0xe8]) });
    this.socket.end();
    setTimeout(() => this.socket.destroy(), lingerMs).unref();
  }

  #end(error: Error): void {
    if (this.#ended !== null) return;
    this.#ended = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  #receive(chunk: Buffer): void {
    if (this.#ended !== null) return;
    this.#received += chunk.length;
    if (this.#received > this.#options.maxReceivedBytes) {
      this.#end(new ConnectionEnded(null, '', `the server sent more than ${String(this.#options.maxReceivedBytes)} bytes; stopped reading`));
      this.socket.destroy();
      return;
    }
    let frames: DecodedFrame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.#end(new ConnectionEnded(null, '', `the server sent a malformed frame: ${(error as Error).message}`));
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      if (frame.opcodeName === 'close') this.#closeFrame = frame;
      if (frame.opcodeName === 'ping' && this.#options.autoPong) this.sendFrame({ opcode: OPCODES.pong, payload: frame.payload });
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#frames.push(frame);
      else waiter.resolve(frame);
    }
  }
}
