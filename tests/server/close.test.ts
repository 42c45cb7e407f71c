import { once } from 'node:events';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloseReport } from '../../src/shared/protocol/close.ts';
import { closed, nextJson, openClient, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

interface Observer {
  readonly socket: WebSocket;
  readonly id: string;
  readonly hello: Record<string, unknown>;
  /** Resolves with the report for `run`, whenever it arrives. */
  report(run: string): Promise<CloseReport>;
}

async function openObserver(wsUrl: string): Promise<Observer> {
  // Listen before the handshake completes: the hello can arrive with the 101 response.
  const socket = new WebSocket(`${wsUrl}/ws/close/observe`);
  const reports = new Map<string, CloseReport>();
  const waiting = new Map<string, (report: CloseReport) => void>();
  const hello = new Promise<Record<string, unknown>>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; run: string; report: CloseReport };
      if (message.type === 'observer') resolve(message);
      if (message.type !== 'report') return;
      reports.set(message.run, message.report);
      waiting.get(message.run)?.(message.report);
    });
  });
  const helloMessage = await hello;
  return {
    socket,
    id: String(helloMessage.observerId),
    hello: helloMessage,
    report: (run) => {
      const known = reports.get(run);
      return known === undefined ? new Promise((resolve) => waiting.set(run, resolve)) : Promise.resolve(known);
    },
  };
}

/** Opens `/ws/close?…` and resolves with the close the client saw. */
async function closeWith(wsUrl: string, query: string): Promise<{ code: number; reason: string; messages: unknown[] }> {
  const socket = new WebSocket(`${wsUrl}/ws/close?${query}`);
  const messages: unknown[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString())));
  socket.on('error', () => undefined);
  const [code, reason] = await new Promise<[number, Buffer]>((resolve) => {
    socket.on('close', (...args: [number, Buffer]) => resolve(args));
  });
  return { code, reason: reason.toString(), messages };
}

function closeLine(running: RunningServer): string | undefined {
  return running.log.find((line) => line.includes(' close ') && line.includes('/ws/close '));
}

describe('/ws/close', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer({ maxMessageBytes: 1024, closeTimeoutMs: 500 });
  });
  afterEach(async () => {
    await running.close();
  });

  it('closes with the code and reason asked for in the query string, after saying so', async () => {
    const { code, reason, messages } = await closeWith(running.wsUrl, 'code=4401&reason=token%20expired');
    expect({ code, reason }).toEqual({ code: 4401, reason: 'token expired' });
    expect(messages).toEqual([{ type: 'scheduled', action: 'close', code: 4401, reason: 'token expired', afterMs: 0 }]);
    await expect.poll(() => closeLine(running)).toMatch(/\/ws\/close\s+127\.0\.0\.1:\d+\s+4401 "token expired" by server\s/);
  });

  it('closes with every code the protocol lets a server send', async () => {
    for (const expected of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999]) {
      const { code } = await closeWith(running.wsUrl, `code=${String(expected)}`);
      expect(code).toBe(expected);
    }
  });

  it('acts after afterMs, and says so first', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/close?code=1012&afterMs=200`);
    const closing = closed(client);
    const [scheduled] = (await once(client, 'message')) as [Buffer];
    expect(JSON.parse(scheduled.toString())).toEqual({ type: 'scheduled', action: 'close', code: 1012, reason: '', afterMs: 200 });
    expect(client.readyState).toBe(client.OPEN);
    expect((await closing).code).toBe(1012);
  });

  it('refuses codes that may not be sent, and bad parameters, with HTTP 400 naming the problem', async () => {
    const cases: [string, string][] = [
      ['code=1005', 'close code 1005 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)'],
      ['code=1006', 'close code 1006 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)'],
      ['code=1004', 'close code 1004 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)'],
      ['code=1015', 'close code 1015 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)'],
      ['code=999', 'close code 999 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)'],
      ['code=5000', 'close code 5000 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)'],
      ['code=abc', 'code must be a whole number, got "abc"'],
      [`code=1000&reason=${'%C3%A9'.repeat(62)}`, 'close reason is 124 bytes of UTF-8; at most 123 fit in a close frame'],
      ['action=explode', 'action must be one of close, no-status, drop, invalid-utf8, masked-frame, reserved-opcode, wait; got "explode"'],
      ['action=drop&code=1000', 'code and reason apply only to action close, not drop'],
      ['code=1000&afterMs=10001', 'afterMs must be an integer from 0 to 10000 (milliseconds), got 10001'],
      ['code=1000&afterMs=soon', 'afterMs must be an integer from 0 to 10000 (milliseconds), got "soon"'],
      ['afterMs=100', 'afterMs applies only to actions the server performs, not wait'],
      ['code=1000&after=500', 'unknown query parameter "after"; /ws/close takes action, code, reason, afterMs, observer, run'],
      ['run=abc', 'run needs observer: open /ws/close/observe first and pass the observerId it sends'],
      ['observer=nope&run=abc', 'no observer "nope" is connected: open /ws/close/observe and pass the observerId it sends'],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await refusedHandshake(`${running.wsUrl}/ws/close?${query}`);
      expect({ query, status, body }).toEqual({ query, status: 400, body: `${message}\n` });
    }
    // The server is still up.
    expect((await closeWith(running.wsUrl, 'code=1000')).code).toBe(1000);
  });

  it('accepts a 123-byte reason, the most a close frame holds', async () => {
    const { code, reason } = await closeWith(running.wsUrl, `code=4000&reason=${'%C3%A9'.repeat(61)}a`);
    expect(code).toBe(4000);
    expect(Buffer.byteLength(reason)).toBe(123);
  });

  it('sends a close frame with no status when asked: the client reports 1005', async () => {
    const { code } = await closeWith(running.wsUrl, 'action=no-status');
    expect(code).toBe(1005);
    await expect.poll(() => closeLine(running)).toMatch(/1005 \(no status code\) by server\s/);
  });

  it('drops the TCP connection without a close frame when asked: the client reports 1006', async () => {
    const { code } = await closeWith(running.wsUrl, 'action=drop');
    expect(code).toBe(1006);
    await expect.poll(() => closeLine(running)).toMatch(/1006 \(terminated by server\) .*\(dropped the TCP connection without a close frame, as asked\)$/);
  });

  it('takes the same requests as messages, and refuses invalid ones without closing', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close`);
    client.send(JSON.stringify({ type: 'close-request', action: 'close', code: 1006 }));
    expect(await nextJson(client)).toEqual({
      type: 'error',
      error: 'INVALID_CLOSE_REQUEST',
      message:
        'invalid close request: close code 1006 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)',
    });
    client.send(JSON.stringify({ type: 'close-request', action: 'close', code: 1000, reason: 'x'.repeat(124) }));
    expect((await nextJson(client)).message).toBe('invalid close request: close reason is 124 bytes of UTF-8; at most 123 fit in a close frame');
    client.send(JSON.stringify({ type: 'close-request', action: 'wait' }));
    expect((await nextJson(client)).message).toMatch(/^message does not match the protocol: action: Invalid type/);
    client.send(JSON.stringify({ type: 'ping' }));
    expect(await nextJson(client)).toEqual({ type: 'pong' });
    const closing = closed(client);
    client.send(JSON.stringify({ type: 'close-request', action: 'close', code: 4403, reason: 'forbidden' }));
    expect(await nextJson(client)).toEqual({ type: 'scheduled', action: 'close', code: 4403, reason: 'forbidden', afterMs: 0 });
    expect(await closing).toEqual({ code: 4403, reason: 'forbidden' });
  });

  it('takes one close request per connection', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close`);
    client.send(JSON.stringify({ type: 'close-request', action: 'close', code: 1000, afterMs: 5000 }));
    expect((await nextJson(client)).type).toBe('scheduled');
    client.send(JSON.stringify({ type: 'close-request', action: 'drop' }));
    expect(await nextJson(client)).toEqual({
      type: 'error',
      error: 'CLOSE_ALREADY_REQUESTED',
      message: 'this connection already has a close request: action close',
    });
    client.terminate();
  });

  it('closes with 1008 when messages come faster than the rate limit', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close`);
    const closing = closed(client);
    for (let index = 0; index < 40; index++) client.send(JSON.stringify({ type: 'ping' }));
    expect(await closing).toEqual({ code: 1008, reason: 'too many messages: more than 10 per second' });
  });

  it('closes with 1008 after repeated invalid messages', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close`);
    const closing = closed(client);
    for (let index = 0; index < 6; index++) client.send('not json');
    expect(await closing).toEqual({ code: 1008, reason: 'too many invalid messages' });
  });

  it('closes with 1009 when a message is over the size limit', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close`);
    const closing = closed(client);
    client.send('x'.repeat(1025));
    expect((await closing).code).toBe(1009);
  });

  it('clears pending timers when the server shuts down, closing with 1001', async () => {
    const own = await startServer();
    const client = await openClient(`${own.wsUrl}/ws/close?code=1000&afterMs=10000`);
    const closing = closed(client);
    await own.close();
    expect((await closing).code).toBe(1001);
  });
});

describe('/ws/close with a protocol violation from the server', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer({ closeTimeoutMs: 500 });
  });
  afterEach(async () => {
    await running.close();
  });

  // ws, as a client, fails the connection with the code RFC 6455 §7.4.1
  // gives each fault; the server sees that close frame (the browser test
  // shows what Chromium sends instead).
  for (const [action, sentCode, bytes] of [
    ['invalid-utf8', 1007, '81 02 c3 28'],
    ['masked-frame', 1002, '81 85 37 fa 21 3d 7f 9f 4d 51 58'],
    ['reserved-opcode', 1002, '83 02 68 69'],
  ] as const) {
    it(`${action}: the client fails the connection with ${String(sentCode)} and sees 1006`, async () => {
      const observer = await openObserver(running.wsUrl);
      const { code } = await closeWith(running.wsUrl, `action=${action}&observer=${observer.id}&run=${action}`);
      expect(code).toBe(1006);
      const report = await observer.report(action);
      expect(report).toMatchObject({
        run: action,
        action,
        serverSent: { bytes },
        clientSent: { code: sentCode },
        closedBy: 'client',
      });
      expect(report.error).toMatch(/^sent a .*, as asked$/);
      await expect.poll(() => closeLine(running)).toMatch(new RegExp(`${String(sentCode)} by client\\s.*\\(sent .*, as asked\\)$`));
      observer.socket.close();
    });
  }

  it('cuts off a client that does not fail the connection after a broken frame', async () => {
    const observer = await openObserver(running.wsUrl);
    const client = await openClient(`${running.wsUrl}/ws/close?observer=${observer.id}&run=deaf`);
    client.on('error', () => undefined);
    // Stop reading: this client never sees the broken frame, so never reacts.
    (client as unknown as { _socket: import('node:net').Socket })._socket.pause();
    client.send(JSON.stringify({ type: 'close-request', action: 'reserved-opcode' }));
    const report = await observer.report('deaf');
    expect(report).toMatchObject({ closedBy: 'server', clientSent: null, error: 'sent a frame with reserved opcode 3 (payload "hi"), as asked' });
    client.terminate();
    observer.socket.close();
  });
});

describe('/ws/close/observe', () => {
  let running: RunningServer;
  let observer: Observer;
  beforeEach(async () => {
    running = await startServer({ maxMessageBytes: 1024, closeTimeoutMs: 500 });
    observer = await openObserver(running.wsUrl);
  });
  afterEach(async () => {
    observer.socket.close();
    await running.close();
  });

  it("sends an id and the server's limits on open", () => {
    expect(observer.hello).toEqual({
      type: 'observer',
      observerId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      maxMessageBytes: 1024,
      messagesPerSecond: 10,
      messageBurst: 20,
    });
  });

  it('reports a server close: the frame sent, the echo that came back, and the log line', async () => {
    await closeWith(running.wsUrl, `code=4401&reason=token%20expired&observer=${observer.id}&run=r1`);
    const report = await observer.report('r1');
    expect(report).toEqual({
      run: 'r1',
      action: 'close',
      serverSent: { description: 'a close frame with code 4401 and reason "token expired"', bytes: '88 0f 11 31 74 6f 6b 65 6e 20 65 78 70 69 72 65 64' },
      clientSent: { code: 4401, reason: 'token expired' },
      closedBy: 'server',
      error: null,
      durationMs: expect.any(Number) as unknown,
      logLine: '4401 "token expired" by server',
    });
  });

  it('reports a close frame with no status as 1005 both ways', async () => {
    await closeWith(running.wsUrl, `action=no-status&observer=${observer.id}&run=r2`);
    expect(await observer.report('r2')).toMatchObject({
      serverSent: { description: 'a close frame with no status code', bytes: '88 00' },
      clientSent: { code: 1005, reason: '' },
      closedBy: 'server',
      logLine: '1005 (no status code) by server',
    });
  });

  it('reports a dropped connection: nothing sent, nothing received', async () => {
    await closeWith(running.wsUrl, `action=drop&observer=${observer.id}&run=r3`);
    expect(await observer.report('r3')).toMatchObject({
      serverSent: { description: 'no close frame: it destroyed the TCP connection', bytes: null },
      clientSent: null,
      closedBy: 'server',
      logLine: '1006 (terminated by server)',
    });
  });

  it("reports a client's close and the server's answer", async () => {
    const client = await openClient(`${running.wsUrl}/ws/close?observer=${observer.id}&run=r4`);
    client.close(4000, 'bye');
    expect(await observer.report('r4')).toMatchObject({
      action: 'wait',
      serverSent: { description: "a close frame with code 4000, answering the client's", bytes: '88 05 0f a0 62 79 65' },
      clientSent: { code: 4000, reason: 'bye' },
      closedBy: 'client',
      logLine: '4000 "bye" by client',
    });
  });

  it('reports a close without a code from the client as 1005', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close?observer=${observer.id}&run=r5`);
    client.close();
    expect(await observer.report('r5')).toMatchObject({ clientSent: { code: 1005, reason: '' }, closedBy: 'client' });
  });

  it('reports an oversize message: 1009 sent, and no answer read', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close?observer=${observer.id}&run=r6`);
    client.send('x'.repeat(1025));
    expect(await observer.report('r6')).toMatchObject({
      serverSent: { description: 'a close frame with code 1009', bytes: '88 02 03 f1' },
      clientSent: null,
      closedBy: 'server',
      error: 'Max payload size exceeded',
    });
  });

  it('reports a rate-limit close with its reason', async () => {
    const client = await openClient(`${running.wsUrl}/ws/close?observer=${observer.id}&run=r7`);
    for (let index = 0; index < 40; index++) client.send('{"type":"ping"}');
    expect(await observer.report('r7')).toMatchObject({
      serverSent: { description: 'a close frame with code 1008 and reason "too many messages: more than 10 per second"' },
      closedBy: 'server',
      error: 'too many messages: more than 10 per second',
    });
  });

  it('takes no messages', async () => {
    observer.socket.send('hello');
    expect(await nextJson(observer.socket)).toEqual({
      type: 'error',
      error: 'INVALID_MESSAGE',
      message: 'message does not match the protocol: /ws/close/observe takes no messages; it only sends reports',
    });
  });

  it('refuses a run label that is not short and URL-safe', async () => {
    const { status, body } = await refusedHandshake(`${running.wsUrl}/ws/close?observer=${observer.id}&run=${'x'.repeat(65)}`);
    expect(status).toBe(400);
    expect(body).toMatch(/^run must be 1 to 64 of A–Z a–z 0–9 _ \. -, got "x+"\n$/);
  });

  it('forgets an observer when it disconnects', async () => {
    const closing = closed(observer.socket);
    observer.socket.close();
    await closing;
    const { status } = await refusedHandshake(`${running.wsUrl}/ws/close?observer=${observer.id}`);
    expect(status).toBe(400);
  });
});
