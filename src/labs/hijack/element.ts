import { create, part, setText, whenVisible } from '../kit/dom.ts';
import type { Attack, AttackTarget, attackerOrigins, HijackSnapshot, HijackStore } from './store.ts';

/** How long to wait for the attacker page's report before asking the server anyway. */
const REPORT_TIMEOUT_MS = 8_000;

/** The window the attacker pages open in (one, reused). */
const ATTACKER_WINDOW = 'socketbook-attacker';

/** What the attacker page said, in a sentence. */
function reportText(attack: Attack): string {
  const report = attack.report;
  if (report === null) return 'Attacker page: no report yet (is its window open?).';
  const closed = report.closeCode === null ? '' : ` Close code ${String(report.closeCode)}.`;
  switch (report.outcome) {
    case 'stolen':
      return `Attacker page: STOLEN. The server sent it your account.${closed}`;
    case 'anonymous':
      return `Attacker page: connected, but no session cookie reached the server, so there was no account to send: nothing stolen.${closed}`;
    case 'refused':
      return `Attacker page: the handshake failed, and all it learns is close code ${String(report.closeCode ?? 1006)}. The HTTP status is hidden from the page: only the server knows why.`;
    case 'closed':
      return `Attacker page: the server closed the connection before sending anything.${closed}`;
    case 'invalid':
      return 'Attacker page: nothing attacked (its address was not valid).';
  }
}

/** What the server received, from `/account/seen`. */
function serverText(attack: Attack): {
  origin: string;
  cookies: string;
  verdict: string;
  refused: boolean;
} {
  const server = attack.server;
  switch (server.kind) {
    case 'pending':
      return {
        origin: 'Asking the server…',
        cookies: '',
        verdict: '',
        refused: false,
      };
    case 'logged-out':
      return {
        origin: 'Log in to see what the server received (/account/seen needs your session).',
        cookies: '',
        verdict: '',
        refused: false,
      };
    case 'missing':
      return {
        origin: 'The server has no record of this handshake: it never reached the server.',
        cookies: '',
        verdict: '',
        refused: false,
      };
    case 'seen': {
      const { origin, cookies, verdict } = server.handshake;
      const refused = verdict.startsWith('refused');
      const how = attack.target === 'unsafe' ? 'which this endpoint ignores' : refused ? 'not on the allowlist: refused' : 'on the allowlist';
      return {
        origin: `Origin the server received: ${origin ?? '(none)'}, ${how}.`,
        cookies: `Cookies that reached the server: ${cookies.length === 0 ? 'none' : cookies.join(', ')}.`,
        verdict: `Server's verdict: ${verdict}.`,
        refused,
      };
    }
  }
}

function attackItem(): HTMLLIElement {
  const item = create('li');
  for (const [tag, field] of [['p', 'what'], ['p', 'outcome'], ['pre', 'stolen'], ['p', 'origin'], ['p', 'cookies'], ['p', 'verdict']] as const) {
    const element = create(tag);
    element.dataset.field = field;
    item.append(element);
  }
  return item;
}

function renderAttack(item: HTMLLIElement, attack: Attack): void {
  item.dataset.id = String(attack.id);
  item.dataset.outcome = attack.report?.outcome ?? 'pending';
  item.dataset.server = attack.server.kind;
  const field = (name: string): HTMLElement => part<HTMLElement>(item, `[data-field="${name}"]`, 'hijack-lab');
  setText(field('what'), `Attack ${String(attack.id)}: a page on ${attack.attackerOrigin} opens /ws/account/${attack.target}`);
  const outcome = field('outcome');
  outcome.dataset.outcome = attack.report?.outcome ?? 'pending';
  setText(outcome, reportText(attack));
  const stolen = field('stolen');
  stolen.hidden = attack.report?.account == null;
  setText(stolen, attack.report?.account == null ? '' : JSON.stringify(attack.report.account, null, 2));
  const server = serverText(attack);
  setText(field('origin'), server.origin);
  setText(field('cookies'), server.cookies);
  const verdict = field('verdict');
  verdict.dataset.refused = String(server.refused);
  setText(verdict, server.verdict);
}

const OUTCOME_WORDS: Readonly<Record<NonNullable<Attack['report']>['outcome'], string>> = {
  stolen: 'your account was stolen',
  anonymous: 'nothing stolen, no session cookie arrived',
  refused: 'refused at the handshake',
  closed: 'closed before anything was sent',
  invalid: 'nothing attacked',
};

function statusOf(snapshot: HijackSnapshot): [string, string] {
  if (snapshot.state === 'loading') return ['connecting', 'Loading the demo account…'];
  if (snapshot.state === 'unavailable') return ['unreachable', `This lab cannot run: ${snapshot.problem ?? 'unknown problem'}.`];
  if (snapshot.problem !== null) return ['closed', snapshot.problem];
  if (snapshot.attackerPort === null) {
    return ['closed', 'The attacker page is off on this server (--attacker-port 0, or --host is not loopback without --attacker-on-lan). Restart it with plain "npm start".'];
  }
  if (snapshot.account === null) return ['idle', 'Not logged in. Log in, then open an attacker page.'];
  const last = snapshot.attacks.at(-1);
  if (last === undefined) return ['open', `Logged in as ${snapshot.account.name}. Now open an attacker page.`];
  return ['open', `Logged in as ${snapshot.account.name}. Attack ${String(last.id)}: ${last.report === null ? 'waiting for the attacker page' : OUTCOME_WORDS[last.report.outcome]}.`];
}

/**
 * `<hijack-lab>`: wires HijackLab.astro to a HijackStore, the site's
 * `/account/*` and the attacker pages' `postMessage` reports. It loads when
 * scrolled into view.
 */
export class HijackLabElement extends HTMLElement {
  #store: HijackStore | null = null;
  #attackerOrigins: typeof attackerOrigins | null = null;
  readonly #items = new Map<number, HTMLLIElement>();
  readonly #onMessage = (event: MessageEvent): void => {
    void this.#store?.receive(event.origin, event.data);
  };

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = `Account: ${window.location.origin}/account/ (the server that served this page)`;
    window.addEventListener('message', this.#onMessage);
    whenVisible(this, () => void this.#load(), { rootMargin: '200px' });
    part<HTMLFormElement>(this, '[data-form="login"]').addEventListener('submit', (event) => {
      event.preventDefault();
      const name = part<HTMLInputElement>(this, '[name="name"]').value;
      void this.#store?.login(name);
    });
    part<HTMLButtonElement>(this, '[data-action="logout"]').addEventListener('click', () => {
      void this.#store?.logout();
    });
    part<HTMLFormElement>(this, '[data-form="attack"]').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#attack();
    });
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.#onMessage);
  }

  async #load(): Promise<void> {
    // Loaded when the lab scrolls into view: the protocol module brings valibot, too heavy for a page that is only read.
    const [storeModule, { fetchAccountApi }] = await Promise.all([import('./store.ts'), import('./api.ts')]);
    this.#attackerOrigins = storeModule.attackerOrigins;
    const store = new storeModule.HijackStore(fetchAccountApi, window.location.origin);
    this.#store = store;
    store.subscribe((snapshot) => {
      this.#render(snapshot);
    });
    await store.load();
  }

  #attack(): void {
    const store = this.#store;
    if (store === null) return;
    const from = part<HTMLSelectElement>(this, '[name="from"]').value;
    const target = part<HTMLSelectElement>(this, '[name="target"]').value as AttackTarget;
    // Opened now, inside the click, so no pop-up blocker objects; the address follows once the lab knows what the server saw before.
    const opened = window.open('about:blank', ATTACKER_WINDOW);
    void store.startAttack(from, target).then((attack) => {
      if (opened === null) {
        window.location.assign(attack.url);
        return;
      }
      opened.location.href = attack.url;
      window.setTimeout(() => {
        if (store.snapshot.attacks.find((candidate) => candidate.id === attack.id)?.report === null) void store.refreshServerView(attack.id);
      }, REPORT_TIMEOUT_MS);
    });
  }

  #render(snapshot: HijackSnapshot): void {
    const [state, text] = statusOf(snapshot);
    part<HTMLElement>(this, '.sb-status').dataset.state = state;
    setText(part<HTMLElement>(this, '.sb-status-text'), text);
    const account = part<HTMLElement>(this, '[data-part="account"]');
    account.hidden = snapshot.account === null;
    part<HTMLElement>(this, '[data-part="login"]').hidden = snapshot.account !== null;
    if (snapshot.account !== null) {
      for (const [name, value] of Object.entries(snapshot.account)) {
        const field = this.querySelector(`[data-part="account"] [data-field="${name}"]`);
        if (field !== null) setText(field, value);
      }
    }
    this.#renderChoices(snapshot);
    const list = part<HTMLOListElement>(this, '.sb-hijack-attacks');
    for (const attack of snapshot.attacks) {
      let item = this.#items.get(attack.id);
      if (item === undefined) {
        item = attackItem();
        this.#items.set(attack.id, item);
        list.append(item);
      }
      renderAttack(item, attack);
    }
  }

  #renderChoices(snapshot: HijackSnapshot): void {
    const select = part<HTMLSelectElement>(this, '[name="from"]');
    const button = part<HTMLButtonElement>(this, '[data-form="attack"] button[type="submit"]');
    const port = snapshot.attackerPort;
    if (snapshot.state !== 'ready' || port === null || select.options.length > 0 || this.#attackerOrigins === null) return;
    const origins = this.#attackerOrigins(window.location.href, port);
    if (origins === null) {
      part<HTMLElement>(this, '.sb-hijack-note').textContent =
        `Open this page as http://localhost:${window.location.port}/ to try the attack: the demo uses the names localhost and 127.0.0.1 as two sites.`;
      return;
    }
    select.append(new Option(`${origins.sameSite} (same site as this page)`, origins.sameSite), new Option(`${origins.crossSite} (another site)`, origins.crossSite));
    select.disabled = false;
    button.disabled = false;
  }
}
