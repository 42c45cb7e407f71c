import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { makeSelfSignedCertificate } from '../../demo-server/http/tls.ts';
import { launchBrowser, newPage, SITE_DIR } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

/** A port with nothing listening on it: a victim whose handshakes always fail. */
async function deadPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

describe('the attacker page in Chromium', () => {
  let browser: Browser;
  let running: RunningServer;
  let attacker: number;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer();
    attacker = (await running.server.listenAttacker(0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
  });

  it('says it is the attacker, shows its own origin under both names, and attacks localhost:PORT by default', async () => {
    for (const name of ['localhost', '127.0.0.1']) {
      const { page, errors } = await newPage(browser);
      await page.goto(`http://${name}:${String(attacker)}/`);
      expect(await page.title()).toBe('ATTACKER (demo)');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('ATTACKER (demo): this page is another site trying to use your login');
      expect(await page.locator('#attacker-origin').textContent()).toBe(`http://${name}:${String(attacker)}`);
      expect(await page.locator('#attacker-url').textContent()).toBe(`ws://localhost:${String(running.port)}/ws/account/unsafe`);
      // Whatever the account endpoint answers, the page ends in a stated outcome, never "Connecting…".
      await expect.poll(() => page.locator('#attacker-status').textContent()).not.toMatch(/^(Starting|Connecting)/);
      expect(await page.locator('.banner').evaluate((banner) => getComputedStyle(banner).backgroundColor)).toBe('rgb(176, 0, 32)');
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('reports a failed handshake as refused, on the page and to the site that framed it', async () => {
    const victim = `http://localhost:${String(await deadPort())}`;
    const { page, errors } = await newPage(browser);
    // The lab is on the site's origin; the attacker page reports only to the victim origin, so it is framed from there.
    await page.goto(`http://localhost:${String(running.port)}/healthz`);
    const reports = page.evaluate(
      ([url]) =>
        new Promise<unknown>((resolve) => {
          window.addEventListener('message', (event) => {
            resolve({ from: event.origin, data: event.data as unknown });
          });
          const frame = document.createElement('iframe');
          frame.src = url ?? '';
          document.body.append(frame);
        }),
      [`http://127.0.0.1:${String(attacker)}/?target=safe&victim=${encodeURIComponent(`http://localhost:${String(running.port)}`)}`],
    );
    // /ws/account/safe refuses a foreign page's handshake (and before it exists, there is no endpoint): either way the page sees 1006.
    expect(await reports).toEqual({
      from: `http://127.0.0.1:${String(attacker)}`,
      data: { source: 'socketbook-attacker', target: 'safe', origin: `http://127.0.0.1:${String(attacker)}`, outcome: 'refused', account: null, serverSawOrigin: null, cookies: [], closeCode: 1006 },
    });

    const direct = await newPage(browser);
    await direct.page.goto(`http://127.0.0.1:${String(attacker)}/?victim=${encodeURIComponent(victim)}`);
    await expect.poll(() => direct.page.locator('#attacker-status').textContent()).toMatch(/^Refused: the handshake failed, so the browser reports close code 1006\. A page is never told the HTTP status/);
    expect(await direct.page.locator('#attacker-stolen').textContent()).toBe('(nothing stolen)');
    expect(errors).toEqual([]);
    await page.close();
    await direct.page.close();
  });

  it('refuses a bad target or victim with a sentence, without connecting', async () => {
    const { page } = await newPage(browser);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`http://localhost:${String(attacker)}/?target=%3Cb%3Eecho%3C%2Fb%3E`);
    expect(await page.locator('#attacker-status').textContent()).toBe('Nothing attacked: target must be unsafe or safe, got "<b>echo</b>".');
    expect(await page.locator('#attacker-status b').count()).toBe(0);
    await page.goto(`http://localhost:${String(attacker)}/?victim=javascript:alert(1)`);
    expect(await page.locator('#attacker-status').textContent()).toBe('Nothing attacked: victim must be an http:// or https:// origin, got "javascript:alert(1)".');
    expect(sockets).toEqual([]);
    await page.close();
  });
});

describe('the attacker page against a victim that speaks the account protocol', () => {
  // Until /ws/account/* is merged in, a small ws server stands in for the victim:
  // it answers as the contract says /ws/account/unsafe does, with hostile text in
  // the account, so the page's rendering and report are checked on their own.
  let browser: Browser;
  let running: RunningServer;
  let attacker: number;
  let victim: WebSocketServer;
  let victimOrigin: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer();
    attacker = (await running.server.listenAttacker(0, '127.0.0.1')).port;
    victim = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(victim, 'listening');
    victimOrigin = `http://localhost:${String((victim.address() as AddressInfo).port)}`;
    victim.on('connection', (socket, request) => {
      socket.send(
        JSON.stringify({
          type: 'account',
          account: { name: '<img src=x onerror="window.pwned=1">', secretNote: 'fake', path: request.url },
          origin: request.headers.origin ?? null,
          cookies: ['sb_session', 'sb_none'],
        }),
      );
      socket.close(4000, 'done');
    });
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
    victim.close();
  });

  it('shows the stolen account as text, what the server saw, the close, and posts it all to the victim origin', async () => {
    const { page, errors } = await newPage(browser);
    // The lab is on the victim origin; the stand-in answers any page with 426, which is page enough to frame from.
    await page.goto(`${victimOrigin}/`);
    const report = page.evaluate(
      ([url]) =>
        new Promise<unknown>((resolve) => {
          window.addEventListener('message', (event) => {
            const data = event.data as { closeCode: number | null };
            if (data.closeCode !== null) resolve(data);
          });
          const frame = document.createElement('iframe');
          frame.src = url ?? '';
          document.body.append(frame);
        }),
      [`http://localhost:${String(attacker)}/?victim=${encodeURIComponent(victimOrigin)}`],
    );
    const account = { name: '<img src=x onerror="window.pwned=1">', secretNote: 'fake', path: '/ws/account/unsafe' };
    expect(await report).toEqual({
      source: 'socketbook-attacker',
      target: 'unsafe',
      origin: `http://localhost:${String(attacker)}`,
      outcome: 'stolen',
      account,
      serverSawOrigin: `http://localhost:${String(attacker)}`,
      cookies: ['sb_session', 'sb_none'],
      closeCode: 4000,
    });
    const frame = page.frameLocator('iframe');
    expect(await frame.locator('#attacker-stolen').textContent()).toBe(JSON.stringify(account, null, 2));
    expect(await frame.locator('#attacker-stolen img').count()).toBe(0);
    expect(await frame.locator('#attacker-seen').textContent()).toBe(`Origin: http://localhost:${String(attacker)}. Cookies that arrived: sb_session, sb_none.`);
    expect(await frame.locator('#attacker-status').textContent()).toBe(
      `STOLEN: the server accepted this page's handshake, trusted the cookie the browser attached, and sent the account. It was told Origin http://localhost:${String(attacker)} and ignored it. Then the server closed the connection with 4000 "done".`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the site and the attacker page with --tls, in Chromium', () => {
  let browser: Browser;
  let running: RunningServer;
  let attacker: number;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer({ staticDir: SITE_DIR, tls: await makeSelfSignedCertificate() });
    attacker = (await running.server.listenAttacker(0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
  });

  /** A context that accepts the self-signed certificate, as a reader does after the warning. */
  async function trustingPage() {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors };
  }

  it('serves the pages over https, where a cell connects with wss and ws:// to a real host name is blocked as mixed content (loopback is not)', async () => {
    const { page, errors } = await trustingPage();
    const site = `https://localhost:${String(running.port)}`;
    await page.goto(`${site}/why-websockets/`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    await expect.poll(() => cell.getByRole('status').textContent()).toContain(`Open: connected to wss://localhost:${String(running.port)}/ws/echo`);
    // Mixed content (https page, ws: URL) is refused by the constructor, except for
    // potentially trustworthy hosts: ws://localhost and ws://127.0.0.1 are allowed
    // (W3C Secure Contexts §3.2), so the lesson needs a real host name.
    const attempt = (url: string) =>
      page.evaluate((target) => {
        try {
          new WebSocket(target).close();
          return 'constructed';
        } catch (error) {
          return error instanceof DOMException ? `${error.name}: ${error.message}` : String(error);
        }
      }, url);
    expect(await attempt('ws://school.example/ws/echo')).toMatch(/^SecurityError: /);
    expect(await attempt(`ws://localhost:${String(running.port)}/ws/echo`)).toBe('constructed');
    expect(await attempt(`ws://127.0.0.1:${String(running.port)}/ws/echo`)).toBe('constructed');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps the attacker page on http, attacking the https site over wss', async () => {
    const { page, errors } = await trustingPage();
    await page.goto(`http://localhost:${String(attacker)}/`);
    expect(await page.locator('#attacker-url').textContent()).toBe(`wss://localhost:${String(running.port)}/ws/account/unsafe`);
    await expect.poll(() => page.locator('#attacker-status').textContent()).not.toMatch(/^(Starting|Connecting)/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
