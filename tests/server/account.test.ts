import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AccountGreeting, SeenHandshake, TicketServerMessage } from '../../src/shared/protocol/account.ts';
import { refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

/** A `ws` client that records every message and its close from the start (the server may speak and close at once). */
interface Recorded<T> {
  readonly socket: WebSocket;
  readonly messages: T[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

async function connect<T>(url: string, headers: Record<string, string> = {}): Promise<Recorded<T>> {
  const socket = new WebSocket(url, { headers });
  const messages: T[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as T));
  const closed = once(socket, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  await once(socket, 'open');
  return { socket, messages, closed };
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly setCookies: string[];
}

describe('the demo account (chapter 10)', () => {
  let running: RunningServer;
  /** The site's own origin, as a browser on the page would send it. */
  let site: string;
  /** The attacker page's origin: loopback, another port, so another origin (but the same site). */
  let attacker: string;

  async function call(path: string, init: { method?: string; body?: string; cookie?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.cookie !== undefined) headers.cookie = init.cookie;
    if (init.origin !== undefined) headers.origin = init.origin;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${running.httpUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body ?? null });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, setCookies: response.headers.getSetCookie() };
  }

  /** Logs `name` in and returns the Cookie header a browser on the site would send back. */
  async function login(name = 'ada'): Promise<string> {
    const answer = await call('/account/login', { method: 'POST', body: JSON.stringify({ name }), origin: site });
    expect(answer.status).toBe(200);
    return answer.setCookies.map((cookie) => cookie.split(';')[0]).join('; ');
  }

  async function ticket(cookie: string): Promise<string> {
    const answer = await call('/account/ticket', { method: 'POST', cookie, origin: site });
    expect(answer.status).toBe(200);
    return answer.body.ticket as string;
  }

  async function serverStillUp(): Promise<void> {
    expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
  }

  beforeEach(async () => {
    running = await startServer();
    site = `http://127.0.0.1:${String(running.port)}`;
    attacker = `http://localhost:${String(running.port + 1)}`;
  });
  afterEach(async () => {
    await running.close();
  });

  describe('HTTP', () => {
    it('logs in with three HttpOnly cookies that differ only in SameSite, and the account is fake', async () => {
      const answer = await call('/account/login', { method: 'POST', body: '{"name":"ada"}', origin: site });
      expect(answer.status).toBe(200);
      expect(answer.body.account).toEqual({
        name: 'ada',
        balance: '1,337 demo coins',
        secretNote: expect.stringContaining('fake') as unknown,
        email: 'ada@example.invalid',
      });
      const [lax, strict, none] = answer.setCookies;
      const id = /^sb_session=([A-Za-z0-9_-]{32});/.exec(lax ?? '')?.[1];
      expect(id).toBeDefined();
      expect(lax).toBe(`sb_session=${id ?? ''}; Path=/; HttpOnly; SameSite=Lax`);
      expect(strict).toBe(`sb_strict=${id ?? ''}; Path=/; HttpOnly; SameSite=Strict`);
      expect(none).toBe(`sb_none=${id ?? ''}; Path=/; HttpOnly; SameSite=None; Secure`);
      expect(running.log.join('\n')).not.toContain(id);
    });

    it('answers /account/me with the account or 401, and logout forgets the session', async () => {
      expect((await call('/account/me')).status).toBe(401);
      const cookie = await login('grace');
      expect(await call('/account/me', { cookie })).toMatchObject({ status: 200, body: { account: { name: 'grace' } } });
      const out = await call('/account/logout', { method: 'POST', cookie, origin: site });
      expect(out.status).toBe(200);
      expect(out.setCookies).toHaveLength(3);
      for (const cleared of out.setCookies) expect(cleared).toMatch(/^sb_\w+=; Path=\/; HttpOnly; .*Max-Age=0$/);
      expect((await call('/account/me', { cookie })).status).toBe(401);
    });

    it('refuses bad names, bad JSON, big bodies, wrong methods and foreign origins, and stays up', async () => {
      const post = (body: string, origin = site) => call('/account/login', { method: 'POST', body, origin });
      expect(await post('{"name":"teacher"}')).toMatchObject({ status: 400, body: { error: expect.stringContaining('reserved') as unknown } });
      expect(await post('{"name":"a b"}')).toMatchObject({ status: 400, body: { error: expect.stringContaining('is not allowed') as unknown } });
      expect(await post('{"name":')).toMatchObject({ status: 400, body: { error: expect.stringContaining('not valid JSON') as unknown } });
      expect(await post('{"name":"ada","admin":true}')).toMatchObject({ status: 400 });
      expect(await post(JSON.stringify({ name: 'x'.repeat(5000) }))).toMatchObject({ status: 413 });
      expect(await post('{"name":"ada"}', attacker)).toMatchObject({ status: 403, body: { error: expect.stringContaining(attacker) as unknown } });
      expect((await call('/account/login')).status).toBe(405);
      expect((await call('/account/me', { method: 'POST', origin: site })).status).toBe(405);
      await serverStillUp();
    });

    it('answers 413 to a body that grows past 4 KiB without a Content-Length', async () => {
      const request = httpRequest(`${running.httpUrl}/account/login`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
      request.on('error', () => undefined);
      const answered = once(request, 'response') as Promise<[import('node:http').IncomingMessage]>;
      request.write('x'.repeat(5000));
      const [response] = await answered;
      expect(response.statusCode).toBe(413);
      request.destroy();
      await serverStillUp();
    });

    it('gives a ticket only with the session cookie and an own Origin', async () => {
      expect((await call('/account/ticket', { method: 'POST', origin: site })).status).toBe(401);
      const cookie = await login();
      expect((await call('/account/ticket', { method: 'POST', cookie, origin: attacker })).status).toBe(403);
      const answer = await call('/account/ticket', { method: 'POST', cookie, origin: site });
      expect(answer).toMatchObject({ status: 200, body: { expiresInMs: 10_000 } });
      expect(answer.body.ticket).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(running.log.join('\n')).not.toContain(answer.body.ticket as string);
      expect(running.log.join('\n')).toContain('ticket=<redacted>');
    });
  });

  describe('/ws/account/unsafe and /ws/account/safe', () => {
    it('unsafe: a foreign Origin with the cookie reads the account, and sees which Origin and cookies arrived', async () => {
      const cookie = await login();
      const client = await connect<AccountGreeting>(`${running.wsUrl}/ws/account/unsafe`, { origin: attacker, cookie });
      await expect.poll(() => client.messages).toEqual([
        { type: 'account', account: expect.objectContaining({ name: 'ada', balance: '1,337 demo coins' }) as unknown, origin: attacker, cookies: ['sb_session', 'sb_strict', 'sb_none'] },
      ]);
      client.socket.close();
    });

    it('unsafe: without the Lax cookie it sends anonymous and closes with 4401', async () => {
      const cookie = await login();
      const onlyNone = cookie.split('; ').filter((pair) => pair.startsWith('sb_none=')).join('; ');
      const client = await connect<AccountGreeting>(`${running.wsUrl}/ws/account/unsafe`, { origin: attacker, cookie: onlyNone });
      expect(await client.closed).toEqual({ code: 4401, reason: 'no valid session cookie: log in first' });
      expect(client.messages).toEqual([{ type: 'anonymous', origin: attacker, cookies: ['sb_none'] }]);
    });

    it('safe: refuses a foreign Origin with 403 before the upgrade, and accepts its own', async () => {
      const cookie = await login();
      const refused = await refusedHandshake(`${running.wsUrl}/ws/account/safe`, { headers: { origin: attacker, cookie } });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain(`origin ${attacker} is not one of this site's origins`);
      const client = await connect<AccountGreeting>(`${running.wsUrl}/ws/account/safe`, { origin: site, cookie });
      await expect.poll(() => client.messages[0]?.type).toBe('account');
      client.socket.close();
      await serverStillUp();
    });

    it('/account/seen lists the handshakes with cookie names, never values, and cookie-less ones from the address', async () => {
      const cookie = await login();
      const id = /sb_session=([^;]+)/.exec(cookie)?.[1] ?? '';
      const withCookie = await connect(`${running.wsUrl}/ws/account/unsafe`, { origin: attacker, cookie });
      withCookie.socket.close();
      await refusedHandshake(`${running.wsUrl}/ws/account/safe`, { headers: { origin: attacker, cookie } });
      const without = await connect(`${running.wsUrl}/ws/account/unsafe`, { origin: `http://localhost:${String(running.port + 1)}` });
      await without.closed;
      const seen = await call('/account/seen', { cookie });
      expect(seen.status).toBe(200);
      const handshakes = seen.body.handshakes as SeenHandshake[];
      expect(handshakes.map(({ path, cookies, verdict }) => ({ path, cookies, verdict }))).toEqual([
        { path: '/ws/account/unsafe', cookies: ['sb_session', 'sb_strict', 'sb_none'], verdict: 'account sent' },
        { path: '/ws/account/safe', cookies: ['sb_session', 'sb_strict', 'sb_none'], verdict: 'refused: HTTP 403, foreign Origin' },
        { path: '/ws/account/unsafe', cookies: [], verdict: 'anonymous: closed with 4401' },
      ]);
      expect(handshakes.every((handshake) => handshake.origin === attacker)).toBe(true);
      expect(JSON.stringify(seen.body)).not.toContain(id);
      expect((await call('/account/seen')).status).toBe(401);
    });

    it('/account/seen also lists, for its reader, a handshake that carried only sb_none (a cross-site request): anonymous, since only sb_session authenticates', async () => {
      const cookie = await login();
      const none = cookie.split('; ').find((pair) => pair.startsWith('sb_none=')) ?? '';
      const crossSite = await connect<AccountGreeting>(`${running.wsUrl}/ws/account/unsafe`, { origin: attacker, cookie: none });
      expect((await crossSite.closed).code).toBe(4401);
      expect(crossSite.messages).toEqual([{ type: 'anonymous', origin: attacker, cookies: ['sb_none'] }]);
      const handshakes = (await call('/account/seen', { cookie })).body.handshakes as SeenHandshake[];
      expect(handshakes.map(({ path, cookies, verdict }) => ({ path, cookies, verdict }))).toEqual([
        { path: '/ws/account/unsafe', cookies: ['sb_none'], verdict: 'anonymous: closed with 4401' },
      ]);
    });
  });

  describe('/ws/account/ticket', () => {
    it('accepts a ticket in the URL once: reused 409, forged 403, malformed 400', async () => {
      const cookie = await login();
      const valid = await ticket(cookie);
      const client = await connect<TicketServerMessage>(`${running.wsUrl}/ws/account/ticket?ticket=${valid}`);
      await expect.poll(() => client.messages[0]).toEqual({ type: 'welcome', account: expect.objectContaining({ name: 'ada' }) as unknown, sessionExpiresInMs: 20_000 });
      client.socket.close();
      expect(await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=${valid}`)).toMatchObject({ status: 409, body: expect.stringContaining('ticket already used') as unknown });
      expect(await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=${'A'.repeat(32)}`)).toMatchObject({ status: 403, body: expect.stringContaining('unknown ticket') as unknown });
      expect(await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=short`)).toMatchObject({ status: 400, body: expect.stringContaining('malformed ticket') as unknown });
      expect(await refusedHandshake(`${running.wsUrl}/ws/account/ticket?sessionMs=10`)).toMatchObject({ status: 400 });
      expect(running.log.join('\n')).not.toContain(valid);
      await serverStillUp();
    });

    it('authenticates with the first message, and closes reused 4409, forged 4403, malformed 4400, not auth 4400', async () => {
      const cookie = await login();
      const valid = await ticket(cookie);
      const first = await connect<TicketServerMessage>(`${running.wsUrl}/ws/account/ticket`);
      first.socket.send(JSON.stringify({ type: 'auth', ticket: valid }));
      await expect.poll(() => first.messages[0]?.type).toBe('welcome');
      first.socket.close();
      const closeWith = async (message: string) => {
        const client = await connect(`${running.wsUrl}/ws/account/ticket`);
        client.socket.send(message);
        return client.closed;
      };
      expect(await closeWith(JSON.stringify({ type: 'auth', ticket: valid }))).toEqual({ code: 4409, reason: expect.stringContaining('ticket already used') as unknown });
      expect(await closeWith(JSON.stringify({ type: 'auth', ticket: 'B'.repeat(32) }))).toEqual({ code: 4403, reason: expect.stringContaining('unknown ticket') as unknown });
      expect(await closeWith(JSON.stringify({ type: 'auth', ticket: 'x' }))).toEqual({ code: 4400, reason: expect.stringContaining('malformed ticket') as unknown });
      expect(await closeWith(JSON.stringify({ type: 'read', channel: 'general' }))).toEqual({ code: 4400, reason: expect.stringContaining('first message must be') as unknown });
      expect(await closeWith('not json')).toEqual({ code: 4400, reason: expect.stringContaining('first message must be') as unknown });
      await serverStillUp();
    });

    it('closes with 4408 when no auth message arrives within 5 s', async () => {
      const client = await connect(`${running.wsUrl}/ws/account/ticket`);
      expect(await client.closed).toEqual({ code: 4408, reason: 'authentication timeout: no auth message within 5 s' });
    }, 15_000);

    it('closes with 4401 when the credentials expire (sessionMs)', async () => {
      const client = await connect<TicketServerMessage>(`${running.wsUrl}/ws/account/ticket?sessionMs=2000&ticket=${await ticket(await login())}`);
      expect(await client.closed).toEqual({ code: 4401, reason: 'credentials expired: fetch a new ticket' });
      expect(client.messages[0]).toMatchObject({ type: 'welcome', sessionExpiresInMs: 2000 });
    }, 15_000);

    it('lets a member read announcements and post to general, but a post to announcements is FORBIDDEN and the connection stays open', async () => {
      const client = await connect<TicketServerMessage>(`${running.wsUrl}/ws/account/ticket?ticket=${await ticket(await login())}`);
      client.socket.send(JSON.stringify({ type: 'post', channel: 'announcements', text: 'free coins' }));
      client.socket.send(JSON.stringify({ type: 'post', channel: 'general', text: 'hello' }));
      client.socket.send(JSON.stringify({ type: 'read', channel: 'general' }));
      await expect.poll(() => client.messages.length).toBe(4);
      expect(client.messages[1]).toEqual({ type: 'error', error: 'FORBIDDEN', message: 'forbidden: members may read announcements but not post to it' });
      expect(client.messages[2]).toMatchObject({ type: 'posted', channel: 'general', message: { from: 'ada', text: 'hello' } });
      expect(client.messages[3]).toMatchObject({ type: 'messages', channel: 'general', messages: [{ from: 'ada', text: 'hello' }] });
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      client.socket.close();
    });
  });

  it('refuses an expired ticket: 410 in the URL, 4410 as a first message', async () => {
    await running.close();
    running = await startServer({ ticketTtlMs: 100 });
    site = `http://127.0.0.1:${String(running.port)}`;
    expect(await call('/account/config')).toMatchObject({ status: 200, body: { attackerPort: null, ticketTtlMs: 100 } });
    const cookie = await login();
    const [inUrl, inMessage] = [await ticket(cookie), await ticket(cookie)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=${inUrl}`)).toMatchObject({ status: 410, body: expect.stringContaining('ticket expired') as unknown });
    const client = await connect(`${running.wsUrl}/ws/account/ticket`);
    client.socket.send(JSON.stringify({ type: 'auth', ticket: inMessage }));
    expect(await client.closed).toEqual({ code: 4410, reason: expect.stringContaining('ticket expired') as unknown });
    await serverStillUp();
  });
});
