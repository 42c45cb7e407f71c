import type { EchoEntry, EchoSnapshot, EchoStore } from './store.ts';
import { clockTimeMs, formatBytes, formatDuration } from '../../shared/format.ts';
import { pageServer } from '../kit/page-server.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import { describeConnection, part, serverLabel, showConnection } from '../kit/dom.ts';

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
}

/**
 * `<echo-cell>`: wires EchoCell.astro's markup to an EchoStore. It connects
 * only when scrolled into view, loading partysocket then, so a page that is
 * only read downloads no socket code.
 */
export class EchoCellElement extends HTMLElement {
  #store: EchoStore | null = null;
  #socket: { close(code?: number, reason?: string): void } | null = null;
  #observer: IntersectionObserver | null = null;
  #renderedIds = new Set<number>();

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        this.#observer?.disconnect();
        void this.#connect();
      }
    });
    this.#observer.observe(this);
    part<HTMLFormElement>(this, 'form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#send();
    });
    part<HTMLButtonElement>(this, '[data-action="clear"]').addEventListener('click', () => {
      this.#store?.clear();
    });
  }

  disconnectedCallback(): void {
    this.#observer?.disconnect();
    // Scripts may only close with 1000 or 3000–4999; 1001 is the browser's own.
    this.#socket?.close(1000, 'cell removed');
  }

  async #connect(): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { EchoStore }, { partysocketOptions }] = await Promise.all([
      import('partysocket/ws'),
      import('./store.ts'),
      import('../../shared/reconnect.ts'),
    ]);
    const server = pageServer().url;
    const url = endpointUrl(server, this.dataset.endpoint ?? '/ws/echo');
    const socket = new ReconnectingWebSocket(url, undefined, partysocketOptions());
    this.#socket = socket;
    this.#store = new EchoStore(socket);
    this.#store.subscribe((snapshot) => {
      this.#render(snapshot, url);
    });
  }

  #send(): void {
    const input = part<HTMLInputElement>(this, '.sb-echo-input');
    const binary = part<HTMLInputElement>(this, 'input[name="binary"]');
    if (this.#store === null) return;
    if (this.#store.send(input.value, binary.checked)) input.select();
  }

  #render(snapshot: EchoSnapshot, url: string): void {
    showConnection(this, 'echo-cell', snapshot.state, describeConnection(snapshot, url), snapshot.sendError);
    this.#renderLog(snapshot.entries);
  }

  #renderLog(entries: readonly EchoEntry[]): void {
    const body = part<HTMLTableSectionElement>(this, 'tbody');
    const present = new Set(entries.map((entry) => entry.id));
    for (const row of [...body.rows]) {
      if (!present.has(Number(row.dataset.id))) {
        this.#renderedIds.delete(Number(row.dataset.id));
        row.remove();
      }
    }
    for (const entry of entries) {
      if (this.#renderedIds.has(entry.id)) continue;
      this.#renderedIds.add(entry.id);
      const row = document.createElement('tr');
      row.dataset.id = String(entry.id);
      row.dataset.direction = entry.direction;
      row.append(
        cell(entry.direction === 'sent' ? '↑ sent' : '↓ received', 'sb-direction'),
        cell(clockTimeMs(new Date(entry.at)), 'sb-time'),
        cell(entry.kind, 'sb-kind'),
        cell(entry.preview, 'sb-payload'),
        cell(formatBytes(entry.bytes), 'sb-size'),
        cell(entry.roundTripMs === null ? '' : formatDuration(entry.roundTripMs), 'sb-rtt'),
      );
      body.append(row);
    }
    part<HTMLElement>(this, '.sb-echo-empty').hidden = entries.length > 0;
    const wrap = part<HTMLElement>(this, '.sb-echo-log-wrap');
    wrap.scrollTop = wrap.scrollHeight;
  }
}
