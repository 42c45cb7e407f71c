import { once } from 'node:events';
import { WebSocket, type ClientOptions } from 'ws';
import type { ChatServerMessage } from '../src/shared/protocol/chat.ts';

type MessageOfType<T extends ChatServerMessage['type']> = Extract<ChatServerMessage, { type: T }>;

export interface CloseResult {
  readonly code: number;
  readonly reason: string;
}

/** Default wait for an expected message. */
const DEFAULT_WAIT_MS = 5_000;

/**
 * A `/ws/chat/:room` connection for scripts: keeps every server message in
 * arrival order and lets the caller wait for the next one of a type. Used by
 * the CLI's demo mode and by the tests.
 */
export class ChatConnection {
  readonly socket: WebSocket;
  /** Every message received, in order. */
  readonly received: ChatServerMessage[] = [];
  /** Resolves when the connection closes. */
  readonly closed: Promise<CloseResult>;
  /** Received but not yet taken by `next()`. */
  readonly #inbox: ChatServerMessage[] = [];
  #waiters: (() => void)[] = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ChatServerMessage;
      this.received.push(message);
      this.#inbox.push(message);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  /**
   * Connects to `url` and waits for the socket to open (not for the welcome).
   * `options` go to `ws` (e.g. `localAddress: '127.0.0.2'`, so a test can be
   * several clients' addresses).
   */
  static async open(url: string, options: ClientOptions = {}): Promise<ChatConnection> {
    const socket = new WebSocket(url, options);
    const connection = new ChatConnection(socket);
    await once(socket, 'open');
    return connection;
  }

  /** Sends `message` as JSON, or a string as is. */
  send(message: object | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * Resolves with the next message of `type` not yet taken, waiting up to
   * `timeoutMs`; messages of other types stay for later calls.
   */
  async next<T extends ChatServerMessage['type']>(type: T, timeoutMs = DEFAULT_WAIT_MS): Promise<MessageOfType<T>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.#inbox.findIndex((message) => message.type === type);
      if (index !== -1) return this.#inbox.splice(index, 1)[0] as MessageOfType<T>;
      const remaining = deadline - performance.now();
      if (remaining <= 0 || this.socket.readyState === this.socket.CLOSED) {
        const seen = this.#inbox.map((message) => message.type).join(', ') || 'nothing';
        throw new Error(`no "${type}" message within ${String(timeoutMs)} ms (waiting: ${seen})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Starts the closing handshake and resolves when it is done. */
  close(code = 1000, reason = 'bye'): Promise<CloseResult> {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
    return this.closed;
  }
}
