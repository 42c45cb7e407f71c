import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openClient, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

/** Writes `request` on a new TCP connection and resolves with everything the server sent until it closed (at most `maxMs`). */
async function rawExchange(port: number, request: string, maxMs = 5_000, untilHead = false): Promise<{ text: string; closedWithinMs: boolean }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    if (untilHead && text.includes('\r\n\r\n')) socket.destroy();
  });
  socket.on('error', () => undefined);
  if (request !== '') socket.write(request);
  const closedWithinMs = await Promise.race([once(socket, 'close').then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), maxMs))]);
  socket.destroy();
  return { text, closedWithinMs };
}

function handshakeRequest(port: number, { host = `127.0.0.1:${String(port)}`, version = '1.1', path = '/ws/echo' } = {}): string {
  return (
    `GET ${path} HTTP/${version}\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
  );
}

let running: RunningServer | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

describe('per-address limits', () => {
  it('refuses a connection over maxConnectionsPerAddress with 503, and accepts again once one closes', async () => {
    running = await startServer({ maxConnectionsPerAddress: 3 });
    const clients = [await openClient(`${running.wsUrl}/ws/echo`), await openClient(`${running.wsUrl}/ws/echo`), await openClient(`${running.wsUrl}/ws/echo`)];
    const refused = await refusedHandshake(`${running.wsUrl}/ws/echo`);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatch(/^127\.0\.0\.1 already has 3 WebSocket connections open; a class behind one address can raise it with --max-connections-per-address/);
    clients[0]?.close();
    await expect.poll(() => running?.server.connections.size).toBe(2);
    const again = await openClient(`${running.wsUrl}/ws/echo`);
    for (const client of [...clients, again]) client.terminate();
  });

  it('answers handshakes over the per-address rate with 429 and Retry-After', async () => {
    running = await startServer({ handshakesPerSecondPerAddress: 1, handshakeBurstPerAddress: 5 });
    const statuses: number[] = [];
    let last = '';
    for (let index = 0; index < 8; index++) {
      const { text } = await rawExchange(running.port, handshakeRequest(running.port), 2_000, true);
      statuses.push(Number(text.slice(9, 12)));
      last = text;
    }
    expect(statuses).toEqual([101, 101, 101, 101, 101, 429, 429, 429]);
    expect(last).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(last).toMatch(/\r\nRetry-After: 1\r\n/);
  });
});

describe('timeouts', () => {
  it('closes a slowloris page request, a slowloris handshake and a silent connection after headersTimeoutMs, not Node\'s ~85 s', { timeout: 20_000 }, async () => {
    running = await startServer({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const port = running.port;
    const trickle = async (start: string): Promise<boolean> => {
      const socket: Socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      // Read, so the server's FIN is seen.
      socket.resume();
      await once(socket, 'connect');
      socket.write(start);
      const timer = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
      const closedIn = await Promise.race([once(socket, 'close').then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 6_000))]);
      clearInterval(timer);
      socket.destroy();
      return closedIn;
    };
    const [page, handshake, silent] = await Promise.all([
      trickle(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\n`),
      trickle(handshakeRequest(port).replace(/\r\n\r\n$/, '\r\n')),
      rawExchange(port, '', 6_000).then((result) => result.closedWithinMs),
    ]);
    expect({ page, handshake, silent }).toEqual({ page: true, handshake: true, silent: true });
  });
});

describe('Host check (DNS rebinding) and HTTP version', () => {
  it('answers 421 to a page request and a handshake whose Host is not this server, even with a matching Origin', async () => {
    running = await startServer();
    const host = `rebind.example:${String(running.port)}`;
    const page = await rawExchange(running.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(page.text).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
    const handshake = await rawExchange(running.port, handshakeRequest(running.port, { host }).replace('\r\n\r\n', `\r\nOrigin: http://${host}\r\n\r\n`));
    expect(handshake.text).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
    expect(handshake.text).toContain('this server does not answer to the host "rebind.example:');
    // Loopback names still work, and --allowed-hosts adds a name.
    const local = await rawExchange(running.port, handshakeRequest(running.port, { host: `localhost:${String(running.port)}` }), 500);
    expect(local.text).toMatch(/^HTTP\/1\.1 101 /);
    await running.close();
    running = await startServer({ allowedHosts: ['class.example'] });
    const named = await rawExchange(running.port, handshakeRequest(running.port, { host: `class.example:${String(running.port)}` }), 500);
    expect(named.text).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('refuses an HTTP/1.0 upgrade with 400 (RFC 6455 §4.2.1)', async () => {
    running = await startServer();
    const { text } = await rawExchange(running.port, handshakeRequest(running.port, { version: '1.0' }));
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toContain('a WebSocket handshake needs HTTP/1.1 or later, got HTTP/1.0');
    // A normal client is unaffected.
    const client = new WebSocket(`${running.wsUrl}/ws/echo`);
    await once(client, 'open');
    client.terminate();
  });
});
