import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startCluster, type Target, type TestCluster } from '../helpers/cluster.ts';
import { lacks } from './servers.ts';

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface RawHandshake {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly key: string;
}

/** Sends an opening handshake by hand and returns the answer as it arrived: a 101, or the refusal with its body. */
async function rawHandshake(url: string, extra: Record<string, string> = {}): Promise<RawHandshake> {
  const key = randomBytes(16).toString('base64');
  const outgoing = request(url, {
    headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key, ...extra },
  });
  outgoing.end();
  const answer = await new Promise<RawHandshake>((done, fail) => {
    outgoing.once('upgrade', (response: IncomingMessage, socket: Socket) => {
      socket.destroy();
      done({ status: response.statusCode ?? 0, headers: response.headers, body: '', key });
    });
    outgoing.once('response', (response: IncomingMessage) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.once('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body, key }));
    });
    outgoing.once('error', fail);
  });
  return answer;
}

/** Opens a `ws` client and waits for it to open. */
async function open(url: string, protocols: string[] = []): Promise<WebSocket> {
  const socket = new WebSocket(url, protocols);
  await once(socket, 'open');
  return socket;
}

describe.skipIf(lacks('redis-server', 'nginx'))('nginx in front of two instances, with the config npm run cluster uses', () => {
  let cluster: TestCluster;
  const http = (target: Target) => cluster.wsUrl(target).replace('ws:', 'http:');
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, proxy: true });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('passes the opening handshake through: 101, the accept hash of the client key, the chosen subprotocol', async () => {
    const direct = await rawHandshake(`${http(0)}/ws/inspect`, { 'Sec-WebSocket-Protocol': 'nope, text.v1, json.v1' });
    const proxied = await rawHandshake(`${http('proxy')}/ws/inspect`, { 'Sec-WebSocket-Protocol': 'nope, text.v1, json.v1' });
    for (const answer of [direct, proxied]) {
      expect(answer.status).toBe(101);
      expect(answer.headers.upgrade?.toLowerCase()).toBe('websocket');
      expect(answer.headers.connection?.toLowerCase()).toBe('upgrade');
      expect(answer.headers['sec-websocket-accept']).toBe(createHash('sha1').update(answer.key + HANDSHAKE_GUID).digest('base64'));
      expect(answer.headers['sec-websocket-protocol']).toBe('text.v1');
    }
    // nginx adds nothing a client would read as an extension.
    expect(proxied.headers['sec-websocket-extensions']).toBeUndefined();
  });

  it('passes a refused handshake through with its status and the server’s explanation', async () => {
    const direct = await rawHandshake(`${http(1)}/ws/chat/lobby?since=yesterday`);
    const proxied = await rawHandshake(`${http('proxy')}/ws/chat/lobby?since=yesterday`);
    expect(direct.status).toBe(400);
    expect(proxied.status).toBe(400);
    expect(proxied.body).toBe(direct.body);
    expect(proxied.body).toContain('since must be a whole number');
  });

  it('passes messages through unchanged: text, binary, and a message larger than nginx’s buffers', async () => {
    const socket = await open(`${cluster.wsUrl('proxy')}/ws/echo`);
    const received: { data: Buffer; isBinary: boolean }[] = [];
    socket.on('message', (data: Buffer, isBinary: boolean) => received.push({ data, isBinary }));
    const text = 'héllo, 世界 👋';
    const binary = randomBytes(40_000);
    socket.send(text);
    socket.send(binary);
    socket.send(Buffer.from([0, 255, 0, 255]), { binary: true });
    await vi.waitFor(() => expect(received).toHaveLength(3));
    expect(received[0]).toEqual({ data: Buffer.from(text), isBinary: false });
    expect(received[1]?.isBinary).toBe(true);
    expect(received[1]?.data.equals(binary)).toBe(true);
    expect(received[2]).toEqual({ data: Buffer.from([0, 255, 0, 255]), isBinary: true });
    socket.close(1000, 'done');
    expect((await once(socket, 'close')).map(String)).toEqual(['1000', 'done']);
  });

  it('passes close codes and reasons through in both directions', async () => {
    // The server closes with an application code.
    const closedByServer = await open(`${cluster.wsUrl('proxy')}/ws/close?action=close&code=4401&reason=token%20expired`);
    const [serverCode, serverReason] = (await once(closedByServer, 'close')) as [number, Buffer];
    expect([serverCode, serverReason.toString()]).toEqual([4401, 'token expired']);

    // The client closes with one: the instance logs the code it received, and echoes it back.
    const closing = await open(`${cluster.wsUrl('proxy')}/ws/echo`);
    closing.close(4321, 'client done');
    const [echoedCode, echoedReason] = (await once(closing, 'close')) as [number, Buffer];
    expect([echoedCode, echoedReason.toString()]).toEqual([4321, 'client done']);
    await vi.waitFor(() => expect(cluster.instances.map((instance) => instance.output()).join('\n')).toMatch(/\/ws\/echo .*4321 "client done"/));
  });

  it('counts and logs each client under its own address (--trusted-proxies 127.0.0.1), never under one it claims', async () => {
    const forged = { 'X-Forwarded-For': '10.9.8.7' };
    const proxied = new WebSocket(`${cluster.wsUrl('proxy')}/ws/echo`, { localAddress: '127.0.0.30', headers: forged });
    const direct = new WebSocket(`${cluster.wsUrl(0)}/ws/echo`, { localAddress: '127.0.0.31', headers: forged });
    await Promise.all([once(proxied, 'open'), once(direct, 'open')]);
    const logs = () => cluster.instances.map((instance) => instance.output()).join('\n');
    // nginx appends the address it saw to what the client sent: the server reads from the right.
    await vi.waitFor(() => expect(logs()).toMatch(/open +#\d+ \/ws\/echo {2}127\.0\.0\.30:\d+/));
    // A client that is not the proxy does not get to name itself.
    await vi.waitFor(() => expect(logs()).toMatch(/open +#\d+ \/ws\/echo {2}127\.0\.0\.31:\d+/));
    expect(logs()).not.toContain('10.9.8.7');
    proxied.terminate();
    direct.terminate();
  });

  it('spreads clients over both instances (round robin), and they chat in one room through Redis', async () => {
    // One after the other: two joins at once on two instances may each miss the other in their welcome.
    const first = await cluster.chat('proxy', 'proxied', {}, { localAddress: '127.0.0.20' });
    const one = await first.next('welcome');
    const second = await cluster.chat('proxy', 'proxied', {}, { localAddress: '127.0.0.21' });
    const two = await second.next('welcome');
    expect(two.members).toContain(one.you);
    for (const instance of cluster.instances) expect(instance.output()).toContain('/ws/chat/proxied');
    // Each has its own place under its own address, not two under the proxy's.
    const inspector = cluster.inspect();
    expect(await inspector.get('socketbook:chat:addr:127.0.0.20:places')).toBe('1');
    expect(await inspector.get('socketbook:chat:addr:127.0.0.1:places')).toBeNull();
    first.send({ type: 'say', text: 'through nginx' });
    expect((await second.next('message')).text).toBe('through nginx');
    // A close code the chat sends (1008, a flood of invalid messages) reaches the client as sent.
    for (let index = 0; index < 10; index++) second.send('not json');
    const closed = await second.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/invalid messages/);
  });
});
