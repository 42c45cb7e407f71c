import { once } from 'node:events';
import { WebSocket } from 'ws';

export interface JsonClient<T> {
  readonly socket: WebSocket;
  /** Every JSON message received since the socket was created, in order. */
  readonly messages: T[];
  /** Messages of one `type`. */
  readonly ofType: <K extends T extends { type: infer N } ? N : never>(type: K) => Extract<T, { type: K }>[];
}

/**
 * Opens a `ws` client that records every JSON message from the first one:
 * a server that speaks as soon as the connection opens can send in the same
 * TCP segment as its 101 response, before `await once(socket, 'open')` returns.
 */
export async function openJsonClient<T extends { type: string }>(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<JsonClient<T>> {
  const socket = new WebSocket(url, options);
  const messages: T[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as T));
  await once(socket, 'open');
  return {
    socket,
    messages,
    ofType: (type) => messages.filter((message) => message.type === type) as never,
  };
}
