/**
 * The part of the browser `WebSocket` API that stores use. Both the native
 * `WebSocket` and partysocket's `ReconnectingWebSocket` fit it, and unit tests
 * pass a small fake that emits events.
 */
export interface SocketLike {
  readonly readyState: number;
  binaryType: BinaryType;
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): unknown;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: (event: Event) => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { readonly code: number; readonly reason: string; readonly wasClean: boolean }) => void,
  ): void;
}

/** `WebSocket.OPEN`, spelled out so DOM-free modules need no global. */
export const SOCKET_OPEN = 1;
