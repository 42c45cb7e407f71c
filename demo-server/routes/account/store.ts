import { createHash, randomBytes } from 'node:crypto';
import type { RouteContext } from '../../core/route.ts';
import { TICKET_PATTERN, type SeenHandshake } from '../../../src/shared/protocol/account.ts';

/**
 * The demo account's memory: sessions, one-time tickets and the handshakes
 * the server saw, all bounded. Secrets (session ids, tickets) are random
 * (24 bytes, base64url) and kept only as SHA-256 digests: a lookup compares
 * digests, so its timing says nothing about the secret, and a dump of the
 * store holds no usable credential.
 */

/** Most sessions at once; the oldest is forgotten first. */
export const MAX_SESSIONS = 1_000;
/** Most sessions one address holds (a class behind one NAT shares one). */
export const MAX_SESSIONS_PER_ADDRESS = 50;
/** Most tickets remembered (unused, used or expired, to tell them apart); the oldest go first. */
export const MAX_TICKETS = 2_000;
/** Unused tickets one session may hold at once. */
export const MAX_TICKETS_PER_SESSION = 20;
/** How long a used or expired ticket is remembered, so reuse gets 409/410 rather than 403. */
const TICKET_MEMORY_MS = 10 * 60_000;
/** Handshakes remembered per session, and per address for handshakes that carried no account cookie. */
export const SEEN_PER_KEY = 20;
/** Addresses whose cookie-less handshakes are remembered. */
const MAX_SEEN_ADDRESSES = 1_000;

export interface Session {
  readonly key: string;
  readonly name: string;
  readonly address: string;
  readonly seen: SeenHandshake[];
}

interface Ticket {
  readonly sessionKey: string;
  readonly name: string;
  readonly expiresAt: number;
  used: boolean;
}

/** What a presented ticket turned out to be. */
export type TicketVerdict =
  | { readonly ok: true; readonly name: string; readonly sessionKey: string }
  | { readonly ok: false; readonly problem: 'malformed' | 'forged' | 'reused' | 'expired' };

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Drops the oldest entries of `map` (insertion order) until it has fewer than `max`. */
function trimOldest<K, V>(map: Map<K, V>, max: number, dropped?: (value: V) => void): void {
  for (const [key, value] of map) {
    if (map.size < max) return;
    map.delete(key);
    dropped?.(value);
  }
}

function remember<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > SEEN_PER_KEY) list.splice(0, list.length - SEEN_PER_KEY);
}

export class AccountStore {
  readonly #sessions = new Map<string, Session>();
  readonly #tickets = new Map<string, Ticket>();
  readonly #seenWithoutCookie = new Map<string, SeenHandshake[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Starts a session for `name` from `address`; returns its id, the cookie value (shown to no one else). */
  login(name: string, address: string): string {
    const fromAddress = [...this.#sessions.values()].filter((session) => session.address === address);
    for (const old of fromAddress.slice(0, Math.max(0, fromAddress.length - MAX_SESSIONS_PER_ADDRESS + 1))) this.#forget(old.key);
    trimOldest(this.#sessions, MAX_SESSIONS);
    const id = randomSecret();
    const key = digest(id);
    this.#sessions.set(key, { key, name, address, seen: [] });
    return id;
  }

  /** The session a cookie value names, or `null`. */
  session(id: string | undefined): Session | null {
    if (id === undefined || id.length > 100) return null;
    return this.#sessions.get(digest(id)) ?? null;
  }

  logout(id: string | undefined): void {
    const session = this.session(id);
    if (session !== null) this.#forget(session.key);
  }

  #forget(key: string): void {
    this.#sessions.delete(key);
    for (const [ticketKey, ticket] of this.#tickets) if (ticket.sessionKey === key) this.#tickets.delete(ticketKey);
  }

  /** A new one-time ticket for `session`, valid `ttlMs`. */
  issueTicket(session: Session, ttlMs: number): string {
    const now = this.#now();
    for (const [key, ticket] of this.#tickets) if (ticket.expiresAt + TICKET_MEMORY_MS < now) this.#tickets.delete(key);
    const unused = [...this.#tickets].filter(([, ticket]) => ticket.sessionKey === session.key && !ticket.used && ticket.expiresAt > now);
    for (const [key] of unused.slice(0, Math.max(0, unused.length - MAX_TICKETS_PER_SESSION + 1))) this.#tickets.delete(key);
    trimOldest(this.#tickets, MAX_TICKETS);
    const ticket = randomSecret();
    this.#tickets.set(digest(ticket), { sessionKey: session.key, name: session.name, expiresAt: now + ttlMs, used: false });
    return ticket;
  }

  /** Uses `ticket` up: valid once, within its time. */
  redeemTicket(ticket: string): TicketVerdict {
    if (!TICKET_PATTERN.test(ticket)) return { ok: false, problem: 'malformed' };
    const entry = this.#tickets.get(digest(ticket));
    if (entry === undefined) return { ok: false, problem: 'forged' };
    if (entry.used) return { ok: false, problem: 'reused' };
    if (entry.expiresAt <= this.#now()) return { ok: false, problem: 'expired' };
    entry.used = true;
    return { ok: true, name: entry.name, sessionKey: entry.sessionKey };
  }

  /** Records an account handshake: with the session its cookie named, else (no account cookie) by address. */
  saw(handshake: SeenHandshake, session: Session | null, address: string, carriedAccountCookie: boolean): void {
    if (session !== null) {
      remember(session.seen, handshake);
      return;
    }
    if (carriedAccountCookie) return;
    let list = this.#seenWithoutCookie.get(address);
    if (list === undefined) {
      trimOldest(this.#seenWithoutCookie, MAX_SEEN_ADDRESSES);
      list = [];
      this.#seenWithoutCookie.set(address, list);
    }
    remember(list, handshake);
  }

  /** What `/account/seen` shows a session: its handshakes and its address's cookie-less ones, oldest first. */
  seenBy(session: Session, address: string): SeenHandshake[] {
    return [...session.seen, ...(this.#seenWithoutCookie.get(address) ?? [])].sort((a, b) => a.at - b.at);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  dispose(): void {
    this.#sessions.clear();
    this.#tickets.clear();
    this.#seenWithoutCookie.clear();
  }
}

const stores = new WeakMap<RouteContext, AccountStore>();

/** The one store of a server: its account routes share it through their context. */
export function accountStoreOf(context: RouteContext): AccountStore {
  let store = stores.get(context);
  if (store === undefined) {
    store = new AccountStore();
    stores.set(context, store);
  }
  return store;
}
