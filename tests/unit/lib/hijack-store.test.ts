import { describe, expect, it } from 'vitest';
import { demoAccount, type Account, type SeenHandshake } from '../../../src/shared/protocol/account.ts';
import { attackerOrigins, HijackStore, parseAttackerReport, type AccountApi } from '../../../src/labs/hijack/store.ts';

/** An `/account/*` whose answers the test sets; `seen` is the server's list of handshakes. */
function fakeApi(seen: SeenHandshake[] | null): AccountApi & { seen(): Promise<SeenHandshake[] | null>; list: SeenHandshake[] | null } {
  const api = {
    list: seen,
    attackerPort: () => Promise.resolve(4413),
    me: () => Promise.resolve<Account | null>(null),
    login: (name: string) => Promise.resolve(name === 'x' ? { error: 'names have 2 to 24 characters' } : { account: demoAccount(name) }),
    logout: () => Promise.resolve(),
    seen: () => Promise.resolve(api.list === null ? null : [...api.list]),
  };
  return api;
}

const handshake = (at: number, origin: string, verdict = 'account sent'): SeenHandshake => ({ at, path: '/ws/account/unsafe', origin, cookies: ['sb_session'], verdict });

describe('the hijack lab store', () => {
  it('accepts only well-formed attacker reports, field by field', () => {
    expect(parseAttackerReport({ source: 'socketbook-attacker', target: 'unsafe', origin: 'http://localhost:4413', outcome: 'refused', account: null, closeCode: 1006 })).toEqual({
      target: 'unsafe',
      origin: 'http://localhost:4413',
      outcome: 'refused',
      account: null,
      serverSawOrigin: null,
      cookies: [],
      closeCode: 1006,
    });
    expect(parseAttackerReport({ source: 'other', target: 'unsafe', origin: 'x', outcome: 'stolen' })).toBeNull();
    expect(parseAttackerReport({ source: 'socketbook-attacker', target: 'unsafe', origin: 'x', outcome: 'pwned' })).toBeNull();
    expect(parseAttackerReport('<img src=x onerror=alert(1)>')).toBeNull();
    expect(parseAttackerReport({ source: 'socketbook-attacker', target: 'unsafe', origin: 'x', outcome: 'stolen', account: { name: 1 }, cookies: ['a', 2] })).toMatchObject({ account: null, cookies: ['a'] });
  });

  it('names the same-site and the cross-site attacker for a page on either loopback name, and none elsewhere', () => {
    expect(attackerOrigins('http://localhost:4412/security/', 4413)).toEqual({ sameSite: 'http://localhost:4413', crossSite: 'http://127.0.0.1:4413' });
    expect(attackerOrigins('http://127.0.0.1:4412/security/', 4413)).toEqual({ sameSite: 'http://127.0.0.1:4413', crossSite: 'http://localhost:4413' });
    expect(attackerOrigins('http://school.example:4412/security/', 4413)).toBeNull();
  });

  it("takes the attacker page's last report, and the server's new entry for that origin, not an older one", async () => {
    const api = fakeApi([handshake(1, 'http://localhost:4413', 'old')]);
    const store = new HijackStore(api, 'http://localhost:4412');
    await store.load();
    await store.login('ada');
    const attack = await store.startAttack('http://localhost:4413', 'unsafe');
    expect(attack.url).toBe('http://localhost:4413/?target=unsafe&victim=http%3A%2F%2Flocalhost%3A4412');
    api.list = [handshake(1, 'http://localhost:4413', 'old'), handshake(2, 'http://127.0.0.1:4413'), handshake(3, 'http://localhost:4413')];
    const report = { source: 'socketbook-attacker', target: 'unsafe', origin: 'http://localhost:4413', outcome: 'stolen', account: demoAccount('ada'), cookies: ['sb_session'] };
    expect(await store.receive('http://evil.example', report)).toBe(false);
    expect(await store.receive('http://localhost:4413', report)).toBe(true);
    expect(await store.receive('http://localhost:4413', { ...report, closeCode: 1001 })).toBe(true);
    const [seen] = store.snapshot.attacks;
    expect(seen?.report).toMatchObject({ outcome: 'stolen', closeCode: 1001 });
    expect(seen?.server).toEqual({ kind: 'seen', handshake: handshake(3, 'http://localhost:4413') });
  });

  it('says so when not logged in, or when the name is refused, or when the page has no account server', async () => {
    const api = fakeApi(null);
    const store = new HijackStore(api, 'http://localhost:4412');
    await store.login('x');
    expect(store.snapshot.problem).toBe('Not logged in: names have 2 to 24 characters');
    const attack = await store.startAttack('http://127.0.0.1:4413', 'safe');
    await store.refreshServerView(attack.id);
    expect(store.snapshot.attacks[0]?.server).toEqual({ kind: 'logged-out' });
    const broken = new HijackStore({ ...api, attackerPort: () => Promise.reject(new Error('no /account/config here')) }, 'http://localhost:4412');
    await broken.load();
    expect(broken.snapshot).toMatchObject({ state: 'unavailable', problem: 'no /account/config here' });
  });
});
