/**
 * What permessage-deflate (RFC 7692) costs a server in memory per
 * connection, measured (chapter 10, "Limits as defence"):
 *
 *   node bench/deflate-memory.ts [connections]
 *
 * The demo server turns compression off (`perMessageDeflate: false` in
 * http/server.ts), so this runs the same `ws` library in a child process
 * twice: with `perMessageDeflate: true` (ws's defaults: context takeover,
 * 15-bit windows, zlib memLevel 8) and with it off. The parent opens N
 * connections to it, sends one 4 KiB message each way on each (zlib's
 * streams are made at the first message and kept while context takeover
 * holds), and asks the child for its memory: resident set (RSS) and
 * `external` (memory outside the JS heap, where zlib's buffers live).
 * The difference divided by N is the cost of one compressed connection.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';

interface Memory {
  readonly rss: number;
  readonly external: number;
  readonly heapUsed: number;
}

const MESSAGE = 'x'.repeat(4096);

/** The child: a `ws` echo server; answers `memory` requests from the parent after a GC. */
async function child(deflate: boolean): Promise<void> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: deflate });
  await once(server, 'listening');
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      socket.send(data, { binary: isBinary });
    });
  });
  process.on('message', (request: string) => {
    if (request !== 'memory') return;
    globalThis.gc?.();
    const { rss, external, heapUsed } = process.memoryUsage();
    process.send?.({ rss, external, heapUsed });
  });
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
}

async function ask<T>(process: ChildProcess, request: string | null): Promise<T> {
  const answer = once(process, 'message') as Promise<[T]>;
  if (request !== null) process.send(request);
  return (await answer)[0];
}

async function measure(deflate: boolean, connections: number): Promise<{ before: Memory; after: Memory; negotiated: string }> {
  const server = fork(fileURLToPath(import.meta.url), ['--child', deflate ? 'deflate' : 'plain'], { execArgv: ['--expose-gc'] });
  const { port } = await ask<{ port: number }>(server, null);
  const before = await ask<Memory>(server, 'memory');
  const sockets: WebSocket[] = [];
  let negotiated = '';
  for (let index = 0; index < connections; index += 1) {
    const socket = new WebSocket(`ws://127.0.0.1:${String(port)}/`, { perMessageDeflate: true });
    await once(socket, 'open');
    negotiated = socket.extensions;
    const echoed = once(socket, 'message');
    socket.send(MESSAGE);
    await echoed;
    sockets.push(socket);
  }
  const after = await ask<Memory>(server, 'memory');
  for (const socket of sockets) socket.terminate();
  server.kill();
  return { before, after, negotiated };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

async function main(): Promise<void> {
  const connections = Number(process.argv[2] ?? 500);
  if (!Number.isInteger(connections) || connections < 1 || connections > 5000) {
    throw new TypeError(`connections must be a whole number from 1 to 5000, got ${JSON.stringify(process.argv[2])}`);
  }
  const plain = await measure(false, connections);
  const deflate = await measure(true, connections);
  const perConnection = (run: typeof plain, field: keyof Memory): number => (run.after[field] - run.before[field]) / connections;
  console.log(`${String(connections)} connections, one 4 KiB message each way on each; server memory per connection:`);
  for (const [name, run] of [['without compression', plain], ['permessage-deflate', deflate]] as const) {
    console.log(`  ${name.padEnd(20)} RSS ${kib(perConnection(run, 'rss')).padStart(8)}  external ${kib(perConnection(run, 'external')).padStart(8)}  heap ${kib(perConnection(run, 'heapUsed')).padStart(8)}  (negotiated: ${run.negotiated === '' ? 'none' : run.negotiated})`);
  }
  console.log(`  compression adds about ${kib(perConnection(deflate, 'rss') - perConnection(plain, 'rss'))} of RSS per connection`);
}

if (process.argv[2] === '--child') await child(process.argv[3] === 'deflate');
else await main();
