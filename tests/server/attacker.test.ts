import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startNodeProcess, type WatchedProcess } from '../helpers/child-process.ts';
import { refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

let running: RunningServer | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function withAttacker(): Promise<{ site: RunningServer; attackerUrl: string; attackerPort: number }> {
  const site = await startServer();
  running = site;
  const address = await site.server.listenAttacker(0, '127.0.0.1');
  return { site, attackerUrl: `http://127.0.0.1:${String(address.port)}`, attackerPort: address.port };
}

/** A GET with a Host header of our choosing (fetch forbids setting it). */
async function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  const request = httpRequest(url, { headers: { host } });
  request.end();
  const [response] = (await once(request, 'response')) as [import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, body };
}

describe('the attacker listener', () => {
  it('serves the attacker page, labelled, with the site port filled in and safe headers', async () => {
    const { site, attackerUrl, attackerPort } = await withAttacker();
    expect(site.server.attackerPort).toBe(attackerPort);
    expect(attackerPort).not.toBe(site.port);
    const response = await fetch(`${attackerUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('connect-src ws: wss:');
    expect(csp).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('<title>ATTACKER (demo)</title>');
    expect(html).toContain('ATTACKER (demo): this page is another site trying to use your login');
    expect(html).toContain(`<meta name="socketbook-victim-port" content="${String(site.port)}">`);
    expect(html).toContain('<meta name="socketbook-victim-scheme" content="http:">');
    for (const id of ['attacker-origin', 'attacker-status', 'attacker-stolen']) expect(html).toContain(`id="${id}"`);
    const script = await fetch(`${attackerUrl}/attacker.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("source: 'socketbook-attacker'");
    expect((await fetch(`${attackerUrl}/attacker.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('is announced at GET /account/config on the site, for the labs (null before it listens)', async () => {
    const site = await startServer();
    running = site;
    const before = await fetch(`${site.httpUrl}/account/config`);
    expect(before.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await before.json()).toEqual({ attackerPort: null, ticketTtlMs: 10_000 });
    const { port } = await site.server.listenAttacker(0, '127.0.0.1');
    expect(await (await fetch(`${site.httpUrl}/account/config`)).json()).toEqual({ attackerPort: port, ticketTtlMs: 10_000 });
  });

  it('answers to both loopback names, the two origins chapter 10 compares', async () => {
    const { attackerPort } = await withAttacker();
    expect((await getWithHost(`http://127.0.0.1:${String(attackerPort)}/`, `localhost:${String(attackerPort)}`)).status).toBe(200);
    expect((await getWithHost(`http://127.0.0.1:${String(attackerPort)}/`, `127.0.0.1:${String(attackerPort)}`)).status).toBe(200);
    const rebound = await getWithHost(`http://127.0.0.1:${String(attackerPort)}/`, `rebind.example:${String(attackerPort)}`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain('does not answer to the host "rebind.example:');
  });

  it('serves nothing else: no site files, no /healthz, no WebSocket endpoints, only GET and HEAD', async () => {
    const { attackerUrl } = await withAttacker();
    for (const path of ['/index.html', '/healthz', '/ws/echo', '/attacker.js/..%2f', '/account/me', '/favicon.ico']) {
      const response = await fetch(`${attackerUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toBe('Not found: the attacker listener serves only the attacker page at /.\n');
    }
    const post = await fetch(`${attackerUrl}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const refused = await refusedHandshake(`${attackerUrl.replace('http', 'ws')}/ws/echo`);
    expect(refused).toEqual({ status: 404, body: 'The attacker listener has no WebSocket endpoints; they are on the site port.\n' });
  });

  it('refuses a non-loopback host unless asked to serve the LAN', async () => {
    const site = await startServer();
    running = site;
    await expect(site.server.listenAttacker(0, '0.0.0.0')).rejects.toThrow(
      'the attacker page is only served on a loopback host (--host 0.0.0.0 would put it on the LAN); add --attacker-on-lan to serve it there anyway, or --attacker-port 0 to turn it off',
    );
    expect(site.server.attackerPort).toBeNull();
    const address = await site.server.listenAttacker(0, '0.0.0.0', { onLan: true });
    expect(site.server.attackerPort).toBe(address.port);
    expect((await fetch(`http://127.0.0.1:${String(address.port)}/`)).status).toBe(200);
  });

  it('stops with the server', async () => {
    const { site, attackerUrl } = await withAttacker();
    const keepAlive = await fetch(`${attackerUrl}/`);
    await keepAlive.text();
    await site.close();
    running = null;
    await expect(fetch(`${attackerUrl}/`)).rejects.toThrow();
  });
});

/** Waits for a line of the CLI's output matching `pattern`. */
async function lineOf(cli: WatchedProcess, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = [...cli.stdout, ...cli.stderr].find((each) => pattern.test(each));
    if (line !== undefined) return line;
    if (cli.child.exitCode !== null || Date.now() > deadline) throw new Error(`no line matching ${String(pattern)}:\n${[...cli.stdout, ...cli.stderr].join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start and the attacker page', () => {
  it('with --port 0 serves it on a free port of its own and prints both names', async () => {
    const cli = startNodeProcess('demo-server/main.ts', ['--port', '0', '--quiet']);
    try {
      const line = await lineOf(cli, /^Attacker page/);
      const match = /^Attacker page \(chapter 10, demo\): http:\/\/localhost:(\d+)\/ and http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(line);
      expect(match?.[1]).toBe(match?.[2]);
      const site = Number(/localhost:(\d+)/.exec(await lineOf(cli, /running at/))?.[1]);
      const attacker = Number(match?.[1]);
      expect(attacker).not.toBe(site);
      expect(await (await fetch(`http://127.0.0.1:${String(attacker)}/`)).text()).toContain(`content="${String(site)}"`);
    } finally {
      await cli.kill();
    }
  });

  it('with --host 0.0.0.0 leaves it off and says how to turn it on', async () => {
    // --no-classroom: a LAN host turns class mode on, which would open a data folder in the repository.
    const cli = startNodeProcess('demo-server/main.ts', ['--port', '0', '--host', '0.0.0.0', '--quiet', '--no-classroom']);
    try {
      expect(await lineOf(cli, /^Attacker page/)).toBe(
        'Attacker page (chapter 10) off: --host is not loopback; add --attacker-on-lan to serve it to the LAN too.',
      );
    } finally {
      await cli.kill();
    }
  });

  it('skips a busy default port (site + 1) with a warning, but refuses a busy port that was asked for', async () => {
    const blocker = createServer();
    let blocked = 0;
    let site = 0;
    // A busy port (the blocker's) whose predecessor is free, for the site.
    for (let attempt = 0; attempt < 20 && site === 0; attempt += 1) {
      blocker.listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      blocked = (blocker.address() as AddressInfo).port;
      const probe = createServer().listen(blocked - 1, '127.0.0.1');
      // Not once(probe, 'listening'): events.once rejects on 'error', which could win the race.
      const free = await new Promise<boolean>((resolve) => {
        probe.once('listening', () => resolve(true));
        probe.once('error', () => resolve(false));
      });
      probe.close();
      if (free) site = blocked - 1;
      else {
        blocker.close();
        await once(blocker, 'close');
      }
    }
    expect(site).not.toBe(0);
    try {
      const cli = startNodeProcess('demo-server/main.ts', ['--port', String(site), '--quiet']);
      try {
        expect(await lineOf(cli, /^Attacker page/)).toBe(`Attacker page (chapter 10) off: port ${String(blocked)} is already in use; choose a port with --attacker-port <n>.`);
        expect((await fetch(`http://127.0.0.1:${String(site)}/healthz`)).status).toBe(200);
      } finally {
        await cli.kill();
      }
      const explicit = startNodeProcess('demo-server/main.ts', ['--port', '0', '--attacker-port', String(blocked), '--quiet']);
      expect(await explicit.exited).toBe(1);
      expect(explicit.stderr[0]).toBe(`Could not serve the attacker page: port ${String(blocked)} is already in use. Choose another with --attacker-port <n>, or 0 to turn it off.`);
    } finally {
      blocker.close();
    }
  });

  it('with --attacker-port 0 serves no attacker page', async () => {
    const cli = startNodeProcess('demo-server/main.ts', ['--port', '0', '--attacker-port', '0', '--quiet']);
    try {
      await lineOf(cli, /^Press Ctrl\+C/);
      expect([...cli.stdout, ...cli.stderr].filter((line) => line.startsWith('Attacker'))).toEqual([]);
    } finally {
      await cli.kill();
    }
  });
});

