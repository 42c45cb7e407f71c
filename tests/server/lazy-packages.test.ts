import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * Runs in a fresh Node process (this test's own process has loaded every
 * package already): starts a demo server, echoes one message, then scrapes
 * /metrics, and prints which of the optional packages CommonJS had loaded
 * after each step.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
import { WebSocket } from 'ws';
import { createDemoServer } from './demo-server/http/server.ts';
const cache = createRequire(import.meta.url).cache;
const loaded = () => ['prom-client', 'ioredis', 'unhomoglyph'].filter((name) => Object.keys(cache).some((path) => path.includes('/node_modules/' + name + '/')));
const server = createDemoServer({ staticDir: null });
const { port } = await server.listen(0, '127.0.0.1');
const socket = new WebSocket('ws://127.0.0.1:' + port + '/ws/echo');
await new Promise((resolve) => socket.once('open', resolve));
socket.send('hello');
await new Promise((resolve) => socket.once('message', resolve));
socket.close();
await new Promise((resolve) => socket.once('close', resolve));
const afterEcho = loaded();
const scrape = await fetch('http://127.0.0.1:' + port + '/metrics');
const text = await scrape.text();
const sqlite = process.moduleLoadList.some((name) => name.includes('sqlite'));
console.log(JSON.stringify({ afterEcho, afterScrape: loaded(), status: scrape.status, closes: /socketbook_closes_total\\{[^}]*\\} 1/.test(text), sqlite }));
await server.close();
`;

describe('the demo server without /metrics scrapes, --redis, chat names or class mode', () => {
  it('loads neither prom-client, ioredis, the confusables table nor node:sqlite: each is loaded on first use (issue 23: less heap for every full collection to mark)', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: new URL('../..', import.meta.url), timeout: 20_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ afterEcho: [], afterScrape: ['prom-client'], status: 200, closes: true, sqlite: false });
  });
});
