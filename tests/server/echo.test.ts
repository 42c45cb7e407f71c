import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closed, nextMessage, openClient, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('/ws/echo', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer({ maxMessageBytes: 1024 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('echoes a text message as text', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    client.send('héllo, wörld');
    const { data, isBinary } = await nextMessage(client);
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe('héllo, wörld');
    client.close();
  });

  it('echoes binary byte for byte, including bytes that are not UTF-8', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    const payload = Buffer.from('00ff80fe48656c6c6f', 'hex');
    client.send(payload);
    const { data, isBinary } = await nextMessage(client);
    expect(isBinary).toBe(true);
    expect(data.equals(payload)).toBe(true);
    client.close();
  });

  it('echoes messages in the order they were sent', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    const received: string[] = [];
    const all = new Promise<void>((resolve) => {
      client.on('message', (data: Buffer) => {
        received.push(data.toString());
        if (received.length === 50) resolve();
      });
    });
    for (let index = 0; index < 50; index++) client.send(`message ${String(index)}`);
    await all;
    expect(received).toEqual(Array.from({ length: 50 }, (_, index) => `message ${String(index)}`));
    client.close();
  });

  it('accepts a message of exactly maxMessageBytes', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    client.send(Buffer.alloc(1024, 7));
    const { data } = await nextMessage(client);
    expect(data.byteLength).toBe(1024);
    client.close();
  });

  it('closes with 1009 when a message is over maxMessageBytes, and keeps serving others', async () => {
    const bystander = await openClient(`${running.wsUrl}/ws/echo`);
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    const closing = closed(client);
    client.send(Buffer.alloc(1025));
    expect((await closing).code).toBe(1009);
    bystander.send('still here');
    expect((await nextMessage(bystander)).data.toString()).toBe('still here');
    bystander.close();
    await expect.poll(() => running.log.find((line) => line.includes('1009'))).toMatch(/1009 by server, no close frame back .*\(Max payload size exceeded\)/);

  });

  it('logs one line when a connection opens and one when it closes, with code, reason and traffic', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    client.send('abc');
    await nextMessage(client);
    const closing = closed(client);
    client.close(1000, 'done');
    await closing;
    await expect.poll(() => running.log.filter((line) => line.includes('close')).length).toBe(1);
    expect(running.log.find((line) => line.includes(' open '))).toMatch(/open\s+#\d+ \/ws\/echo\s+127\.0\.0\.1:\d+/);
    expect(running.log.find((line) => line.includes(' close '))).toMatch(
      /close\s+#\d+ \/ws\/echo\s+127\.0\.0\.1:\d+\s+1000 "done" by client\s+\S+ m?s\s+in 1 msg\/3 B\s+out 1 msg\/3 B/,
    );
  });
});

describe('handshake checks', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer({ allowedOrigins: ['http://school.example:4321'] });
  });
  afterEach(async () => {
    await running.close();
  });

  it('refuses a foreign Origin with HTTP 403 and says how to allow it', async () => {
    const { status, body } = await refusedHandshake(`${running.wsUrl}/ws/echo`, { origin: 'http://evil.example' });
    expect(status).toBe(403);
    expect(body).toBe('origin http://evil.example is not allowed; start the server with --allowed-origins to allow it\n');
    expect(running.log.some((line) => line.includes('refuse') && line.includes('403'))).toBe(true);
  });

  it('allows loopback origins, the same origin, and configured origins', async () => {
    for (const origin of ['http://localhost:4321', 'http://127.0.0.1:9999', running.httpUrl, 'http://school.example:4321']) {
      const client = await openClient(`${running.wsUrl}/ws/echo`, { origin });
      client.close();
    }
  });

  it('allows clients that send no Origin (non-browser clients)', async () => {
    const client = await openClient(`${running.wsUrl}/ws/echo`);
    client.close();
  });

  it('answers an unknown /ws/ path with HTTP 404', async () => {
    const { status, body } = await refusedHandshake(`${running.wsUrl}/ws/nope`);
    expect(status).toBe(404);
    expect(body).toBe('no WebSocket endpoint at /ws/nope\n');
  });

  it('answers an upgrade outside /ws/ with HTTP 404', async () => {
    const { status } = await refusedHandshake(`${running.wsUrl}/echo`);
    expect(status).toBe(404);
  });

  it('refuses connections over maxConnections with HTTP 503', async () => {
    const limited = await startServer({ maxConnections: 1 });
    try {
      const first = await openClient(`${limited.wsUrl}/ws/echo`);
      const { status, body } = await refusedHandshake(`${limited.wsUrl}/ws/echo`);
      expect(status).toBe(503);
      expect(body).toBe('connection limit reached (1)\n');
      first.close();
    } finally {
      await limited.close();
    }
  });
});

describe('per-client send-buffer cap', () => {
  it('stops reading a client that sends without reading once its queue passes the high-water mark, instead of queueing without end', async () => {
    const running = await startServer({ maxMessageBytes: 64 * 1024, maxBufferedBytes: 256 * 1024, closeTimeoutMs: 200 });
    try {
      const client = await openClient(`${running.wsUrl}/ws/echo`);
      // Stop reading: the echoes pile up in the kernel buffers, then in the server's.
      const tcp = (client as unknown as { _socket: import('node:net').Socket })._socket;
      tcp.pause();
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (let index = 0; index < 1_000 && client.readyState === client.OPEN; index++) {
        client.send(chunk);
        if (index % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await expect.poll(() => [...running.server.connections][0]?.readingPaused, { timeout: 10_000 }).toBe(true);
      const [connection] = [...running.server.connections];
      // The server holds at most the cap; the rest waits in TCP, on the client's side.
      expect(connection?.queuedBytes).toBeLessThanOrEqual(256 * 1024);
      expect(client.bufferedAmount).toBeGreaterThan(0);
      client.terminate();
    } finally {
      await running.close();
    }
  });
});
