import { describe, expect, it } from 'vitest';
import { AccountStore, MAX_SESSIONS_PER_ADDRESS, MAX_TICKETS_PER_SESSION } from '../../demo-server/routes/account/store.ts';

describe('AccountStore', () => {
  it('keeps at most MAX_SESSIONS_PER_ADDRESS sessions per address, forgetting the oldest', () => {
    const store = new AccountStore();
    const ids = Array.from({ length: MAX_SESSIONS_PER_ADDRESS + 5 }, (_, index) => store.login(`user-${String(index)}`, '10.0.0.1'));
    const other = store.login('other', '10.0.0.2');
    expect(store.sessionCount).toBe(MAX_SESSIONS_PER_ADDRESS + 1);
    expect(store.session(ids[0])).toBeNull();
    expect(store.session(ids.at(-1))?.name).toBe(`user-${String(MAX_SESSIONS_PER_ADDRESS + 4)}`);
    expect(store.session(other)?.name).toBe('other');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps at most MAX_TICKETS_PER_SESSION unused tickets per session, and a ticket is valid once, then reused', () => {
    const store = new AccountStore();
    const session = store.session(store.login('ada', '10.0.0.1'));
    if (session === null) throw new Error('no session');
    const tickets = Array.from({ length: MAX_TICKETS_PER_SESSION + 1 }, () => store.issueTicket(session, 10_000));
    expect(store.redeemTicket(tickets[0] ?? '')).toEqual({ ok: false, problem: 'forged' });
    const last = tickets.at(-1) ?? '';
    expect(store.redeemTicket(last)).toMatchObject({ ok: true, name: 'ada' });
    expect(store.redeemTicket(last)).toEqual({ ok: false, problem: 'reused' });
  });

  it('tells expired from forged and malformed, and logout forgets the session and its tickets', () => {
    let now = 1_000;
    const store = new AccountStore(() => now);
    const id = store.login('ada', '10.0.0.1');
    const session = store.session(id);
    if (session === null) throw new Error('no session');
    const expiring = store.issueTicket(session, 100);
    const unused = store.issueTicket(session, 100_000);
    now += 101;
    expect(store.redeemTicket(expiring)).toEqual({ ok: false, problem: 'expired' });
    expect(store.redeemTicket('not a ticket')).toEqual({ ok: false, problem: 'malformed' });
    store.logout(id);
    expect(store.session(id)).toBeNull();
    expect(store.redeemTicket(unused)).toEqual({ ok: false, problem: 'forged' });
  });
});
