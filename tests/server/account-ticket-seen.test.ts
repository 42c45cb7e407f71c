import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SeenHandshake } from '../../src/shared/protocol/account.ts';
import { refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

describe('/account/seen and ticket handshakes (chapter 10)', () => {
  let running: RunningServer;

  beforeEach(async () => {
    running = await startServer({ ticketTtlMs: 200 });
  });

  afterEach(async () => {
    await running.close();
  });

  async function post(path: string, cookie: string, body?: string): Promise<Response> {
    return fetch(`${running.httpUrl}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });
  }

  it('records each ticket refused at the handshake with its HTTP status, which the page cannot see', async () => {
    const login = await post('/account/login', '', JSON.stringify({ name: 'ada' }));
    const cookie = login.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const ticket = async () => ((await (await post('/account/ticket', cookie)).json()) as { ticket: string }).ticket;
    const expired = await ticket();
    const used = await ticket();
    const accepted = new WebSocket(`${running.wsUrl}/ws/account/ticket?ticket=${used}`, { headers: { cookie } });
    await once(accepted, 'open');
    accepted.close();
    expect((await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=${used}`, { headers: { cookie } })).status).toBe(409);
    expect((await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=${'A'.repeat(32)}`, { headers: { cookie } })).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=${expired}`, { headers: { cookie } })).status).toBe(410);
    expect((await refusedHandshake(`${running.wsUrl}/ws/account/ticket?ticket=short`, { headers: { cookie } })).status).toBe(400);
    const seen = (await (await fetch(`${running.httpUrl}/account/seen`, { headers: { cookie } })).json()) as { handshakes: SeenHandshake[] };
    // Only refusals are recorded: the accepted handshake is not there.
    expect(seen.handshakes.map(({ path, cookies, verdict }) => ({ path, cookies, verdict }))).toEqual([
      { path: '/ws/account/ticket', cookies: ['sb_session', 'sb_strict', 'sb_none'], verdict: 'refused: HTTP 409, ticket already used' },
      { path: '/ws/account/ticket', cookies: ['sb_session', 'sb_strict', 'sb_none'], verdict: 'refused: HTTP 403, unknown ticket' },
      { path: '/ws/account/ticket', cookies: ['sb_session', 'sb_strict', 'sb_none'], verdict: 'refused: HTTP 410, ticket expired' },
      { path: '/ws/account/ticket', cookies: ['sb_session', 'sb_strict', 'sb_none'], verdict: 'refused: HTTP 400, malformed ticket' },
    ]);
    // Ticket values are never recorded.
    for (const secret of [expired, used]) expect(JSON.stringify(seen)).not.toContain(secret);
  });
});
