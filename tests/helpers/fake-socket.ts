import type { SocketLike } from '../../src/shared/socket-like.ts';

type Listener = (event: never) => void;

/** A SocketLike that records what is sent and emits events on demand. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  binaryType: BinaryType = 'blob';
  readonly sent: unknown[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  readonly #listeners = new Map<string, Listener[]>();

  send(data: unknown): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) };
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  emit(type: 'open' | 'error' | 'message' | 'close', event: object = {}): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never);
  }
}
