/**
 * The reference for the echo benchmarks: a bare `ws` echo server, the
 * least any WebSocket echo on Node can do. Same Node, same `ws`, same
 * settings as the demo server where they matter (no compression, no client
 * tracking), and nothing else: no routing, counters, limits or log.
 *
 * `node bench/reference-echo.ts [--port 0]`
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const httpServer = createServer();
const webSockets = new WebSocketServer({ server: httpServer, perMessageDeflate: false, clientTracking: false, maxPayload: 64 * 1024 });
webSockets.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    socket.send(data, { binary: isBinary });
  });
});
httpServer.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`bare ws echo listening on http://127.0.0.1:${String((httpServer.address() as AddressInfo).port)}/`);
});
// Exit normally on SIGTERM, so `--cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
