import { once } from 'node:events';
import type { Socket } from 'node:net';
import { platform } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeFrame, OPCODES } from '../../src/shared/frame-codec.ts';
import { closed, startServer, type RunningServer } from '../helpers/demo-server.ts';
import { RawWebSocketClient } from '../../grader/raw-client.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const MiB = 1024 * 1024;

/** The TCP socket under a `ws` client, to stop and resume reading. */
function tcpOf(client: WebSocket): Socket {
  return (client as unknown as { _socket: Socket })._socket;
}

/** `count` masked two-byte text frames back to back, as one buffer. */
function tinyFrames(count: number): Buffer {
  const frame = encodeFrame({ opcode: OPCODES.text, payload: new TextEncoder().encode('hi'), maskingKey: new Uint8Array([1, 2, 3, 4]) });
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

/**
 * Writes `total` tiny frames in batches, waiting for 'drain' between them,
 * and stops when the server has stopped reading (no drain for `stallMs`) or
 * after `maxMs`. Resolves with the number of frames written.
 */
async function flood(client: RawWebSocketClient, total: number, stallMs: number, maxMs: number): Promise<number> {
  const batchFrames = 8_192;
  const batch = tinyFrames(batchFrames);
  const stopAt = Date.now() + maxMs;
  let written = 0;
  while (written < total && Date.now() < stopAt) {
    written += batchFrames;
    if (!client.socket.write(batch)) {
      const drained = await Promise.race([
        once(client.socket, 'drain').then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), stallMs)),
      ]);
      if (!drained) break;
    }
  }
  return written;
}

describe.runIf(platform() === 'linux')('memory bound: one client flooding tiny messages without reading (server in its own process)', () => {
  let server: ServerProcess;
  beforeEach(async () => {
    // A small heap: before the fix 1,000,000 queued echoes took ~215 MiB and such a heap ran out.
    server = await startServerProcess(['--quiet'], ['--max-old-space-size=256']);
  });
  afterEach(async () => {
    await server.stop();
  });

  it('stops reading the flooder once its queue passes the high-water mark, so RSS grows by tens of MiB at most and the server keeps serving', { timeout: 60_000 }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const baseline = await server.rssBytes();
    let peak = baseline;
    const sampler = setInterval(() => {
      server.rssBytes().then((rss) => {
        peak = Math.max(peak, rss);
      }, () => undefined);
    }, 50);
    const flooder = await RawWebSocketClient.connect(`${server.wsUrl}/ws/echo`);
    // Never read a byte of the echoes.
    flooder.socket.pause();
    const written = await flood(flooder, 1_000_000, 2_000, 20_000);
    clearInterval(sampler);
    peak = Math.max(peak, await server.rssBytes());
    const report = `wrote ${String(written)} frames; RSS ${String(Math.round(baseline / MiB))} MiB → peak ${String(Math.round(peak / MiB))} MiB`;
    expect(written, report).toBeGreaterThan(0);
    expect(peak - baseline, report).toBeLessThan(80 * MiB);
    // Still alive, still serving others.
    const other = new WebSocket(`${server.wsUrl}/ws/echo`);
    await once(other, 'open');
    other.send('still here');
    const [echo] = (await once(other, 'message')) as [Buffer];
    expect(echo.toString()).toBe('still here');
    other.close();
    const health = (await (await fetch(`${server.httpUrl}/healthz`)).json()) as { bufferedBytes: number };
    expect(health.bufferedBytes, report).toBeLessThanOrEqual(8 * MiB);
    expect(server.hasExited()).toBe(false);
    flooder.close();
  });
});

describe('Connection.send: a message costs its bytes plus MESSAGE_OVERHEAD_BYTES', () => {
  it('counts 1,000 queued two-byte messages as about 260 KiB, not 4 KB, and cuts the client off at the cap in real cost', async () => {
    const running = await startServer({ maxBufferedBytes: 64 * 1024, closeTimeoutMs: 200 });
    try {
      const client = new WebSocket(`${running.wsUrl}/ws/echo`);
      const closing = closed(client);
      await once(client, 'open');
      await expect.poll(() => running.server.connections.size).toBe(1);
      const [connection] = [...running.server.connections];
      if (connection === undefined) throw new Error('no connection');
      // Hold every write in the server's own buffers, as a full socket would.
      const tcp = (connection.socket as unknown as { _socket: import('node:net').Socket })._socket;
      tcp.cork();
      let sent = 0;
      while (sent < 1_000 && connection.send('hi')) sent += 1;
      tcp.uncork();
      // 64 KiB / (4 + 256) ≈ 250 messages; counted as payload only, 16,384 would have fitted.
      expect(sent).toBeGreaterThan(200);
      expect(sent).toBeLessThan(260);
      expect((await closing).code).toBe(1008);
      await expect.poll(() => running.log.find((line) => line.includes(' close '))).toMatch(/1008 "send buffer full: client is not reading: .* queued, limit 64\.0 KiB" by server/);
    } finally {
      await running.close();
    }
  });
});

describe('server-wide send budget', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer({ maxBufferedBytes: 1 * MiB, maxTotalBufferedBytes: 2 * MiB, closeTimeoutMs: 200 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('drops the client holding the most once the total would pass --max-total-buffered-bytes; the total never passes it', { timeout: 30_000 }, async () => {
    const url = `${running.wsUrl}/ws/backpressure?messagesPerSecond=500&messageBytes=16384`;
    const clients: WebSocket[] = [];
    const closes: Promise<{ code: number; reason: string }>[] = [];
    for (let index = 0; index < 6; index++) {
      const client = new WebSocket(url);
      await once(client, 'message');
      tcpOf(client).pause();
      clients.push(client);
      closes.push(closed(client));
    }
    let peakTotal = 0;
    await expect
      .poll(
        () => {
          const total = [...running.server.connections].reduce((sum, connection) => sum + connection.queuedBytes, 0);
          peakTotal = Math.max(peakTotal, total);
          return running.log.filter((line) => line.includes('server-wide send budget')).length;
        },
        { timeout: 20_000, interval: 20 },
      )
      .toBeGreaterThanOrEqual(2);
    expect(peakTotal).toBeLessThanOrEqual(2 * MiB);
    // Shed clients are dropped at once: no close frame can pass what is queued for a client that does not read.
    expect(running.log.find((line) => line.includes('server-wide send budget'))).toMatch(/1006 \(terminated by server\).*server-wide send budget of 2097152 bytes reached/);
    // Every client ends, shed by the budget or cut off at its own cap; then the log and /healthz agree.
    await expect.poll(() => running.server.connections.size, { timeout: 20_000 }).toBe(0);
    const shedLines = running.log.filter((line) => line.includes('server-wide send budget'));
    const health = (await (await fetch(`${running.httpUrl}/healthz`)).json()) as { shedConnections: number; bufferedBytes: number };
    expect(health.shedConnections).toBe(shedLines.length);
    expect(health.bufferedBytes).toBeLessThanOrEqual(2 * MiB);
    // A shed client, once it reads again, gets what was already in the kernel's buffers and then the end of
    // the TCP connection with no close frame: it reports 1006, as the README and --help say.
    const shedPorts = new Set(shedLines.map((line) => Number(/127\.0\.0\.1:(\d+) /.exec(line)?.[1])));
    const shed = clients.filter((client) => shedPorts.has(tcpOf(client).localPort ?? -1));
    expect(shed.length).toBe(shedLines.length);
    for (const client of shed) tcpOf(client).resume();
    for (const [index, client] of clients.entries()) {
      if (shed.includes(client)) expect(await closes[index]).toEqual({ code: 1006, reason: '' });
    }
    for (const client of clients) client.terminate();
    await Promise.all(closes);
  });
});
