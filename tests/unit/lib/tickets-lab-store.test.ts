import { describe, expect, it } from 'vitest';
import { afterTicketClose, MAX_LAB_REFRESHES, TicketsLabStore, ticketUrl, type AccountApi } from '../../../src/labs/tickets/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

const TICKETS = ['T'.repeat(32), 'U'.repeat(32), 'V'.repeat(32), 'W'.repeat(32), 'X'.repeat(32)];

function setup(api: Partial<AccountApi> = {}) {
  const sockets: { url: string; socket: FakeSocket }[] = [];
  let now = 0;
  let issued = 0;
  const timers: (() => void)[] = [];
  const store = new TicketsLabStore({
    api: {
      me: () => Promise.resolve({ ok: true, value: { account: { name: 'ada' } } }),
      login: (name) => Promise.resolve({ ok: true, value: { account: { name } } }),
      ticket: () => Promise.resolve({ ok: true, value: { ticket: TICKETS[issued++ % TICKETS.length] ?? '', expiresInMs: 10_000 } }),
      seen: () => Promise.resolve({ ok: true, value: { handshakes: [] } }),
      ...api,
    },
    openSocket: (url) => {
      const socket = new FakeSocket();
      sockets.push({ url, socket });
      return socket;
    },
    server: 'ws://demo:8080',
    sessionMs: 6_000,
    now: () => now,
    wallNow: () => 1_000_000,
    setTimer: (callback) => timers.push(callback),
    clearTimer: () => undefined,
    randomBytes: (count) => new Uint8Array(count).fill(1),
  });
  const last = () => sockets.at(-1)?.socket ?? new FakeSocket();
  const welcome = (socket = last()) => {
    socket.emit('message', { data: JSON.stringify({ type: 'welcome', account: { name: 'ada' }, sessionExpiresInMs: 6_000 }) });
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { store, sockets, last, welcome, settle, timers, issued: () => issued, advance: (ms: number) => (now += ms) };
}

describe('ticketUrl', () => {
  it('puts the ticket in the query only when given one', () => {
    expect(ticketUrl('ws://demo:8080', 6000, 'T'.repeat(32))).toBe(`ws://demo:8080/ws/account/ticket?ticket=${'T'.repeat(32)}&sessionMs=6000`);
    expect(ticketUrl('ws://demo:8080', 6000, null)).toBe('ws://demo:8080/ws/account/ticket?sessionMs=6000');
  });
});

describe('afterTicketClose', () => {
  it('refreshes after 4401 once welcomed, and stops after every refusal and a failed handshake', () => {
    expect(afterTicketClose({ code: 4401, reason: '', wasClean: true }, true, true)).toBe('refresh');
    expect(afterTicketClose({ code: 4401, reason: '', wasClean: true }, true, false)).toBe('stop');
    for (const code of [4400, 4403, 4408, 4409, 4410, 1000, 1008]) expect(afterTicketClose({ code, reason: '', wasClean: true }, true, true)).toBe('stop');
    expect(afterTicketClose({ code: 1006, reason: '', wasClean: false }, false, false)).toBe('stop');
    expect(afterTicketClose({ code: 1012, reason: '', wasClean: true }, true, true)).toBe('reconnect');
  });
});

describe('TicketsLabStore', () => {
  it('connects with a fresh ticket in the URL and says how long the credentials last', async () => {
    const { store, sockets, welcome } = setup();
    await store.connect('fresh');
    expect(sockets.map((entry) => entry.url)).toEqual([`ws://demo:8080/ws/account/ticket?ticket=${'T'.repeat(32)}&sessionMs=6000`]);
    sockets[0]?.socket.emit('open');
    expect(sockets[0]?.socket.sent).toEqual([]);
    welcome();
    expect(store.snapshot.connection).toBe('open');
    expect(store.snapshot.ticket?.used).toBe(true);
    expect(store.snapshot.status.text).toBe('Open: authenticated as ada. In 6 s the server closes with 4401; the lab then fetches a new ticket and reconnects.');
  });

  it('sends the ticket as the first message in message mode, and keeps the URL free of it', async () => {
    const { store, last } = setup();
    store.setMode('message');
    await store.connect('fresh');
    expect(store.snapshot.lastUrl).toBe('ws://demo:8080/ws/account/ticket?sessionMs=6000');
    last().emit('open');
    expect(last().sent).toEqual([JSON.stringify({ type: 'auth', ticket: 'T'.repeat(32) })]);
  });

  it('after 4401 fetches one new ticket and reconnects once, and stops after the lab limit', async () => {
    const { store, sockets, last, welcome, settle } = setup();
    await store.connect('fresh');
    for (let round = 1; round <= MAX_LAB_REFRESHES; round++) {
      last().emit('open');
      welcome();
      last().emit('close', { code: 4401, reason: 'credentials expired: fetch a new ticket', wasClean: true });
      await settle();
      expect(sockets).toHaveLength(round + 1);
      expect(store.snapshot.refreshes).toBe(round);
    }
    expect(sockets[1]?.url).toContain(`ticket=${'U'.repeat(32)}`);
    last().emit('open');
    welcome();
    last().emit('close', { code: 4401, reason: 'credentials expired: fetch a new ticket', wasClean: true });
    await settle();
    expect(sockets).toHaveLength(MAX_LAB_REFRESHES + 1);
    expect(store.snapshot.status.text).toBe(
      `The server closed with 4401 "credentials expired: fetch a new ticket". The lab stops after ${String(MAX_LAB_REFRESHES)} automatic refreshes; a real client would go on. Press Connect to start again.`,
    );
  });

  it('does not reconnect after a refusal by close code, and says why', async () => {
    const { store, sockets, last, settle } = setup();
    store.setMode('message');
    await store.connect('reuse');
    expect(sockets).toHaveLength(0);
    await store.connect('fresh');
    last().emit('open');
    last().emit('close', { code: 1006, reason: '', wasClean: false });
    await store.connect('reuse');
    last().emit('open');
    expect(last().sent).toEqual([JSON.stringify({ type: 'auth', ticket: 'T'.repeat(32) })]);
    last().emit('close', { code: 4409, reason: 'ticket already used: a ticket is valid once: fetch a new one', wasClean: true });
    await settle();
    expect(sockets).toHaveLength(2);
    expect(store.snapshot.status.text).toBe(
      'The server closed with 4409 "ticket already used: a ticket is valid once: fetch a new one". Not reconnecting: this ticket was already used; the same ticket would be refused again. Press Connect to use a fresh ticket.',
    );
  });

  it('says a refused handshake hides its status, and does not reconnect', async () => {
    const { store, sockets, last, settle } = setup();
    await store.connect('forged');
    expect(sockets[0]?.url).toBe(`ws://demo:8080/ws/account/ticket?ticket=${'B'.repeat(32)}&sessionMs=6000`);
    last().emit('error');
    last().emit('close', { code: 1006, reason: '', wasClean: false });
    await settle();
    expect(sockets).toHaveLength(1);
    expect(store.snapshot.status.text).toMatch(/^The handshake failed before the connection opened\. The browser reports only an error and 1006; it hides the HTTP status from the page\..* Not reconnecting/);
  });

  it('after a refused handshake, shows the status the server recorded for this session, once', async () => {
    const refusal = { at: 999_000, path: '/ws/account/ticket', origin: null, cookies: ['sb_session'], verdict: 'refused: HTTP 409, ticket already used' };
    const { store, last, settle } = setup({ seen: () => Promise.resolve({ ok: true, value: { handshakes: [{ ...refusal, path: '/ws/account/safe', at: 999_500 }, refusal] } }) });
    await store.connect('forged');
    last().emit('close', { code: 1006, reason: '', wasClean: false });
    await settle();
    expect(store.snapshot.status.text).toBe(
      "The handshake failed before the connection opened. The browser reports only an error and 1006; it hides the HTTP status from the page. The ticket was in the URL, so the server checked it before the upgrade. The server's record (GET /account/seen) says: HTTP 409, ticket already used. Not reconnecting: a refused ticket stays refused. Press Connect to use a fresh ticket.",
    );
    // The same record is not the answer for the next failure.
    await store.connect('forged');
    last().emit('close', { code: 1006, reason: '', wasClean: false });
    await settle();
    expect(store.snapshot.status.text).not.toContain("The server's record");
  });

  it('comes back with a fresh ticket a moment after the server restarts (1012)', async () => {
    const { store, sockets, last, welcome, timers, settle } = setup();
    await store.connect('fresh');
    last().emit('open');
    welcome();
    last().emit('close', { code: 1012, reason: 'restarting', wasClean: true });
    expect(sockets).toHaveLength(1);
    timers.shift()?.();
    await settle();
    expect(sockets).toHaveLength(2);
    expect(sockets[1]?.url).toContain(`ticket=${'U'.repeat(32)}`);
  });

  it('waits past the expiry before using an expired ticket', async () => {
    const { store, sockets, timers, settle } = setup();
    const connecting = store.connect('expired');
    await settle();
    expect(store.snapshot.connection).toBe('waiting');
    expect(sockets).toHaveLength(0);
    timers.shift()?.();
    await connecting;
    expect(sockets[0]?.url).toContain(`ticket=${'T'.repeat(32)}`);
  });

  it('connects with no ticket for the silent case, and logs a FORBIDDEN post without closing', async () => {
    const { store, last, welcome } = setup();
    await store.connect('silent');
    expect(store.snapshot.lastUrl).toBe('ws://demo:8080/ws/account/ticket?sessionMs=6000');
    last().emit('open');
    expect(last().sent).toEqual([]);
    welcome();
    store.post('announcements', 'hi');
    last().emit('message', { data: JSON.stringify({ type: 'error', error: 'FORBIDDEN', message: 'forbidden: members may read announcements but not post to it' }) });
    expect(store.snapshot.log.at(-1)?.text).toBe('← error FORBIDDEN: forbidden: members may read announcements but not post to it (the connection stays open)');
    expect(store.snapshot.connection).toBe('open');
  });

  it('asks the reader to log in when the ticket request is refused with 401', async () => {
    const { store, sockets } = setup({ ticket: () => Promise.resolve({ ok: false, status: 401, error: 'not logged in: POST /account/login first' }) });
    await store.connect('fresh');
    expect(sockets).toHaveLength(0);
    expect(store.snapshot.account.state).toBe('anonymous');
    expect(store.snapshot.status.text).toBe('No ticket: the server answered HTTP 401 not logged in: POST /account/login first. Log in first: the ticket is issued to the session cookie.');
  });
});
