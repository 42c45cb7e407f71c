import { connect, type Socket } from 'node:net';
import { FrameDecoder, OPCODES, encodeFrame, type DecodedFrame } from '../../src/shared/frame-codec.ts';
import { generateWebSocketKey } from '../../src/shared/handshake.ts';

/**
 * A WebSocket client made of a TCP socket and the frame codec, for tests
 * that must control or see the exact bytes: header order and case, masking
 * keys, fragments, chunk boundaries, malformed frames.
 */
export class RawWebSocketClient {
  readonly socket: Socket;
  /** The server's response status line and headers. */
  readonly responseLines: readonly string[];
  readonly key: string;
  readonly #decoder = new FrameDecoder({ sender: 'server' });
  readonly #frames: DecodedFrame[] = [];
  readonly #waiters: ((frame: DecodedFrame) => void)[] = [];
  #ended = false;

  private constructor(socket: Socket, responseLines: readonly string[], key: string, rest: Buffer) {
    this.socket = socket;
    this.responseLines = responseLines;
    this.key = key;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      this.#ended = true;
    });
    if (rest.length > 0) this.#receive(rest);
  }

  /**
   * Connects to `ws://host:port/path` and completes the handshake with
   * `headers` sent in the order and case given (defaults fill in the
   * required ones that are missing). Rejects when the answer is not 101.
   */
  static async connect(url: string, headers: readonly [string, string][] = []): Promise<RawWebSocketClient> {
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
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\n${all.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`);
    const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.pause();
        resolve({ head: buffered.subarray(0, end).toString('latin1'), rest: buffered.subarray(end + 4) });
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('closed during the handshake')));
    });
    const lines = head.split('\r\n');
    if (!lines[0]?.startsWith('HTTP/1.1 101')) {
      socket.destroy();
      throw new Error(`handshake refused: ${lines[0] ?? ''}`);
    }
    const client = new RawWebSocketClient(socket, lines, key, rest);
    socket.resume();
    return client;
  }

  /** Writes raw bytes. */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends a masked text frame, as a browser does (RFC 6455 §5.3). */
  sendText(text: string, maskingKey = new Uint8Array([0x37, 0xfa, 0x21, 0x3d])): void {
    this.write(encodeFrame({ opcode: OPCODES.text, payload: new TextEncoder().encode(text), maskingKey }));
  }

  /** Resolves with the next frame from the server. */
  nextFrame(): Promise<DecodedFrame> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.#ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves with the next data frame's payload parsed as JSON, skipping control frames. */
  async nextJson<T = Record<string, unknown>>(): Promise<T> {
    for (;;) {
      const frame = await this.nextFrame();
      if (frame.opcodeName === 'text') return JSON.parse(new TextDecoder().decode(frame.payload)) as T;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    for (const frame of this.#decoder.push(chunk)) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#frames.push(frame);
      else waiter(frame);
    }
  }
}
