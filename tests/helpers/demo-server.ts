import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createDemoServer, type DemoServer } from '../../demo-server/http/server.ts';
import type { DemoServerOptions } from '../../demo-server/options.ts';

export interface RunningServer {
  readonly server: DemoServer;
  /** `http://127.0.0.1:PORT` */
  readonly httpUrl: string;
  /** `ws://127.0.0.1:PORT` */
  readonly wsUrl: string;
  readonly port: number;
  /** Log lines written so far. */
  readonly log: string[];
  close(): Promise<void>;
}

/** Starts a demo server on a free port; always `close()` it. */
export async function startServer(options: Partial<DemoServerOptions> = {}, port = 0): Promise<RunningServer> {
  const log: string[] = [];
  const server = createDemoServer({ log: (line) => log.push(line), ...options });
  const address = await server.listen(port, '127.0.0.1');
  return {
    server,
    port: address.port,
    httpUrl: `http://127.0.0.1:${String(address.port)}`,
    wsUrl: `ws://127.0.0.1:${String(address.port)}`,
    log,
    close: () => server.close(),
  };
}

/** Opens a `ws` client and waits for it to open. */
export async function openClient(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  await once(socket, 'open');
  return socket;
}

/** Resolves with the next message as `{ data, isBinary }`. */
export async function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  const [data, isBinary] = (await once(socket, 'message')) as [Buffer, boolean];
  return { data, isBinary };
}

/** Resolves with the next JSON message. */
export async function nextJson<T = Record<string, unknown>>(socket: WebSocket): Promise<T> {
  const { data } = await nextMessage(socket);
  return JSON.parse(data.toString()) as T;
}

/** Resolves with the close code and reason the client saw. */
export async function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  if (socket.readyState === socket.CLOSED) throw new Error('socket already closed; call closed() before it closes');
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

/** Attempts a handshake expected to fail; resolves with the HTTP status and body. */
export async function refusedHandshake(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, options);
  socket.on('error', () => undefined);
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  socket.terminate();
  return { status: response.statusCode ?? 0, body };
}
