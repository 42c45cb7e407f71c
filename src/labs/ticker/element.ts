import { serverCloseSentence, shouldReconnectAfter } from '../../shared/close-policy.ts';
import { clockTimeMs } from '../../shared/format.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import type { TickerLogEntry, TickerSnapshot, TickerStore } from './store.ts';
import { create, describeConnection, part, showConnection, showServer, whenVisible } from '../kit/dom.ts';
import { KeyedList } from '../kit/keyed-list.ts';

function logRow(entry: TickerLogEntry): HTMLTableRowElement {
  const row = create('tr');
  row.dataset.id = String(entry.id);
  row.dataset.direction = entry.direction;
  const type = create('td', 'sb-tk-type', entry.type);
  type.dataset.type = entry.type;
  const text = entry.problem === null ? entry.text : `${entry.text} (invalid: ${entry.problem})`;
  row.append(create('td', 'sb-direction', entry.direction === 'sent' ? '↑ sent' : '↓ received'), type, create('td', 'sb-payload', text));
  return row;
}

/**
 * `<ticker-lab>`: wires TickerLab.astro to a TickerStore over a reconnecting
 * socket to `/ws/ticker`, loaded when the lab scrolls into view.
 */
export class TickerLabElement extends HTMLElement {
  #store: TickerStore | null = null;
  #socket: { close(code?: number, reason?: string): void; reconnect(): void } | null = null;
  #cancelVisible: (() => void) | null = null;
  readonly #log = new KeyedList<TickerLogEntry>((entry) => entry.id);
  #showPrices = false;

  connectedCallback(): void {
    const server = showServer(this, 'ticker-lab');
    this.#cancelVisible = whenVisible(this, () => void this.#connect(server.url));
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-symbol]')) {
      button.addEventListener('click', () => this.#store?.toggle(button.dataset.symbol ?? ''));
    }
    part<HTMLButtonElement>(this, '[data-action="ping"]', 'ticker-lab').addEventListener('click', () => this.#store?.ping());
    part<HTMLButtonElement>(this, '[data-action="clear"]', 'ticker-lab').addEventListener('click', () => this.#store?.clearLog());
    part<HTMLButtonElement>(this, '[data-action="reconnect"]', 'ticker-lab').addEventListener('click', () => this.#socket?.reconnect());
    const raw = part<HTMLInputElement>(this, 'input[name="raw"]', 'ticker-lab');
    part<HTMLFormElement>(this, '.sb-tk-raw', 'ticker-lab').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#store?.sendRaw(raw.value);
    });
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
      button.addEventListener('click', () => {
        raw.value = button.dataset.preset ?? '';
        raw.focus();
      });
    }
    part<HTMLInputElement>(this, 'input[name="prices"]', 'ticker-lab').addEventListener('change', (event) => {
      this.#showPrices = (event.target as HTMLInputElement).checked;
      this.#log.clear();
      if (this.#store !== null) this.#renderLog(this.#store.snapshot.log);
    });
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    // Scripts may close only with 1000 or 3000–4999 (partysocket swallows the error and keeps the socket).
    this.#socket?.close(1000, 'lab removed');
  }

  async #connect(server: string): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { TickerStore }, { partysocketOptions }] = await Promise.all([
      import('partysocket/ws'),
      import('./store.ts'),
      import('../../shared/reconnect.ts'),
    ]);
    const url = endpointUrl(server, '/ws/ticker');
    const socket = new ReconnectingWebSocket(url, undefined, partysocketOptions());
    this.#socket = socket;
    this.#store = new TickerStore(socket, { symbols: (this.dataset.symbols ?? '').split(' ').filter((symbol) => symbol !== '') });
    this.#store.subscribe((snapshot) => this.#render(snapshot, url));
  }

  #render(snapshot: TickerSnapshot, url: string): void {
    const close = snapshot.lastClose;
    // After a reconnection, say why the connection was replaced: the reader may have caused it.
    const reopened = close === null ? undefined : `Open: reconnected to ${url} after close ${String(close.code)}${close.reason ? ` "${close.reason}"` : ''}; subscribed again`;
    // After a close the policy does not come back from (1008 for too many invalid messages), say who closed and offer Reconnect.
    const stopped = snapshot.state === 'closed' && close !== null && !shouldReconnectAfter(close.code);
    const status = stopped
      ? `${serverCloseSentence(close)}. Not reconnecting by itself: this code means "do not come straight back". Press Reconnect to connect again; the lab then subscribes again to your symbols.`
      : describeConnection(snapshot, url, reopened);
    showConnection(this, 'ticker-lab', snapshot.state, status, snapshot.sendError);
    part<HTMLElement>(this, '.sb-tk-reconnect', 'ticker-lab').hidden = !stopped;
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-symbol]')) {
      button.setAttribute('aria-pressed', String(snapshot.wanted.includes(button.dataset.symbol ?? '')));
    }
    const rows = snapshot.subscriptions.map((symbol) => {
      const quote = snapshot.quotes[symbol];
      const row = create('tr');
      row.dataset.symbol = symbol;
      const change = create('td', undefined, quote === undefined ? '' : `${quote.change < 0 ? '−' : '+'}${Math.abs(quote.change).toFixed(2)}`);
      change.dataset.sign = quote === undefined || quote.change === 0 ? 'flat' : quote.change > 0 ? 'up' : 'down';
      row.append(
        create('td', undefined, symbol),
        create('td', undefined, quote?.price.toFixed(2) ?? '…'),
        change,
        create('td', undefined, quote === undefined ? '' : clockTimeMs(new Date(quote.time))),
      );
      return row;
    });
    part<HTMLElement>(this, '.sb-tk-prices tbody', 'ticker-lab').replaceChildren(...rows);
    part<HTMLElement>(this, '.sb-tk-reply', 'ticker-lab').textContent = snapshot.lastReply === null ? '' : `Server: ${snapshot.lastReply}`;
    const counts = Object.entries(snapshot.received).map(([type, count]) => `${type} ${String(count)}`);
    part<HTMLElement>(this, '.sb-tk-counts', 'ticker-lab').textContent = counts.length === 0 ? '' : `Received by type: ${counts.join(', ')}`;
    this.#renderLog(snapshot.log);
  }

  #renderLog(log: readonly TickerLogEntry[]): void {
    const body = part<HTMLTableSectionElement>(this, '.sb-tk-log tbody', 'ticker-lab');
    this.#log.update(body, log, logRow, (entry) => entry.type !== 'price' || this.#showPrices);
    const wrap = body.closest<HTMLElement>('.sb-echo-log-wrap');
    if (wrap !== null) wrap.scrollTop = wrap.scrollHeight;
  }
}
