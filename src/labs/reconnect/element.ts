import type { ReconnectLabSnapshot, ReconnectLabStore, ReconnectLogEntry } from './store.ts';
import { pageServer } from '../kit/page-server.ts';
import { create, part, serverLabel } from '../kit/dom.ts';
import { KeyedList } from '../kit/keyed-list.ts';

function logItem(entry: ReconnectLogEntry): HTMLLIElement {
  const item = create('li', undefined, `${(entry.atMs / 1000).toFixed(2)} s  ${entry.text}`);
  item.dataset.id = String(entry.id);
  item.dataset.kind = entry.kind;
  return item;
}

/**
 * `<reconnect-lab>`: wires ReconnectLab.astro to a ReconnectLabStore. It
 * loads partysocket and the store on the first Connect, so reading the page
 * costs no socket code.
 */
export class ReconnectLabElement extends HTMLElement {
  #loading: Promise<ReconnectLabStore> | null = null;
  #store: ReconnectLabStore | null = null;
  readonly #log = new KeyedList<ReconnectLogEntry>((entry) => entry.id);

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    part<HTMLFormElement>(this, 'form').addEventListener('submit', (event) => {
      event.preventDefault();
      const choice = part<HTMLSelectElement>(this, 'select').value;
      void this.#load().then((store) => {
        store.start(choice);
      });
    });
    part<HTMLButtonElement>(this, '[data-action="stop"]').addEventListener('click', () => {
      this.#store?.stop();
    });
  }

  disconnectedCallback(): void {
    this.#store?.stop();
  }

  #load(): Promise<ReconnectLabStore> {
    this.#loading ??= Promise.all([import('partysocket/ws'), import('./store.ts'), import('../../shared/reconnect.ts')]).then(
      ([{ default: ReconnectingWebSocket }, { ReconnectLabStore }, { partysocketOptions }]) => {
        const store = new ReconnectLabStore({
          server: pageServer().url,
          open: (url) => new ReconnectingWebSocket(url, undefined, partysocketOptions()),
        });
        this.#store = store;
        store.subscribe((snapshot) => {
          this.#render(snapshot);
        });
        return store;
      },
    );
    return this.#loading;
  }

  #render(snapshot: ReconnectLabSnapshot): void {
    const status = part<HTMLElement>(this, '.sb-status');
    const label = snapshot.choice?.label ?? '';
    const texts: Record<ReconnectLabSnapshot['state'], [string, string]> = {
      idle: ['idle', 'Not connected. Pick a close code and press Connect.'],
      running: ['open', `Running: the server closes each connection with ${label}.`],
      stopped: ['closed', `Stopped after ${String(snapshot.opens)} connection${snapshot.opens === 1 ? '' : 's'} (${label}).`],
    };
    const [state, text] = texts[snapshot.state];
    status.dataset.state = state;
    part<HTMLElement>(this, '.sb-status-text').textContent = text;
    part<HTMLButtonElement>(this, '[data-action="stop"]').disabled = snapshot.state !== 'running';
    const log = part<HTMLOListElement>(this, '.sb-reconnect-log');
    this.#log.update(log, snapshot.entries, logItem);
    part<HTMLElement>(this, '.sb-reconnect-empty').hidden = snapshot.entries.length > 0;
  }
}
