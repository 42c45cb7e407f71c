import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { closed, openClient } from '../helpers/demo-server.ts';

describe('demo-server/main.ts', () => {
  it('on SIGTERM closes every client with 1001 and exits 0 within 2 s', async () => {
    const child = spawn(process.execPath, ['demo-server/main.ts', '--port', '0', '--site', 'no-such-folder'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await expect.poll(() => /running at http:\/\/localhost:(\d+)\//.exec(output)?.[1], { timeout: 10_000 }).toBeDefined();
    const port = /running at http:\/\/localhost:(\d+)\//.exec(output)?.[1] ?? '';
    const clients = await Promise.all([1, 2, 3].map(() => openClient(`ws://127.0.0.1:${port}/ws/echo`)));
    const closes = clients.map((client) => closed(client));
    const exited = once(child, 'exit');
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    for (const close of await Promise.all(closes)) expect(close).toEqual({ code: 1001, reason: 'server shutting down' });
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(2_000);
    expect(output).toContain('SIGTERM: closing 3 connection(s) with 1001 and stopping.');
  });

  it('exits with a clear message and status 2 on a bad flag', async () => {
    const child = spawn(process.execPath, ['demo-server/main.ts', '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(errors).toContain('--port must be a whole number from 0 to 65535, got "eighty"');
  });
});
