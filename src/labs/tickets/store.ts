import { closeCodeName, shouldReconnectAfter } from '../../shared/close-policy.ts';
import { ACCOUNT_SESSION_MS, accountTicketEndpoint, type AccountChannel, type SeenHandshake } from '../../shared/protocol/account.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';
import { closeInfoOf, SOCKET_OPEN, type CloseInfo, type SocketLike } from '../../shared/socket-like.ts';

/**
 * State of the tickets lab (chapter 10), with no DOM and no network of its
 * own: the HTTP calls (`/account/*`) and the socket come in through
 * `TicketsLabOptions`. The reader logs in to the fake demo account, gets a
 * one-time ticket, connects to `/ws/account/ticket` with it in the URL or as
 * the first message, reads and posts; the lab refreshes the ticket after
 * 4401 (credentials expired) and stops after a refusal.
 */

/** What an `/account/*` call answered: its JSON, or the HTTP status and `error` text. */
export type HttpResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly error: string };

/** The demo server's account API as the lab uses it (fetch in the page, fakes in tests). */
export interface AccountApi {
  me(): Promise<HttpResult<{ account: { name: string } }>>;
  login(name: string): Promise<HttpResult<{ account: { name: string } }>>;
  ticket(): Promise<HttpResult<{ ticket: string; expiresInMs: number }>>;
  /** The account handshakes the server saw for this session, refusals with their HTTP status. */
  seen(): Promise<HttpResult<{ handshakes: readonly SeenHandshake[] }>>;
}

/** Where the ticket goes: `?ticket=` in the handshake's URL, or `{ type: "auth" }` as the first message. */
export type TicketMode = 'url' | 'message';

/** How a connection attempt presents itself: a fresh ticket, or one of the bad cases. */
export type AttemptKind = 'fresh' | 'reuse' | 'forged' | 'expired' | 'silent';

/** `idle` before any connection; `waiting` for a ticket to expire; `connecting` (handshake); `authenticating` (open, no welcome yet); `open` (welcomed); `closed`. */
export type TicketConnectionState = 'idle' | 'waiting' | 'connecting' | 'authenticating' | 'open' | 'closed';

/** The status dot's states (LabHeader). */
export type StatusDot = 'idle' | 'connecting' | 'open' | 'closed' | 'unreachable';

export interface TicketLogEntry {
  readonly id: number;
  readonly kind: 'sent' | 'received' | 'event' | 'refused' | 'refresh';
  readonly text: string;
}

export interface HeldTicket {
  readonly value: string;
  /** Monotonic milliseconds at which the server stops accepting it. */
  readonly expiresAt: number;
  readonly used: boolean;
}

export interface TicketsLabSnapshot {
  /** `unknown` until `/account/me` answered. */
  readonly account: { readonly state: 'unknown' | 'anonymous' | 'logged-in'; readonly name: string | null };
  readonly ticket: HeldTicket | null;
  readonly mode: TicketMode;
  readonly connection: TicketConnectionState;
  readonly status: { readonly dot: StatusDot; readonly text: string };
  /** Automatic refreshes after 4401 since the reader last pressed a connect button. */
  readonly refreshes: number;
  /** The last URL a socket was opened with (it may hold a ticket). */
  readonly lastUrl: string | null;
  /** The last URL whose handshake succeeded (101 Switching Protocols). */
  readonly lastOpenedUrl: string | null;
  readonly log: readonly TicketLogEntry[];
}

export interface TicketsLabOptions {
  readonly api: AccountApi;
  readonly openSocket: (url: string) => SocketLike;
  /** The demo server's WebSocket origin, `ws://host:port`. */
  readonly server: string;
  /** How long each connection's credentials last (`?sessionMs=`). */
  readonly sessionMs: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
  /** Epoch milliseconds, to compare with the server's record of a handshake. */
  readonly wallNow?: () => number;
  readonly setTimer?: (callback: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
  /** Random bytes for the forged ticket. */
  readonly randomBytes?: (count: number) => Uint8Array;
}

/** Automatic refreshes per press of a connect button: enough to see it work, few enough to end. */
export const MAX_LAB_REFRESHES = 3;
/** Log entries kept. */
const MAX_LOG = 200;
/** The endpoint's path, as the server records it in /account/seen. */
const TICKET_PATH = accountTicketEndpoint.path;
/** A record in /account/seen older than this is not the handshake that just failed (or the clocks differ too much to tell). */
const SEEN_FRESH_MS = 30_000;
/** Delay before coming back after the server went away (not after 4401, where a new ticket is all it takes). */
const RECONNECT_DELAY_MS = 1_000;
/** Margin around a ticket's expiry: waiting past it by this much, and not using a ticket this close to it. */
const EXPIRY_MARGIN_MS = 1_000;

/** Close codes of `/ws/account/ticket` that refuse a ticket or a client, and what the reader does about each. */
const REFUSALS: Readonly<Record<number, string>> = {
  4400: 'the first message was not a valid auth message',
  4403: 'the server never issued this ticket',
  4408: 'no auth message arrived in time',
  4409: 'this ticket was already used',
  4410: 'this ticket expired before it was used',
};

/** What the lab does after a close: refresh the ticket and reconnect, reconnect with a fresh ticket after a failure, or stop. */
export type AfterClose = 'refresh' | 'reconnect' | 'stop';

/**
 * The lab's reconnect policy. 4401 after a welcome means "your credentials
 * ran out": a fresh ticket fixes that, so come back once with one. Every
 * other 4400–4499 close refused this ticket or this client, and a handshake
 * that never opened was refused too (the browser hides its HTTP status):
 * coming back would be refused again, which is the seed's reconnect-on-every-
 * close loop. Other codes follow the cells' close policy (`close-policy.ts`).
 */
export function afterTicketClose(close: CloseInfo, opened: boolean, welcomed: boolean): AfterClose {
  if (!opened) return 'stop';
  if (close.code === 4401) return welcomed ? 'refresh' : 'stop';
  return shouldReconnectAfter(close.code) && welcomed ? 'reconnect' : 'stop';
}

function base64url(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return [...bytes].map((byte) => alphabet[byte % 64] ?? 'A').join('');
}

/** The ticket endpoint's URL, with the ticket in the query when `ticket` is given. */
export function ticketUrl(server: string, sessionMs: number, ticket: string | null): string {
  const query = new URLSearchParams();
  if (ticket !== null) query.set('ticket', ticket);
  query.set(ACCOUNT_SESSION_MS.query, String(sessionMs));
  return `${server}${TICKET_PATH}?${query.toString()}`;
}

/** `"the reason"` in quotes, or nothing. */
function quoted(reason: string): string {
  return reason === '' ? '' : ` "${reason}"`;
}

export class TicketsLabStore extends SnapshotStore<TicketsLabSnapshot> {
  readonly #options: Required<TicketsLabOptions>;
  #socket: SocketLike | null = null;
  /** Incremented per attempt, so events of an old socket are ignored. */
  #generation = 0;
  #opened = false;
  #welcomed = false;
  #closedByReader = false;
  #kind: AttemptKind = 'fresh';
  #lastUsedTicket: string | null = null;
  #waitTimer: unknown = null;
  /** Server time of the last refusal shown from /account/seen, so an old one is never shown again. */
  #lastRefusalAt = 0;
  #nextId = 1;

  constructor(options: TicketsLabOptions) {
    super({
      account: { state: 'unknown', name: null },
      ticket: null,
      mode: 'url',
      connection: 'idle',
      status: { dot: 'idle', text: 'Not connected. Log in, get a ticket, then connect.' },
      refreshes: 0,
      lastUrl: null,
      lastOpenedUrl: null,
      log: [],
    });
    this.#options = {
      now: () => performance.now(),
      wallNow: () => Date.now(),
      setTimer: (callback, ms) => setTimeout(callback, ms),
      clearTimer: (timer) => {
        clearTimeout(timer as ReturnType<typeof setTimeout>);
      },
      randomBytes: (count) => crypto.getRandomValues(new Uint8Array(count)),
      ...options,
    };
  }

  /** Whether there is a ticket to reuse. */
  get canReuse(): boolean {
    return this.#lastUsedTicket !== null;
  }

  /** Asks the server whether this browser is logged in. */
  async checkAccount(): Promise<void> {
    const me = await this.#options.api.me();
    if (me.ok) this.update({ account: { state: 'logged-in', name: me.value.account.name } });
    else if (me.status === 401) this.update({ account: { state: 'anonymous', name: null } });
    else this.#status('unreachable', `Could not ask the server who you are: HTTP ${String(me.status)} ${me.error}`);
  }

  async login(name: string): Promise<void> {
    const answer = await this.#options.api.login(name);
    if (!answer.ok) {
      this.#status('closed', `The server refused the login: HTTP ${String(answer.status)} ${answer.error}`);
      return;
    }
    this.update({ account: { state: 'logged-in', name: answer.value.account.name } });
    this.#log('event', `Logged in as ${answer.value.account.name}: the server set the session cookie.`);
    if (this.snapshot.connection === 'idle') this.#status('idle', `Logged in as ${answer.value.account.name}. Get a ticket, then connect.`);
  }

  /** POST /account/ticket: a new one-time ticket. Returns it, or `null` after saying why not. */
  async fetchTicket(): Promise<HeldTicket | null> {
    const answer = await this.#options.api.ticket();
    if (!answer.ok) {
      const hint = answer.status === 401 ? ' Log in first: the ticket is issued to the session cookie.' : '';
      this.#status('closed', `No ticket: the server answered HTTP ${String(answer.status)} ${answer.error}.${hint}`);
      this.#log('refused', `POST /account/ticket → ${String(answer.status)} ${answer.error}`);
      if (answer.status === 401) this.update({ account: { state: 'anonymous', name: null } });
      return null;
    }
    const ticket: HeldTicket = { value: answer.value.ticket, expiresAt: this.#options.now() + answer.value.expiresInMs, used: false };
    this.update({ ticket });
    this.#log('event', `POST /account/ticket → a ticket valid for ${formatSeconds(answer.value.expiresInMs)}, once.`);
    return ticket;
  }

  setMode(mode: TicketMode): void {
    this.update({ mode });
  }

  /** A reader's connect button: a fresh attempt of `kind`; resets the refresh count. */
  async connect(kind: AttemptKind): Promise<void> {
    this.#stopSocket();
    this.update({ refreshes: 0 });
    await this.#attempt(kind);
  }

  /** Closes the connection with 1000; the lab does not come back. */
  disconnect(): void {
    if (this.#waitTimer !== null) {
      this.#options.clearTimer(this.#waitTimer);
      this.#waitTimer = null;
      this.#generation += 1;
      this.update({ connection: 'closed' });
      this.#status('closed', 'Stopped waiting. Not connected.');
      return;
    }
    if (this.#socket === null) return;
    this.#closedByReader = true;
    this.#socket.close(1000, 'reader disconnected');
  }

  read(channel: AccountChannel): void {
    this.#send({ type: 'read', channel });
  }

  post(channel: AccountChannel, text: string): void {
    this.#send({ type: 'post', channel, text });
  }

  /** Ends everything (the element left the page). */
  dispose(): void {
    this.#stopSocket();
    this.forgetListeners();
  }

  #stopSocket(): void {
    this.#generation += 1;
    if (this.#waitTimer !== null) this.#options.clearTimer(this.#waitTimer);
    this.#waitTimer = null;
    if (this.#socket !== null && this.#socket.readyState <= SOCKET_OPEN) this.#socket.close(1000, 'new attempt');
    this.#socket = null;
  }

  async #attempt(kind: AttemptKind): Promise<void> {
    const generation = this.#generation;
    this.#kind = kind;
    let ticket: string | null;
    switch (kind) {
      case 'fresh': {
        const held = this.snapshot.ticket;
        const usable = held !== null && !held.used && held.expiresAt - EXPIRY_MARGIN_MS > this.#options.now() ? held : await this.fetchTicket();
        if (usable === null) return;
        ticket = usable.value;
        break;
      }
      case 'reuse':
        ticket = this.#lastUsedTicket;
        if (ticket === null) {
          this.#status('idle', 'No ticket has been used yet: connect once with a fresh ticket, then reuse it.');
          return;
        }
        break;
      case 'forged':
        // Well-formed (32 base64url characters), so the server looks it up and finds nothing: 403, not 400.
        ticket = base64url(this.#options.randomBytes(32));
        this.#log('event', `Made up a ticket the server never issued: ${ticket}`);
        break;
      case 'expired': {
        const fresh = await this.fetchTicket();
        if (fresh === null || generation !== this.#generation) return;
        const waitMs = Math.max(0, fresh.expiresAt - this.#options.now()) + EXPIRY_MARGIN_MS;
        this.update({ connection: 'waiting' });
        this.#status('connecting', `Waiting ${formatSeconds(waitMs)} for the ticket to expire, then connecting with it…`);
        await new Promise<void>((resolve) => {
          this.#waitTimer = this.#options.setTimer(resolve, waitMs);
        });
        this.#waitTimer = null;
        ticket = fresh.value;
        break;
      }
      case 'silent':
        ticket = null;
        break;
    }
    if (generation !== this.#generation) return;
    this.#open(ticket);
  }

  #open(ticket: string | null): void {
    const generation = ++this.#generation;
    const inUrl = ticket !== null && this.snapshot.mode === 'url';
    const url = ticketUrl(this.#options.server, this.#options.sessionMs, inUrl ? ticket : null);
    this.#opened = false;
    this.#welcomed = false;
    this.#closedByReader = false;
    if (ticket !== null) {
      this.#lastUsedTicket = ticket;
      const held = this.snapshot.ticket;
      if (held !== null && held.value === ticket) this.update({ ticket: { ...held, used: true } });
    }
    const how = ticket === null ? 'with no ticket at all' : inUrl ? 'with the ticket in the URL' : 'with the ticket as the first message';
    this.update({ connection: 'connecting', lastUrl: url });
    this.#status('connecting', `Connecting ${how}…`);
    this.#log('event', `Connecting ${how}: ${url}`);
    const socket = this.#options.openSocket(url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (generation !== this.#generation) return;
      this.#opened = true;
      this.update({ connection: 'authenticating', lastOpenedUrl: url });
      if (ticket !== null && !inUrl) {
        this.#send({ type: 'auth', ticket });
        this.#status('connecting', 'Open; sent the ticket as the first message. Waiting for the welcome…');
      } else if (ticket === null) {
        this.#status('connecting', 'Open, and saying nothing: the server waits 5 s for an auth message…');
      } else {
        this.#status('connecting', 'Open. Waiting for the welcome…');
      }
    });
    socket.addEventListener('message', (event) => {
      if (generation !== this.#generation) return;
      this.#received(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (generation !== this.#generation) return;
      this.#closed(closeInfoOf(event));
    });
  }

  #received(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.#log('received', `← (not JSON) ${data.slice(0, 200)}`);
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const typed = message as { type?: unknown; account?: { name?: unknown }; sessionExpiresInMs?: unknown; channel?: unknown; messages?: unknown; message?: { from?: unknown; text?: unknown }; error?: unknown };
    switch (typed.type) {
      case 'welcome': {
        this.#welcomed = true;
        const name = typeof typed.account?.name === 'string' ? typed.account.name : '?';
        const expiresMs = typeof typed.sessionExpiresInMs === 'number' ? typed.sessionExpiresInMs : this.#options.sessionMs;
        this.update({ connection: 'open' });
        this.#log('received', `← welcome: authenticated as ${name}; the credentials last ${formatSeconds(expiresMs)}`);
        const refreshed = this.snapshot.refreshes > 0 ? ` (after refresh ${String(this.snapshot.refreshes)})` : '';
        this.#status('open', `Open: authenticated as ${name}${refreshed}. In ${formatSeconds(expiresMs)} the server closes with 4401; the lab then fetches a new ticket and reconnects.`);
        return;
      }
      case 'messages': {
        const list = Array.isArray(typed.messages) ? (typed.messages as { from?: unknown; text?: unknown }[]) : [];
        const lines = list.slice(-5).map((item) => `${String(item.from)}: ${String(item.text)}`);
        this.#log('received', `← ${String(typed.channel)}: ${String(list.length)} message${list.length === 1 ? '' : 's'}${lines.length > 0 ? `: ${lines.join(' · ')}` : ''}`);
        return;
      }
      case 'posted':
        this.#log('received', `← posted to ${String(typed.channel)}: ${String(typed.message?.from)}: ${String(typed.message?.text)}`);
        return;
      case 'error':
        this.#log('refused', `← error ${String(typed.error)}: ${String((message as { message?: unknown }).message)} (the connection stays open)`);
        return;
      default:
        this.#log('received', `← ${data.slice(0, 200)}`);
    }
  }

  #closed(close: CloseInfo): void {
    this.#socket = null;
    this.update({ connection: 'closed' });
    const name = `${String(close.code)} ${closeCodeName(close.code)}`;
    if (this.#closedByReader) {
      this.#log('event', `You closed the connection with 1000; the server answered ${name}.`);
      this.#status('closed', 'Closed by you (1000). Not reconnecting: you ended it on purpose.');
      return;
    }
    if (!this.#opened) {
      this.#refusedHandshake(close);
      return;
    }
    const action = afterTicketClose(close, this.#opened, this.#welcomed);
    this.#log('refused', `The server closed with ${name}${quoted(close.reason)}${close.wasClean ? '' : ' (not clean)'}.`);
    const said = `The server closed with ${String(close.code)}${quoted(close.reason)}`;
    if (action === 'refresh' || action === 'reconnect') {
      if (this.snapshot.refreshes >= MAX_LAB_REFRESHES) {
        this.#status('closed', `${said}. The lab stops after ${String(MAX_LAB_REFRESHES)} automatic refreshes; a real client would go on. Press Connect to start again.`);
        return;
      }
      const refreshes = this.snapshot.refreshes + 1;
      this.update({ refreshes });
      const why = action === 'refresh' ? 'credentials expired' : 'the connection failed';
      this.#log('refresh', `Refresh ${String(refreshes)}: ${why}, so the lab fetches a new ticket and reconnects, once.`);
      this.#status('connecting', `${said}. Fetching a fresh ticket and reconnecting (refresh ${String(refreshes)} of at most ${String(MAX_LAB_REFRESHES)})…`);
      if (action === 'refresh') {
        void this.#attempt('fresh');
        return;
      }
      // The server went away or restarted (1001, 1006, 1012…): give it a moment before coming back.
      const generation = this.#generation;
      this.#waitTimer = this.#options.setTimer(() => {
        this.#waitTimer = null;
        if (generation === this.#generation) void this.#attempt('fresh');
      }, RECONNECT_DELAY_MS);
      return;
    }
    const refusal = REFUSALS[close.code];
    const what = refusal === undefined ? 'the close-code policy says do not come straight back' : `${refusal}; the same ticket would be refused again`;
    const then = close.code === 4401 ? 'no welcome arrived, so a new ticket would not help' : what;
    this.#status('closed', `${said}. Not reconnecting: ${then}. ${this.#nextStep(close.code)}`);
  }

  #refusedHandshake(close: CloseInfo): void {
    const generation = this.#generation;
    const inUrl = this.#kind !== 'silent' && this.snapshot.mode === 'url';
    const sent = inUrl ? ' The ticket was in the URL, so the server checked it before the upgrade.' : '';
    const failed = `The handshake failed before the connection opened. The browser reports only an error and ${String(close.code)}; it hides the HTTP status from the page.${sent}`;
    const then = `Not reconnecting: a refused ticket stays refused. ${this.#nextStep(close.code)}`;
    this.#log('refused', `The handshake failed: the page got ${String(close.code)} ${closeCodeName(close.code)} and no HTTP status.`);
    this.#status('closed', `${failed} ${then}`);
    if (!inUrl) return;
    // The server keeps the status for this session: ask it (GET /account/seen), as the page itself cannot see it.
    void this.#options.api.seen().then((answer) => {
      if (!answer.ok || generation !== this.#generation) return;
      const refusal = answer.value.handshakes.findLast((handshake) => handshake.path === TICKET_PATH && handshake.verdict.startsWith('refused: '));
      if (refusal === undefined || refusal.at <= this.#lastRefusalAt || Math.abs(this.#options.wallNow() - refusal.at) > SEEN_FRESH_MS) return;
      this.#lastRefusalAt = refusal.at;
      const verdict = refusal.verdict.slice('refused: '.length);
      this.#log('refused', `GET /account/seen: the server refused that handshake with ${verdict}.`);
      this.#status('closed', `${failed} The server's record (GET /account/seen) says: ${verdict}. ${then}`);
    });
  }


  #nextStep(code: number): string {
    if (code === 4408) return 'Press Connect to send a ticket this time.';
    return 'Press Connect to use a fresh ticket.';
  }

  #send(message: object): void {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== SOCKET_OPEN) {
      this.#log('event', `Not sent (not connected): ${JSON.stringify(message)}`);
      return;
    }
    const text = JSON.stringify(message);
    socket.send(text);
    this.#log('sent', `→ ${text}`);
  }

  #status(dot: StatusDot, text: string): void {
    this.update({ status: { dot, text } });
  }

  #log(kind: TicketLogEntry['kind'], text: string): void {
    const log = [...this.snapshot.log, { id: this.#nextId++, kind, text }];
    this.update({ log: log.length > MAX_LOG ? log.slice(-MAX_LOG) : log });
  }
}

/** `6 s`, `0.5 s`. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1)} s`;
}
