import { SnapshotStore } from '../../shared/snapshot-store.ts';
import type { Account, SeenHandshake } from '../../shared/protocol/account.ts';

/**
 * State of the hijack lab (chapter 10): the reader's fake account, and each
 * attack an attacker page made on it, with what the attacker page reported
 * and what the server says it received (`/account/seen`). No DOM and no
 * network of its own: the element passes an `AccountApi` (fetch) and the
 * attacker pages' `postMessage` reports.
 */

export type AttackTarget = 'unsafe' | 'safe';
export const ATTACK_TARGETS: readonly AttackTarget[] = ['unsafe', 'safe'];

/** What the site's own `/account/*` answers, as the lab needs it. */
export interface AccountApi {
  /** The attacker page's port (`null`: the server runs without it). Rejects when the page's server has no `/account/*`. */
  attackerPort(): Promise<number | null>;
  me(): Promise<Account | null>;
  /** The account, or the server's reason for refusing the name. */
  login(name: string): Promise<{ readonly account: Account } | { readonly error: string }>;
  logout(): Promise<void>;
  /** The account handshakes the server saw for this session, or `null` when not logged in. */
  seen(): Promise<SeenHandshake[] | null>;
}

/** The attacker page's report (`demo-server/attacker/page.js`); it may come twice, and the last one counts. */
export interface AttackerReport {
  readonly outcome: 'stolen' | 'anonymous' | 'refused' | 'closed' | 'invalid';
  readonly account: Account | null;
  readonly serverSawOrigin: string | null;
  readonly cookies: readonly string[];
  readonly closeCode: number | null;
}

/** What the server recorded for one attack: found in `/account/seen`, not there, or not readable (logged out). */
export type ServerView =
  | { readonly kind: 'pending' }
  | { readonly kind: 'seen'; readonly handshake: SeenHandshake }
  | { readonly kind: 'missing' }
  | { readonly kind: 'logged-out' };

export interface Attack {
  readonly id: number;
  /** `http://localhost:4413` or `http://127.0.0.1:4413`. */
  readonly attackerOrigin: string;
  readonly target: AttackTarget;
  /** The URL the lab opens. */
  readonly url: string;
  /** The attacker page's last report; `null` until one arrives. */
  readonly report: AttackerReport | null;
  readonly server: ServerView;
}

export type HijackState = 'loading' | 'unavailable' | 'ready';

export interface HijackSnapshot {
  readonly state: HijackState;
  /** Why the lab cannot run (`unavailable`), or the last thing that went wrong. */
  readonly problem: string | null;
  readonly attackerPort: number | null;
  readonly account: Account | null;
  readonly attacks: readonly Attack[];
}

const INITIAL: HijackSnapshot = { state: 'loading', problem: null, attackerPort: null, account: null, attacks: [] };

const OUTCOMES: readonly AttackerReport['outcome'][] = ['stolen', 'anonymous', 'refused', 'closed', 'invalid'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function accountOf(value: unknown): Account | null {
  if (!isRecord(value)) return null;
  const { name, balance, secretNote, email } = value;
  if (typeof name !== 'string' || typeof balance !== 'string' || typeof secretNote !== 'string' || typeof email !== 'string') return null;
  return { name, balance, secretNote, email };
}

/**
 * The report in a `message` event's data, or `null` when it is not one: any
 * window may post to this page, so every field is checked before it is shown.
 */
export function parseAttackerReport(data: unknown): (AttackerReport & { readonly target: string; readonly origin: string }) | null {
  if (!isRecord(data) || data.source !== 'socketbook-attacker') return null;
  const outcome = OUTCOMES.find((candidate) => candidate === data.outcome);
  if (outcome === undefined || typeof data.target !== 'string' || typeof data.origin !== 'string') return null;
  return {
    target: data.target,
    origin: data.origin,
    outcome,
    account: accountOf(data.account),
    serverSawOrigin: stringOrNull(data.serverSawOrigin),
    cookies: Array.isArray(data.cookies) ? data.cookies.filter((name): name is string => typeof name === 'string') : [],
    closeCode: typeof data.closeCode === 'number' ? data.closeCode : null,
  };
}

function loopbackName(hostname: string): 'localhost' | '127.0.0.1' | null {
  if (hostname === 'localhost') return 'localhost';
  if (hostname === '127.0.0.1') return '127.0.0.1';
  return null;
}

/**
 * The two attacker origins for a page on `pageUrl`: the same site (the page's
 * own host name, another port) and another site (the other loopback name).
 * `null` when the page is not on a loopback name, where the demo has no
 * second name to use.
 */
export function attackerOrigins(pageUrl: string, attackerPort: number): { readonly sameSite: string; readonly crossSite: string } | null {
  const page = new URL(pageUrl);
  const name = loopbackName(page.hostname);
  if (name === null) return null;
  const other = name === 'localhost' ? '127.0.0.1' : 'localhost';
  return { sameSite: `http://${name}:${String(attackerPort)}`, crossSite: `http://${other}:${String(attackerPort)}` };
}

function key(handshake: SeenHandshake): string {
  return `${String(handshake.at)} ${handshake.path} ${handshake.origin ?? ''} ${handshake.verdict}`;
}

export class HijackStore extends SnapshotStore<HijackSnapshot> {
  readonly #api: AccountApi;
  readonly #victimOrigin: string;
  /** The `/account/seen` entries known before each attack, so its own entry is the new one. */
  readonly #seenBefore = new Map<number, Set<string>>();
  #nextId = 1;

  /** `victimOrigin` is the page's own origin: where the reader logs in, and the only origin the attacker page reports to. */
  constructor(api: AccountApi, victimOrigin: string) {
    super(INITIAL);
    this.#api = api;
    this.#victimOrigin = victimOrigin;
  }

  async load(): Promise<void> {
    try {
      const [attackerPort, account] = await Promise.all([this.#api.attackerPort(), this.#api.me()]);
      this.update({ state: 'ready', attackerPort, account, problem: null });
    } catch (error) {
      this.update({ state: 'unavailable', problem: error instanceof Error ? error.message : String(error) });
    }
  }

  async login(name: string): Promise<void> {
    try {
      const answer = await this.#api.login(name);
      if ('error' in answer) this.update({ problem: `Not logged in: ${answer.error}` });
      else this.update({ account: answer.account, problem: null });
    } catch (error) {
      this.update({ problem: `Not logged in: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  async logout(): Promise<void> {
    try {
      await this.#api.logout();
      this.update({ account: null, problem: null });
    } catch (error) {
      this.update({ problem: `Not logged out: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  /**
   * Starts an attack from `attackerOrigin` on `/ws/account/<target>`:
   * remembers what the server had seen so far, and returns the attacker
   * page's URL for the element to open.
   */
  async startAttack(attackerOrigin: string, target: AttackTarget): Promise<Attack> {
    const id = this.#nextId++;
    const seen = await this.#api.seen().catch(() => null);
    this.#seenBefore.set(id, new Set((seen ?? []).map(key)));
    const params = new URLSearchParams({ target, victim: this.#victimOrigin });
    const attack: Attack = { id, attackerOrigin, target, url: `${attackerOrigin}/?${params.toString()}`, report: null, server: { kind: 'pending' } };
    this.update({ attacks: [...this.snapshot.attacks, attack] });
    return attack;
  }

  /**
   * A `message` event from `origin`: the report of the latest attack from
   * that origin on that target (the last report wins). Then asks the server
   * what it received. Returns whether the message was a report.
   */
  async receive(origin: string, data: unknown): Promise<boolean> {
    const report = parseAttackerReport(data);
    if (report === null || report.origin !== origin) return false;
    const attack = this.snapshot.attacks.findLast((candidate) => candidate.attackerOrigin === origin && candidate.target === report.target);
    if (attack === undefined) return false;
    const { outcome, account, serverSawOrigin, cookies, closeCode } = report;
    this.#replace(attack.id, { report: { outcome, account, serverSawOrigin, cookies, closeCode } });
    await this.refreshServerView(attack.id);
    return true;
  }

  /** Looks the attack up in `/account/seen`: the first new entry for its path from its origin. */
  async refreshServerView(id: number): Promise<void> {
    const attack = this.snapshot.attacks.find((candidate) => candidate.id === id);
    if (attack === undefined) return;
    let seen: SeenHandshake[] | null;
    try {
      seen = await this.#api.seen();
    } catch (error) {
      this.update({ problem: `Could not ask the server what it received: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    if (seen === null) {
      this.#replace(id, { server: { kind: 'logged-out' } });
      return;
    }
    const before = this.#seenBefore.get(id) ?? new Set<string>();
    const path = `/ws/account/${attack.target}`;
    const handshake = seen.find((entry) => !before.has(key(entry)) && entry.path === path && entry.origin === attack.attackerOrigin);
    this.#replace(id, { server: handshake === undefined ? { kind: 'missing' } : { kind: 'seen', handshake } });
  }

  #replace(id: number, change: Partial<Attack>): void {
    this.update({ attacks: this.snapshot.attacks.map((attack) => (attack.id === id ? { ...attack, ...change } : attack)) });
  }
}
