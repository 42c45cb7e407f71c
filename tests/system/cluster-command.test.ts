import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { onPath } from '../../demo-server/cluster/processes.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';
import { startNodeProcess, type WatchedProcess } from '../helpers/child-process.ts';
import { lacks } from './servers.ts';

/** Whether `port` can be listened on right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** Whether something accepts connections on `port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Three consecutive free ports, as `npm run cluster` takes: the proxy's and one per instance. */
async function freeRun(length: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length }, (_, index) => isFree(base + index)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${String(length)} consecutive free ports`);
}

describe.skipIf(lacks('redis-server'))('npm run cluster', () => {
  let cluster: WatchedProcess | null = null;
  afterEach(async () => {
    await cluster?.kill();
    cluster = null;
  });

  it('starts Redis, two instances on the ports after --port and nginx on it, and stops them all on Ctrl+C', async () => {
    const port = await freeRun(3);
    const running = startNodeProcess('demo-server/cluster/main.ts', ['--port', String(port), '--site', join('no', 'site')]);
    cluster = running;
    const all = () => [...running.stdout, ...running.stderr].join('\n');
    await vi.waitFor(() => expect(all()).toContain('Press Ctrl+C to stop everything.'), 30_000);
    const withProxy = onPath('nginx');
    expect(all()).toContain(withProxy ? `Socketbook cluster: http://localhost:${String(port)}/ (nginx, round robin over 2 instances)` : 'nginx not found (apt-get install nginx)');
    const folder = /files in (\S+)\)/.exec(all())?.[1];
    expect(folder !== undefined && existsSync(folder)).toBe(true);

    // The two instances share a room; through nginx when it runs.
    const urls = [port + 1, port + 2].map((each) => `ws://127.0.0.1:${String(each)}`);
    const first = await ChatConnection.open(chatUrl(urls[0] ?? '', 'cluster'), { localAddress: '127.0.3.1' });
    const second = await ChatConnection.open(chatUrl(withProxy ? `ws://127.0.0.1:${String(port)}` : (urls[1] ?? ''), 'cluster'), { localAddress: '127.0.3.2' });
    await first.next('welcome');
    await second.next('welcome');
    first.send({ type: 'say', text: 'across the cluster' });
    expect((await second.next('message')).text).toBe('across the cluster');

    running.child.kill('SIGINT');
    const [code] = (await once(running.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    // The instances said goodbye with 1001; nothing listens any more, the folder is gone.
    expect((await first.closed).code).toBe(1001);
    expect((await second.closed).code).toBe(1001);
    for (const each of [port, port + 1, port + 2]) expect(await accepts(each)).toBe(false);
    expect(existsSync(folder ?? '')).toBe(false);
  });
});
