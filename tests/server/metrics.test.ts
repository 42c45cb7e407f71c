import { once } from 'node:events';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ChatConnection } from '../../client/chat-connection.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';
import { closed, nextMessage, openClient, startServer, type RunningServer } from '../helpers/demo-server.ts';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { routeFactories } from '../../demo-server/routes/index.ts';
import { METRIC_DOCS } from '../../demo-server/core/metric-docs.ts';

/** This machine's LAN address in the test container, used as a client's source address to look like another machine. */
function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;
}
interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** GET `path` with `headers`, from `localAddress` when given. */
function get(running: RunningServer, path: string, headers: Record<string, string> = {}, localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: running.port, path, headers, ...(localAddress === undefined ? {} : { localAddress }) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function scrape(running: RunningServer) {
  const answer = await get(running, '/metrics');
  expect(answer.status).toBe(200);
  return parsePrometheusText(answer.body);
}

describe('GET /metrics', () => {
  let running: RunningServer;
  afterEach(async () => {
    await running.close();
  });

  it('counts connections, messages and bytes by route pattern, closes by code and who closed, and chat broker calls, in the text format', async () => {
    running = await startServer({ maxMessageBytes: 1024 });
    const answer = await get(running, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const before = parsePrometheusText(answer.body);
    // Every endpoint has its series from the start, at zero, so a rate() has a baseline.
    for (const { doc } of routeFactories) {
      expect(sampleValue(before, 'socketbook_connections', { endpoint: doc.path })).toBe(0);
      expect(sampleValue(before, 'socketbook_messages_received_total', { endpoint: doc.path })).toBe(0);
    }
    // Each metric as the reference page lists it (METRIC_DOCS): its type and help text.
    for (const doc of Object.values(METRIC_DOCS)) {
      expect({ name: doc.name, type: before.get(doc.name)?.type, help: before.get(doc.name)?.help }).toEqual({ name: doc.name, type: doc.type, help: doc.help });
    }

    // Two echo clients: 3 messages and a close by the client with 1000 and 4001; one sends too much and is closed with 1009.
    const first = await openClient(`${running.wsUrl}/ws/echo`);
    const second = await openClient(`${running.wsUrl}/ws/echo`);
    const third = await openClient(`${running.wsUrl}/ws/echo`);
    for (const text of ['one', 'two']) {
      first.send(text);
      await nextMessage(first);
    }
    second.send('three!');
    await nextMessage(second);
    const chat = await ChatConnection.open(chatUrl(running.wsUrl, 'metrics-room'));
    await chat.next('welcome');
    chat.send({ type: 'say', text: 'hello', clientId: 'm1' });
    await chat.next('ack');

    const open = await scrape(running);
    expect(sampleValue(open, 'socketbook_connections', { endpoint: '/ws/echo' })).toBe(3);
    expect(sampleValue(open, 'socketbook_connections', { endpoint: '/ws/chat/:room' })).toBe(1);
    expect(open.get('socketbook_connections')?.samples.some((sample) => sample.labels.endpoint === '/ws/chat/metrics-room')).toBe(false);
    expect(sampleValue(open, 'socketbook_messages_received_total', { endpoint: '/ws/echo' })).toBe(3);
    expect(sampleValue(open, 'socketbook_messages_sent_total', { endpoint: '/ws/echo' })).toBe(3);
    expect(sampleValue(open, 'socketbook_received_bytes_total', { endpoint: '/ws/echo' })).toBe(12);
    expect(sampleValue(open, 'socketbook_chat_broker_seconds_count', { broker: 'memory', operation: 'join' })).toBe(1);
    expect(sampleValue(open, 'socketbook_chat_broker_seconds_count', { broker: 'memory', operation: 'say' })).toBe(1);
    expect(sampleValue(open, 'socketbook_chat_broker_seconds_bucket', { broker: 'memory', operation: 'say', le: '+Inf' })).toBe(1);

    let closing = closed(first);
    first.close(1000, 'done');
    await closing;
    closing = closed(second);
    second.close(4001, 'mine');
    await closing;
    closing = closed(third);
    third.send('x'.repeat(2000));
    expect((await closing).code).toBe(1009);
    await expect.poll(() => running.server.connections.size).toBe(1);

    const after = await scrape(running);
    expect(sampleValue(after, 'socketbook_connections', { endpoint: '/ws/echo' })).toBe(0);
    // The counts of closed connections stay in the counters.
    expect(sampleValue(after, 'socketbook_messages_received_total', { endpoint: '/ws/echo' })).toBe(3);
    expect(sampleValue(after, 'socketbook_sent_bytes_total', { endpoint: '/ws/echo' })).toBe(12);
    expect(sampleValue(after, 'socketbook_closes_total', { endpoint: '/ws/echo', code: '1000', by: 'client' })).toBe(1);
    // A client's own code of 4000–4999 is counted by range: clients cannot make new series.
    expect(sampleValue(after, 'socketbook_closes_total', { endpoint: '/ws/echo', code: '4000-4999', by: 'client' })).toBe(1);
    expect(sampleValue(after, 'socketbook_closes_total', { endpoint: '/ws/echo', code: '1009', by: 'server' })).toBe(1);
    expect(after.get('socketbook_closes_total')?.samples).toHaveLength(3);

    const health = JSON.parse((await get(running, '/healthz')).body) as { bufferedBytes: number; maxTotalBufferedBytes: number };
    expect(sampleValue(after, 'socketbook_buffered_bytes')).toBe(health.bufferedBytes);
    expect(sampleValue(after, 'socketbook_buffered_bytes_limit')).toBe(health.maxTotalBufferedBytes);
    expect(sampleValue(after, 'socketbook_shed_connections_total')).toBe(0);
    // The process's own metrics: memory, and the file descriptors a connection costs.
    expect(sampleValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(after, 'process_open_fds')).toBeGreaterThan(0);
    await chat.close();
  });

  it('reports the bytes queued for a client that does not read, as the send budget counts them', async () => {
    running = await startServer();
    const reader = new WebSocket(`${running.wsUrl}/ws/backpressure?messagesPerSecond=500&messageBytes=16384`);
    await once(reader, 'message');
    // Stop reading the TCP socket: what the server sends piles up in its queue for this client.
    (reader as unknown as { _socket: Socket })._socket.pause();
    await expect.poll(async () => sampleValue(await scrape(running), 'socketbook_buffered_bytes'), { timeout: 10_000 }).toBeGreaterThan(256 * 1024);
    const queued = [...running.server.connections].reduce((sum, connection) => sum + connection.queuedBytes, 0);
    expect(queued).toBeGreaterThan(256 * 1024);
    reader.terminate();
    await expect.poll(async () => sampleValue(await scrape(running), 'socketbook_buffered_bytes')).toBe(0);
  });

  it('answers only this machine: another address and a forwarded request get 403 saying why, unless metricsOnLan', async () => {
    running = await startServer();
    const address = lanAddress();
    expect(address, 'the test needs a non-loopback IPv4 address on this machine').toBeDefined();
    const fromLan = await get(running, '/metrics', {}, address);
    expect(fromLan).toEqual({
      status: 403,
      contentType: 'text/plain; charset=utf-8',
      body: `/metrics answers only this machine (your address is ${String(address)}); start the server with --metrics-on-lan to let other machines read it\n`,
    });
    const forwarded = await get(running, '/metrics', { 'x-forwarded-for': '192.0.2.77' });
    expect(forwarded.status).toBe(403);
    expect(forwarded.body).toBe(
      '/metrics answers only this machine, and this request came through a proxy (it has a Forwarded or X-Forwarded-For header): scrape each instance on its own port, or start it with --metrics-on-lan\n',
    );
    await running.close();

    running = await startServer({ metricsOnLan: true });
    const open = await get(running, '/metrics', {}, address);
    expect(open.status).toBe(200);
    expect(sampleValue(parsePrometheusText(open.body), 'socketbook_connections', { endpoint: '/ws/echo' })).toBe(0);
  });
});
