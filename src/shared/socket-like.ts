/**
 * The part of the browser `WebSocket` API that stores use. Both the native
 * `WebSocket` and partysocket's `ReconnectingWebSocket` fit it, and unit tests
 * pass a small fake that emits events.
 */
export interface SocketLike {
  readonly readyState: number;
  binaryType: 'blob' | 'arraybuffer';
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

/** Time for stores that measure: injected, so unit tests control it. */
export interface Clock {
  /** Monotonic milliseconds, for round trips. */
  monotonic(): number;
  /** Epoch milliseconds, for timestamps. */
  wall(): number;
}

/** The page's clocks. */
export const browserClock: Clock = {
  monotonic: () => performance.now(),
  wall: () => Date.now(),
};

/** A close event's fields, always well-typed. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * Reads a close event defensively. partysocket re-dispatches the close
 * events it makes itself (after an error, a timeout or `reconnect()`) by
 * calling their constructor as `new CloseEvent(type, event)`, which in a
 * browser leaves `code` set to the string "close" and `reason` to an object.
 * Those stand for a failed connection: report them as 1006, not clean.
 */
export function closeInfoOf(event: { readonly code: unknown; readonly reason: unknown; readonly wasClean?: unknown }): CloseInfo {
  if (typeof event.code !== 'number') return { code: 1006, reason: '', wasClean: false };
  return {
    code: event.code,
    reason: typeof event.reason === 'string' ? event.reason : '',
    wasClean: event.wasClean === true,
  };
}
