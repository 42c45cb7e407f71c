import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatServerMessage } from '../../src/shared/protocol/heartbeat.ts';
import { closed, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';
import { openJsonClient, type JsonClient } from '../helpers/json-client.ts';
import { WebSocket } from 'ws';

type Client = JsonClient<HeartbeatServerMessage>;

/** Answers every application ping of the server, as a live client does. */
function answerPings(client: Client): void {
  client.socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as HeartbeatServerMessage;
    if (message.type === 'ping') client.socket.send(JSON.stringify({ type: 'pong', id: message.id, sent: message.sent }));
  });
}

describe('/ws/heartbeat', () => {
  let running: RunningServer;
  const open = (query = '', options = {}) => openJsonClient<HeartbeatServerMessage>(`${running.wsUrl}/ws/heartbeat${query}`, options);
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('refuses an interval, timeout or client name out of bounds with HTTP 400', async () => {
    const refusal = (query: string) => refusedHandshake(`${running.wsUrl}/ws/heartbeat?${query}`);
    expect(await refusal('interval=10')).toEqual({
      status: 400,
      body: 'query parameter interval must be an integer from 250 to 60000 (milliseconds), got 10\n',
    });
    expect((await refusal('timeout=999999')).body).toBe('query parameter timeout must be an integer from 250 to 60000 (milliseconds), got 999999\n');
    expect((await refusal('client=a%20b')).body).toBe('query parameter client must be 1–64 letters, digits, _ or -, got "a b"\n');
  });

  it('welcomes with its settings, the timeout close code and the topics', async () => {
    const client = await open('?interval=500&timeout=2000');
    await expect.poll(() => client.messages.length).toBeGreaterThan(0);
    expect(client.messages[0]).toEqual({
      type: 'welcome',
      intervalMs: 500,
      timeoutMs: 2000,
      closeCode: 4000,
      topics: [
        { name: 'temperature', unit: '°C' },
        { name: 'humidity', unit: '%' },
        { name: 'wind', unit: 'km/h' },
      ],
    });
    client.socket.close();
  });

  it('answers an application ping with a pong that echoes id and sent', async () => {
    const client = await open();
    client.socket.send(JSON.stringify({ type: 'ping', id: 41, sent: 1234.5 }));
    await expect.poll(() => client.ofType('pong')).toEqual([{ type: 'pong', id: 41, sent: 1234.5 }]);
    client.socket.close();
  });

  it('keeps a client that answers, and reports both round trips it measured', async () => {
    const client = await open('?interval=250&timeout=5000');
    answerPings(client);
    await expect.poll(() => client.ofType('rtt').filter((rtt) => rtt.kind === 'application').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await expect.poll(() => client.ofType('rtt').filter((rtt) => rtt.kind === 'protocol').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    for (const rtt of client.ofType('rtt')) {
      expect(rtt.rttMs).toBeGreaterThanOrEqual(0);
      expect(rtt.unknownPongs).toBe(0);
    }
    const pings = client.ofType('ping');
    expect(pings.map((ping) => ping.id)).toEqual(pings.map((_, index) => index + 1));
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.socket.close();
  });

  it('closes a client that stops answering application pings with 4000 within interval + timeout', async () => {
    const client = await open('?interval=300&timeout=700');
    const closing = closed(client.socket);
    const openedAt = performance.now();
    const { code, reason } = await closing;
    const elapsed = performance.now() - openedAt;
    expect(code).toBe(4000);
    expect(reason).toBe('heartbeat timeout: no pong to ping 1 within 700 ms');
    expect(elapsed).toBeGreaterThanOrEqual(700);
    // interval + timeout, plus room for a busy machine's timers.
    expect(elapsed).toBeLessThan(300 + 700 + 1500);
    await expect.poll(() => running.log.find((line) => line.includes(' close '))).toMatch(/4000 "heartbeat timeout: no pong to ping 1 within 700 ms" by server/);
  });

  it('closes a client that answers application pings but not protocol pings', async () => {
    const client = await open('?interval=250&timeout=600', { autoPong: false });
    answerPings(client);
    const { code, reason } = await closed(client.socket);
    expect(code).toBe(4000);
    expect(reason).toBe('heartbeat timeout: no pong to the protocol ping within 600 ms');
  });

  it('ignores and counts pongs with unknown ids', async () => {
    const client = await open('?interval=250&timeout=5000');
    client.socket.send(JSON.stringify({ type: 'pong', id: 999, sent: 0 }));
    client.socket.send(JSON.stringify({ type: 'pong', id: 998, sent: 0 }));
    answerPings(client);
    await expect.poll(() => client.ofType('rtt').at(-1)?.unknownPongs, { timeout: 10_000 }).toBe(2);
    expect(client.ofType('error')).toEqual([]);
    client.socket.close();
  });

  it('sends a topic\'s state on subscribe, then its updates, until unsubscribed', async () => {
    const client = await open('?interval=60000&timeout=60000');
    client.socket.send(JSON.stringify({ type: 'subscribe', topic: 'wind' }));
    await expect.poll(() => client.ofType('update').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const [subscribed] = client.ofType('subscribed');
    const updates = client.ofType('update');
    expect(subscribed).toMatchObject({ type: 'subscribed', topic: 'wind' });
    expect(updates[0]?.seq).toBe((subscribed?.seq ?? 0) + 1);
    expect(updates.map((update) => update.seq - (updates[0]?.seq ?? 0))).toEqual(updates.map((_, index) => index));
    expect(updates.every((update) => update.topic === 'wind' && typeof update.value === 'number')).toBe(true);
    client.socket.send(JSON.stringify({ type: 'unsubscribe', topic: 'wind' }));
    await expect.poll(() => client.ofType('unsubscribed')).toEqual([{ type: 'unsubscribed', topic: 'wind' }]);
    const countAfter = client.ofType('update').length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(client.ofType('update').length).toBe(countAfter);
    client.socket.close();
  });

  it('refuses an unknown topic with an error naming the topics, and stays up', async () => {
    const client = await open();
    client.socket.send(JSON.stringify({ type: 'subscribe', topic: 'rain' }));
    await expect.poll(() => client.ofType('error')).toEqual([
      { type: 'error', error: 'UNKNOWN_TOPIC', message: 'unknown topic: "rain"; expected one of temperature, humidity, wind' },
    ]);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.socket.close();
  });

  it('refuses binary messages with an error, and closes with 1008 a client that sends too fast', async () => {
    const client = await open('?interval=60000&timeout=60000');
    client.socket.send(Buffer.from([1, 2, 3]));
    await expect.poll(() => client.ofType('error')).toEqual([
      { type: 'error', error: 'BINARY_NOT_ACCEPTED', message: 'this endpoint accepts text messages only' },
    ]);
    const closing = closed(client.socket);
    for (let index = 0; index < 100; index++) client.socket.send(JSON.stringify({ type: 'ping', id: index, sent: 0 }));
    expect(await closing).toEqual({ code: 1008, reason: 'too many messages: more than 20 a second' });
  });

  it('refuses a freeze out of range with an error naming the range', async () => {
    const client = await open();
    client.socket.send(JSON.stringify({ type: 'freeze', seconds: 61 }));
    await expect.poll(() => client.ofType('error').map((error) => error.message)).toEqual([
      'message does not match the protocol: seconds: must be an integer from 1 to 60 (seconds), got 61',
    ]);
    client.socket.close();
  });

  it('freeze: the server stops reading, answering and sending, then carries on', async () => {
    const client = await open('?interval=250&timeout=5000');
    answerPings(client);
    client.socket.send(JSON.stringify({ type: 'subscribe', topic: 'temperature' }));
    await expect.poll(() => client.ofType('subscribed').length).toBe(1);
    client.socket.send(JSON.stringify({ type: 'freeze', seconds: 1 }));
    await expect.poll(() => client.ofType('frozen')).toEqual([{ type: 'frozen', seconds: 1 }]);
    const frozenIndex = client.messages.length;
    const pingSentAt = performance.now();
    client.socket.send(JSON.stringify({ type: 'ping', id: 1, sent: pingSentAt }));
    await expect.poll(() => client.ofType('pong').length, { timeout: 10_000 }).toBe(1);
    // Nothing came between "frozen" and "thawed"; the pong waited in the kernel for the thaw.
    expect(client.messages[frozenIndex]).toMatchObject({ type: 'thawed' });
    expect(performance.now() - pingSentAt).toBeGreaterThanOrEqual(900);
    // Timers may fire a millisecond early against the clock that measures them.
    expect(client.ofType('thawed')[0]?.frozenMs).toBeGreaterThanOrEqual(990);
    // Updates and pings resume.
    const thawedCount = client.messages.length;
    await expect.poll(() => client.messages.slice(thawedCount).some((message) => message.type === 'update'), { timeout: 10_000 }).toBe(true);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.socket.close();
  });

  it('freeze with ?client=: that client\'s new handshakes get HTTP 503 until the freeze ends', async () => {
    const client = await open('?client=lab-1');
    client.socket.send(JSON.stringify({ type: 'freeze', seconds: 2 }));
    await expect.poll(() => client.ofType('frozen').length).toBe(1);
    const refusal = await refusedHandshake(`${running.wsUrl}/ws/heartbeat?client=lab-1`);
    expect(refusal.status).toBe(503);
    expect(refusal.body).toMatch(/^the server is frozen for client lab-1 for another \d\.\d s\n$/);
    // Other clients are served meanwhile.
    const other = await open('?client=lab-2');
    other.socket.close();
    await expect
      .poll(
        async () => {
          try {
            const again = await open('?client=lab-1');
            again.socket.close();
            return 'open';
          } catch {
            return 'refused';
          }
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe('open');
    client.socket.terminate();
  });

  it('freeze from another address naming someone else\'s ?client= id does not freeze that client', async () => {
    // 127.0.0.2 is another loopback address: a second machine, as the server sees it.
    const intruder = new WebSocket(`${running.wsUrl}/ws/heartbeat?client=victim-1`, { localAddress: '127.0.0.2' });
    await once(intruder, 'open');
    intruder.send(JSON.stringify({ type: 'freeze', seconds: 5 }));
    await once(intruder, 'message');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The victim, on 127.0.0.1, still connects.
    const victim = await open('?client=victim-1');
    victim.socket.close();
    // The intruder froze only its own address's id.
    const refusal = await refusedHandshake(`${running.wsUrl}/ws/heartbeat?client=victim-1`, { localAddress: '127.0.0.2' });
    expect(refusal.status).toBe(503);
    intruder.terminate();
  });

  it('closes cleanly on shutdown while a connection is frozen', async () => {
    const own = await startServer({ closeTimeoutMs: 200 });
    const client = await openJsonClient<HeartbeatServerMessage>(`${own.wsUrl}/ws/heartbeat`);
    client.socket.send(JSON.stringify({ type: 'freeze', seconds: 60 }));
    await expect.poll(() => client.ofType('frozen').length).toBe(1);
    const closing = closed(client.socket);
    await own.close();
    expect((await closing).code).toBe(1001);
    expect(own.server.connections.size).toBe(0);
  });
});
