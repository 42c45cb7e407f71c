import type { AccountApi, HttpResult, TicketLogEntry, TicketMode, TicketsLabSnapshot, TicketsLabStore } from './store.ts';
import type { AccountChannel } from '../../shared/protocol/account.ts';
import { pageServer } from '../kit/page-server.ts';
import { create, part, serverLabel, setText, whenVisible } from '../kit/dom.ts';
import { KeyedList } from '../kit/keyed-list.ts';
import { clockTime } from '../../shared/format.ts';

const LAB = 'tickets-lab';

/** GET or POST an `/account/*` path of the demo server, JSON both ways. */
async function callAccount<T>(base: string, path: string, init: RequestInit = {}): Promise<HttpResult<T>> {
  try {
    // Relative to the page when the page's own server is used: /account/* checks Origin against Host.
    const response = await fetch(`${base}${path}`, { credentials: base === '' ? 'same-origin' : 'include', ...init });
    const body = (await response.json().catch(() => ({}))) as { error?: unknown };
    if (response.ok) return { ok: true, value: body as T };
    return { ok: false, status: response.status, error: typeof body.error === 'string' ? body.error : response.statusText };
  } catch (error) {
    return { ok: false, status: 0, error: `the request failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function accountApi(base: string): AccountApi {
  return {
    me: () => callAccount(base, '/account/me'),
    login: (name) => callAccount(base, '/account/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) }),
    ticket: () => callAccount(base, '/account/ticket', { method: 'POST' }),
    seen: () => callAccount(base, '/account/seen'),
  };
}

function logItem(entry: TicketLogEntry): HTMLLIElement {
  const item = create('li', undefined, entry.text);
  item.dataset.kind = entry.kind;
  return item;
}

/** `GET /ws/account/ticket?ticket=… HTTP/1.1`: the request line a proxy and an access log see. */
function requestLine(url: string): string {
  const parsed = new URL(url);
  return `GET ${parsed.pathname}${parsed.search} HTTP/1.1`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `06/Dec/2026:01:40:00 +0000`: the time as nginx and Apache access logs write it. */
function accessLogTime(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()] ?? ''}/${String(date.getUTCFullYear())}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/**
 * `<tickets-lab>`: wires TicketsLab.astro to a TicketsLabStore. It loads the
 * store when scrolled into view and asks the server whether this browser is
 * logged in; every other call waits for the reader's buttons.
 */
export class TicketsLabElement extends HTMLElement {
  #store: TicketsLabStore | null = null;
  #loading: Promise<TicketsLabStore> | null = null;
  #cancelVisible: (() => void) | null = null;
  #countdown: ReturnType<typeof setInterval> | null = null;
  /** The URL the access-log lines were last written for, so their time is the handshake's. */
  #loggedUrl: string | null = null;
  readonly #log = new KeyedList<TicketLogEntry>((entry) => entry.id);

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server', LAB).textContent = serverLabel();
    this.#cancelVisible = whenVisible(this, () => {
      void this.#load().then((store) => store.checkAccount());
    }, { rootMargin: '200px' });
    part<HTMLFormElement>(this, '.sb-tickets-login', LAB).addEventListener('submit', (event) => {
      event.preventDefault();
      const name = part<HTMLInputElement>(this, '[name="name"]', LAB).value;
      void this.#load().then((store) => store.login(name));
    });
    part<HTMLFormElement>(this, '.sb-tickets-post', LAB).addEventListener('submit', (event) => {
      event.preventDefault();
      const submitter = event.submitter;
      const channel: AccountChannel = submitter instanceof HTMLButtonElement && submitter.value === 'announcements' ? 'announcements' : 'general';
      const text = part<HTMLInputElement>(this, '[name="text"]', LAB).value;
      void this.#load().then((store) => {
        store.post(channel, text);
      });
    });
    this.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button[data-action]') : null;
      if (button === null) return;
      void this.#load().then((store) => this.#act(store, button));
    });
    for (const radio of this.querySelectorAll<HTMLInputElement>('[name="mode"]')) {
      radio.addEventListener('change', () => {
        if (radio.checked) void this.#load().then((store) => store.setMode(radio.value as TicketMode));
      });
    }
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    this.#store?.dispose();
    if (this.#countdown !== null) clearInterval(this.#countdown);
  }

  async #act(store: TicketsLabStore, button: HTMLButtonElement): Promise<void> {
    const action = button.dataset.action;
    switch (action) {
      case 'ticket':
        await store.fetchTicket();
        return;
      case 'connect':
      case 'reuse':
      case 'forged':
      case 'expired':
      case 'silent':
        await store.connect(action === 'connect' ? 'fresh' : action);
        return;
      case 'disconnect':
        store.disconnect();
        return;
      case 'read':
        store.read((button.value === 'announcements' ? 'announcements' : 'general'));
        return;
      default:
    }
  }

  #load(): Promise<TicketsLabStore> {
    this.#loading ??= import('./store.ts').then(({ TicketsLabStore }) => {
      const server = pageServer();
      const base = server.source === 'page' ? '' : server.url.replace(/^ws/, 'http');
      const sessionMs = Number(this.dataset.sessionMs);
      const store = new TicketsLabStore({ api: accountApi(base), openSocket: (url) => new WebSocket(url), server: server.url, sessionMs });
      this.#store = store;
      store.subscribe((snapshot) => {
        this.#render(snapshot);
      });
      this.#countdown = setInterval(() => {
        this.#renderTicket(store.snapshot);
      }, 250);
      return store;
    });
    return this.#loading;
  }

  #render(snapshot: TicketsLabSnapshot): void {
    part<HTMLElement>(this, '.sb-status', LAB).dataset.state = snapshot.status.dot;
    setText(part(this, '.sb-status-text', LAB), snapshot.status.text);
    const account = snapshot.account;
    setText(
      part(this, '.sb-tickets-account', LAB),
      account.state === 'logged-in' ? `Logged in as ${account.name ?? '?'} (the sb_session cookie).` : account.state === 'anonymous' ? 'Not logged in.' : 'Asking the server who you are…',
    );
    part<HTMLElement>(this, '.sb-tickets-login', LAB).hidden = account.state === 'logged-in';
    const connected = snapshot.connection === 'open' || snapshot.connection === 'authenticating';
    part<HTMLButtonElement>(this, '[data-action="disconnect"]', LAB).disabled = !connected && snapshot.connection !== 'waiting' && snapshot.connection !== 'connecting';
    part<HTMLButtonElement>(this, '[data-action="reuse"]', LAB).disabled = this.#store?.canReuse !== true;
    this.dataset.connection = snapshot.connection;
    this.dataset.refreshes = String(snapshot.refreshes);
    this.#renderTicket(snapshot);
    this.#log.update(part(this, '.sb-tickets-log', LAB), snapshot.log, logItem);
    const log = part<HTMLElement>(this, '.sb-tickets-log', LAB);
    log.scrollTop = log.scrollHeight;
    part<HTMLElement>(this, '.sb-tickets-empty', LAB).hidden = snapshot.log.length > 0;
    if (snapshot.lastUrl !== null) setText(part(this, '.sb-tickets-request-line', LAB), requestLine(snapshot.lastUrl));
    if (snapshot.lastOpenedUrl !== null && snapshot.lastOpenedUrl !== this.#loggedUrl) {
      this.#loggedUrl = snapshot.lastOpenedUrl;
      const now = new Date();
      setText(part(this, '.sb-tickets-proxy-log', LAB), `127.0.0.1 - - [${accessLogTime(now)}] "${requestLine(snapshot.lastOpenedUrl)}" 101 0 "-" "Mozilla/5.0 …"`);
      setText(part(this, '.sb-tickets-demo-log', LAB), `${clockTime(now)}  open   #12 ${new URL(snapshot.lastOpenedUrl).pathname}  127.0.0.1:53422`);
    }
  }

  #renderTicket(snapshot: TicketsLabSnapshot): void {
    const ticket = snapshot.ticket;
    const element = part<HTMLElement>(this, '.sb-tickets-ticket', LAB);
    if (ticket === null) {
      setText(element, 'No ticket yet.');
      return;
    }
    const leftMs = ticket.expiresAt - performance.now();
    const state = ticket.used ? 'used (one time only)' : leftMs > 0 ? `expires in ${String(Math.ceil(leftMs / 1000))} s` : 'expired';
    setText(element, `Ticket ${ticket.value}: ${state}.`);
    element.dataset.ticketState = ticket.used ? 'used' : leftMs > 0 ? 'valid' : 'expired';
  }
}
