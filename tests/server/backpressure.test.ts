import { once } from 'node:events';
import type { Socket } from 'node:net';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  backpressureServerMessage,
  backpressureStatsMessage,
  type BackpressureData,
  type BackpressureEnded,
  type BackpressureFinished,
  type BackpressureHello,
  type BackpressureServerMessage,
  type BackpressureStats,
  type BackpressureStatsMessage,
} from '../../src/shared/protocol/backpressure.ts';
import { closed, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

/** A client that records every message from the first (the hello can arrive in the same chunk as the 101). */
interface Recorder<T> {
  readonly socket: WebSocket;
  readonly messages: T[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

function record<T>(url: string, schema: v.GenericSchema<unknown, T>): Recorder<T> {
  const socket = new WebSocket(url);
  const messages: T[] = [];
  socket.on('message', (data: Buffer) => {
    messages.push(v.parse(schema, JSON.parse(data.toString())));
  });
  return { socket, messages, closed: closed(socket) };
}

function ofType<T extends { type: string }, K extends T['type']>(messages: readonly T[], type: K): Extract<T, { type: K }>[] {
  return messages.filter((message): message is Extract<T, { type: K }> => message.type === type);
}

async function helloOf(recorder: Recorder<BackpressureServerMessage>): Promise<BackpressureHello> {
  await expect.poll(() => recorder.messages.length).toBeGreaterThan(0);
  const hello = recorder.messages[0];
  if (hello?.type !== 'hello') throw new Error(`first message was ${JSON.stringify(hello)}`);
  return hello;
}

/** A slow consumer: `workMs` per data message, then one credit back for it. */
function consumeWithCredit(socket: WebSocket, workMs: number): { processed: () => number } {
  let processed = 0;
  socket.on('message', (data: Buffer) => {
    if (!data.toString().startsWith('{"type":"data"')) return;
    setTimeout(() => {
      processed += 1;
      socket.send(JSON.stringify({ type: 'credit', credits: 1 }));
    }, workMs);
  });
  return { processed: () => processed };
}

/** Stops reading the socket: what the server sends piles up in the kernel buffers, then in the server. */
function stopReading(socket: WebSocket): void {
  (socket as unknown as { _socket: Socket })._socket.pause();
}

describe('/ws/backpressure', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('starts with a hello carrying the settings and an unguessable stats id, then streams numbered messages of exactly messageBytes', async () => {
    const client = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=200&messageBytes=300`, backpressureServerMessage);
    const hello = await helloOf(client);
    expect(hello).toMatchObject({ mode: 'naive', messagesPerSecond: 200, messageBytes: 300, pingIntervalMs: 1000, pongTimeoutMs: 10_000, maxBufferedBytes: 16 * 1024 * 1024 });
    expect(hello.statsId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(hello.serverTime - Date.now())).toBeLessThan(5_000);
    await expect.poll(() => ofType(client.messages, 'data').length).toBeGreaterThanOrEqual(20);
    const data = ofType(client.messages, 'data');
    expect(data.map((message) => message.seq)).toEqual(data.map((_, index) => index + 1));
    for (const message of data) {
      expect(Buffer.byteLength(JSON.stringify(message))).toBe(300);
      expect(message.dropped).toBe(0);
    }
    client.socket.close();
  });

  it('gives each connection its own stats id', async () => {
    const first = record(`${running.wsUrl}/ws/backpressure`, backpressureServerMessage);
    const second = record(`${running.wsUrl}/ws/backpressure`, backpressureServerMessage);
    expect((await helloOf(first)).statsId).not.toBe((await helloOf(second)).statsId);
    first.socket.close();
    second.socket.close();
  });

  it.each([
    ['messagesPerSecond=0', 'messagesPerSecond must be a whole number from 1 to 1000, got "0"'],
    ['messagesPerSecond=5000', 'messagesPerSecond must be a whole number from 1 to 1000, got "5000"'],
    ['messagesPerSecond=1.5', 'messagesPerSecond must be a whole number from 1 to 1000, got "1.5"'],
    ['messageBytes=100', 'messageBytes must be a whole number from 128 to 65536, got "100"'],
    ['messageBytes=abc', 'messageBytes must be a whole number from 128 to 65536, got "abc"'],
    ['mode=turbo', 'mode must be one of naive, credit, conflate, got "turbo"'],
    ['pingIntervalMs=150', 'pingIntervalMs must be 0 (off) or a whole number from 200 to 60000, got "150"'],
    ['pongTimeoutMs=500', 'pongTimeoutMs must be a whole number from 1000 to 120000, got "500"'],
    ['uploadBytesPerSecond=100', 'uploadBytesPerSecond must be 0 (off) or a whole number from 1024 to 8388608, got "100"'],
    ['messagesPerSecond=1000&messageBytes=65536', 'messagesPerSecond × messageBytes is 62.5 MiB/s; at most 8.0 MiB/s per connection'],
  ])('refuses %s with HTTP 400 and says what is allowed', async (query, message) => {
    const { status, body } = await refusedHandshake(`${running.wsUrl}/ws/backpressure?${query}`);
    expect(status).toBe(400);
    expect(body).toBe(`${message}\n`);
  });

  it('naive: drops a client that stops reading once a ping goes unanswered for pongTimeoutMs (1006), and says so on the stats channel', async () => {
    const client = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=200&messageBytes=16384&pingIntervalMs=200&pongTimeoutMs=1500`, backpressureServerMessage);
    const hello = await helloOf(client);
    stopReading(client.socket);
    const stats = record(`${running.wsUrl}/ws/backpressure/stats?id=${hello.statsId}&intervalMs=50`, backpressureStatsMessage);
    expect(await stats.closed).toEqual({ code: 1000, reason: 'data connection closed' });
    const samples = ofType(stats.messages, 'stats');
    const ended = ofType(stats.messages, 'ended')[0] as BackpressureEnded;
    expect(ended).toMatchObject({ cause: 'pong-timeout', closedBy: 'server', serverCloseCode: null, clientCloseCode: null, dropped: 0 });
    expect(ended.detail).toMatch(/^no pong for 1\.\d s \(\d+ pings unanswered\)$/);
    // Every message the server produced was sent; some never even left its buffer.
    expect(ended.sent).toBe(ended.produced);
    expect(ended.sent).toBeGreaterThan(100);
    expect(samples.some((sample) => sample.pingsUnanswered >= 2 && sample.oldestPingAgeMs > 0)).toBe(true);
    expect(samples.at(-1)?.state).toBe('closed');
    await expect.poll(() => running.log.find((line) => line.includes(' close '))).toMatch(/1006 \(terminated by server\).*\(no pong within 1500 ms\)/);
    client.socket.terminate();
  });

  it('naive without a heartbeat: the server-wide send-buffer cap cuts the client off with 1008 before memory runs away', async () => {
    const capped = await startServer({ maxBufferedBytes: 256 * 1024, closeTimeoutMs: 200 });
    try {
      const client = record(`${capped.wsUrl}/ws/backpressure?messagesPerSecond=400&messageBytes=16384&pingIntervalMs=0`, backpressureServerMessage);
      const hello = await helloOf(client);
      expect(hello.maxBufferedBytes).toBe(256 * 1024);
      stopReading(client.socket);
      const stats = record(`${capped.wsUrl}/ws/backpressure/stats?id=${hello.statsId}`, backpressureStatsMessage);
      await stats.closed;
      const ended = ofType(stats.messages, 'ended')[0] as BackpressureEnded;
      expect(ended).toMatchObject({ cause: 'send-buffer-full', closedBy: 'server', serverCloseCode: 1008 });
      expect(ended.detail).toMatch(/^send buffer full: client is not reading: .* queued, limit 256\.0 KiB$/);
      // Never more than the cap (plus the close frame) was held for this client.
      const peak = Math.max(...ofType(stats.messages, 'stats').map((sample) => sample.bufferedBytes));
      expect(peak).toBeLessThanOrEqual(256 * 1024 + 256);
      expect(ended.unsentMessages).toBeGreaterThan(0);
      client.socket.terminate();
    } finally {
      await capped.close();
    }
  });

  it('credit: sends nothing without credit, then only against credit, with no gaps; finish drains with nothing lost', async () => {
    const window = 4;
    const client = record(`${running.wsUrl}/ws/backpressure?mode=credit&messagesPerSecond=500&messageBytes=4096`, backpressureServerMessage);
    const hello = await helloOf(client);
    const stats = record(`${running.wsUrl}/ws/backpressure/stats?id=${hello.statsId}&intervalMs=50`, backpressureStatsMessage);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ofType(client.messages, 'data')).toEqual([]);
    const consumer = consumeWithCredit(client.socket, 10);
    client.socket.send(JSON.stringify({ type: 'credit', credits: window }));
    await expect.poll(consumer.processed).toBeGreaterThanOrEqual(60);
    client.socket.send(JSON.stringify({ type: 'finish' }));
    await expect.poll(() => ofType(client.messages, 'finished').length).toBe(1);
    const finished = ofType(client.messages, 'finished')[0] as BackpressureFinished;
    const data = ofType(client.messages, 'data');
    expect(finished.dropped).toBe(0);
    expect(finished.sent).toBe(finished.produced);
    expect(data.length).toBe(finished.sent);
    expect(data.map((message) => message.seq)).toEqual(data.map((_, index) => index + 1));
    await expect.poll(consumer.processed).toBe(finished.sent);
    // The server never held more than the window.
    const samples = ofType(stats.messages, 'stats');
    expect(Math.max(...samples.map((sample) => sample.bufferedBytes))).toBeLessThanOrEqual(window * 4100);
    expect(Math.max(...samples.map((sample) => sample.credits))).toBeLessThanOrEqual(window);
    client.socket.close(1000, 'done');
    const ended = ofType((await stats.closed, stats.messages), 'ended')[0];
    expect(ended).toMatchObject({ cause: 'client-closed', closedBy: 'client', clientCloseCode: 1000, detail: 'the client closed with 1000 "done"' });
  });

  it('conflate: a slow consumer gets the latest value; each message counts the superseded values, and the counts add up', async () => {
    const client = record(`${running.wsUrl}/ws/backpressure?mode=conflate&messagesPerSecond=200&messageBytes=256`, backpressureServerMessage);
    await helloOf(client);
    const consumer = consumeWithCredit(client.socket, 40);
    client.socket.send(JSON.stringify({ type: 'credit', credits: 1 }));
    await expect.poll(consumer.processed).toBeGreaterThanOrEqual(15);
    client.socket.send(JSON.stringify({ type: 'finish' }));
    await expect.poll(() => ofType(client.messages, 'finished').length).toBe(1);
    const finished = ofType(client.messages, 'finished')[0] as BackpressureFinished;
    const data: BackpressureData[] = ofType(client.messages, 'data');
    expect(finished.produced).toBe(finished.sent + finished.dropped);
    expect(finished.dropped).toBeGreaterThan(finished.sent);
    let previous = 0;
    for (const message of data) {
      expect(message.seq - previous - 1).toBe(message.dropped);
      previous = message.seq;
    }
    client.socket.close();
  });

  it('rejects bad credit with an error message and keeps the connection up', async () => {
    const client = record(`${running.wsUrl}/ws/backpressure?mode=credit&messagesPerSecond=1`, backpressureServerMessage);
    await helloOf(client);
    const send = (value: unknown) => client.socket.send(typeof value === 'string' ? value : JSON.stringify(value));
    send({ type: 'credit', credits: -5 });
    send({ type: 'credit', credits: 2.5 });
    send({ type: 'credit', credits: 1001 });
    send({ type: 'credit', credits: '10' });
    send({ type: 'credit', credits: 600 });
    send({ type: 'credit', credits: 600 });
    send({ type: 'subscribe' });
    send('not json');
    client.socket.send(Buffer.from([1, 2, 3]));
    await expect.poll(() => ofType(client.messages, 'error').length).toBe(8);
    // One credit may already have been spent on a message by the second grant.
    const errors = ofType(client.messages, 'error').map((error) => `${error.error}: ${error.message}`.replace('1199 would', '1200 would'));
    expect(errors).toEqual([
      'INVALID_MESSAGE: message does not match the protocol: credits: must be at least 1',
      'INVALID_MESSAGE: message does not match the protocol: credits: must be a whole number',
      'INVALID_MESSAGE: message does not match the protocol: credits: must be at most 1000 per message',
      'INVALID_MESSAGE: message does not match the protocol: credits: must be a number',
      'CREDIT_LIMIT: credit balance over the limit: 1200 would be outstanding, at most 1000',
      'UNKNOWN_TYPE: unknown message type: "subscribe"; expected one of credit, finish, upload',
      'INVALID_JSON: message is not valid JSON: Unexpected token \'o\', "not json" is not valid JSON',
      'BINARY_NOT_ACCEPTED: this endpoint accepts text messages only',
    ]);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it('reads uploads no faster than uploadBytesPerSecond, so the client\'s own bufferedAmount grows and drains', async () => {
    const rate = 4 * 1024 * 1024;
    const client = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=1&pingIntervalMs=0&uploadBytesPerSecond=${String(rate)}`, backpressureServerMessage);
    const { statsId } = await helloOf(client);
    const stats = record(`${running.wsUrl}/ws/backpressure/stats?id=${statsId}&intervalMs=50`, backpressureStatsMessage);
    await once(stats.socket, 'open');
    const upload = JSON.stringify({ type: 'upload', data: 'x'.repeat(60_000) });
    const total = 160 * upload.length;
    for (let index = 0; index < 160; index++) client.socket.send(upload);
    // The kernels take a few MiB; the rest waits in the client, where bufferedAmount shows it.
    expect(client.socket.bufferedAmount).toBeGreaterThan(1024 * 1024);
    await expect.poll(() => ofType(stats.messages, 'stats').at(-1)?.receivedBytes ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(total);
    expect(client.socket.bufferedAmount).toBe(0);
    // Never faster than the rate: one second of allowance plus the message being read.
    for (const sample of ofType(stats.messages, 'stats')) {
      expect(sample.receivedBytes).toBeLessThanOrEqual(rate * (sample.elapsedMs / 1000 + 1) + upload.length + 1024);
    }
    expect(ofType(client.messages, 'error')).toEqual([]);
    client.socket.close();
  });

  it('tells a naive client that credit does not apply', async () => {
    const client = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=1`, backpressureServerMessage);
    await helloOf(client);
    client.socket.send(JSON.stringify({ type: 'credit', credits: 5 }));
    await expect.poll(() => ofType(client.messages, 'error')[0]?.message).toBe(
      'credit applies only in credit and conflate modes: this connection is naive; open it with ?mode=credit or ?mode=conflate',
    );
    client.socket.close();
  });

  it('closes a client that keeps sending garbage with 1008', async () => {
    const client = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=1`, backpressureServerMessage);
    await helloOf(client);
    for (let index = 0; index < 40; index++) client.socket.send('garbage');
    expect(await client.closed).toEqual({ code: 1008, reason: 'too many invalid messages: more than 20 invalid messages' });
  });
});

describe('/ws/backpressure/stats', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it.each([
    ['', 400, 'id is required: pass the statsId from the hello message of /ws/backpressure'],
    ['?id=', 400, 'id is required: pass the statsId from the hello message of /ws/backpressure'],
    ['?id=12345', 400, 'id must be the statsId (a UUID) from the hello message of /ws/backpressure, got "12345"'],
    ['?id=00000000-0000-4000-8000-000000000000', 404, 'no /ws/backpressure connection has this stats id: it never existed, or ended more than 30 s ago'],
  ])('refuses %s with HTTP %i and a clear message', async (query, status, message) => {
    const refused = await refusedHandshake(`${running.wsUrl}/ws/backpressure/stats${query}`);
    expect(refused).toEqual({ status, body: `${message}\n` });
  });

  it('refuses an intervalMs out of range', async () => {
    const data = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=1`, backpressureServerMessage);
    const { statsId } = await helloOf(data);
    const refused = await refusedHandshake(`${running.wsUrl}/ws/backpressure/stats?id=${statsId}&intervalMs=10`);
    expect(refused).toEqual({ status: 400, body: 'intervalMs must be a whole number from 50 to 5000, got "10"\n' });
    data.socket.close();
  });

  it('streams stats while the data socket is jammed, allows at most four watchers, and accepts no messages', async () => {
    const data = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=200&messageBytes=16384&pongTimeoutMs=60000`, backpressureServerMessage);
    const { statsId } = await helloOf(data);
    stopReading(data.socket);
    const url = `${running.wsUrl}/ws/backpressure/stats?id=${statsId}&intervalMs=50`;
    const watchers = [1, 2, 3, 4].map(() => record(url, backpressureStatsMessage));
    await Promise.all(watchers.map((watcher) => once(watcher.socket, 'open')));
    expect(await refusedHandshake(url)).toEqual({ status: 409, body: 'this connection already has 4 stats sockets; close one first\n' });
    const [first] = watchers as [Recorder<BackpressureStatsMessage>];
    // The data socket is not being read, yet its server-side buffer keeps being reported as it grows.
    await expect.poll(() => ofType(first.messages, 'stats').at(-1)?.bufferedBytes ?? 0, { timeout: 15_000 }).toBeGreaterThan(1024 * 1024);
    const samples: BackpressureStats[] = ofType(first.messages, 'stats');
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.at(-1)?.pingsUnanswered).toBeGreaterThanOrEqual(1);
    first.socket.send('hello?');
    await expect.poll(() => ofType(first.messages, 'error')[0]?.message).toBe('the stats channel only sends; it accepts no messages');
    for (const watcher of watchers) watcher.socket.close();
    data.socket.terminate();
  });

  it('still gives the final account to a stats socket opened just after the data connection ended', async () => {
    const data = record(`${running.wsUrl}/ws/backpressure?messagesPerSecond=50`, backpressureServerMessage);
    const { statsId } = await helloOf(data);
    await expect.poll(() => data.messages.length).toBeGreaterThan(5);
    data.socket.close(4000, 'bye');
    await data.closed;
    const stats = record(`${running.wsUrl}/ws/backpressure/stats?id=${statsId}`, backpressureStatsMessage);
    expect(await stats.closed).toEqual({ code: 1000, reason: 'data connection closed' });
    expect(stats.messages.map((message) => message.type)).toEqual(['stats', 'ended']);
    expect(stats.messages[1]).toMatchObject({ cause: 'client-closed', clientCloseCode: 4000, closedBy: 'client' });
  });

  it('closes the data and stats sockets with 1001 when the server shuts down', async () => {
    const own = await startServer();
    const data = record(`${own.wsUrl}/ws/backpressure?messagesPerSecond=50`, backpressureServerMessage);
    const { statsId } = await helloOf(data);
    const stats = record(`${own.wsUrl}/ws/backpressure/stats?id=${statsId}`, backpressureStatsMessage);
    await once(stats.socket, 'open');
    await own.close();
    expect((await data.closed).code).toBe(1001);
    expect((await stats.closed).code).toBe(1001);
  });
});
