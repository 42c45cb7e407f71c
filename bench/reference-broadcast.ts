/**
 * The reference for the chat fan-out benchmark: a bare `ws` broadcast loop
 * that sends every member the same message the demo server's chat sends
 * (`{"type":"message","id","at","from","text"}`), serialized and encoded
 * once per message and written to each client in turn. It is the least a chat room
 * on `ws` can do: no names, rooms, history, rate limits, validation or
 * send-buffer cap.
 *
 * `node bench/reference-broadcast.ts [--port 0]`
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const httpServer = createServer();
const webSockets = new WebSocketServer({ server: httpServer, perMessageDeflate: false, maxPayload: 64 * 1024 });
let nextId = 1;
webSockets.on('connection', (socket) => {
  socket.on('message', (data: Buffer) => {
    const { text } = JSON.parse(data.toString()) as { text: string };
    // Encoded once, written to every client as a text frame: the fastest loop ws allows.
    const wire = Buffer.from(JSON.stringify({ type: 'message', id: nextId++, at: Date.now(), from: 'publisher', text }));
    for (const client of webSockets.clients) client.send(wire, { binary: false });
  });
});
httpServer.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`bare ws broadcast listening on http://127.0.0.1:${String((httpServer.address() as AddressInfo).port)}/`);
});
// Exit normally on SIGTERM, so `--cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
