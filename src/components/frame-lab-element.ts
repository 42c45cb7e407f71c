import type { FrameLabSnapshot, FrameLabStore } from '../lib/frame-lab-store.ts';
import { pageServer } from '../lib/page-server.ts';
import { endpointUrl } from '../lib/server-url.ts';
import type { FrameLabView } from './frame-view.ts';
import { part, whenVisible } from './lab-dom.ts';

function describeState(snapshot: FrameLabSnapshot, url: string): string {
  const close = snapshot.lastClose;
  switch (snapshot.state) {
    case 'connecting':
      return `Connecting to ${url}…`;
    case 'open':
      return `Open: connected to ${url}`;
    case 'closed':
      return `Closed with code ${String(close?.code ?? 1005)}${close?.reason ? ` "${close.reason}"` : ''}. Reconnecting…`;
    case 'unreachable':
      return `Can't reach the demo server at ${url} (attempt ${String(snapshot.failedAttempts)}). Start it with "npm start" in the Socketbook folder, or point the page at another server with ?server=ws://host:port. Retrying…`;
  }
}

/**
 * `<frame-lab>`: wires FrameLab.astro to a FrameLabStore over a reconnecting
 * socket to `/ws/inspect`. The socket, the store and the frame drawing
 * (frame-view.ts) load when the lab scrolls into view.
 */
export class FrameLabElement extends HTMLElement {
  #store: FrameLabStore | null = null;
  #socket: { close(code?: number, reason?: string): void } | null = null;
  #cancelVisible: (() => void) | null = null;

  connectedCallback(): void {
    const server = pageServer();
    part<HTMLElement>(this, '.sb-server', 'frame-lab').textContent =
      server.source === 'page' ? `Server: ${server.url} (this site)` : `Server: ${server.url} (set with ?server=)`;
    this.#cancelVisible = whenVisible(this, () => void this.#connect(server.url));
    part<HTMLFormElement>(this, 'form', 'frame-lab').addEventListener('submit', (event) => {
      event.preventDefault();
      this.#send();
    });
    part<HTMLButtonElement>(this, '[data-action="clear"]', 'frame-lab').addEventListener('click', () => this.#store?.clear());
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    this.#socket?.close(1001, 'lab removed');
  }

  async #connect(server: string): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { FrameLabStore }, { FrameLabView }, { partysocketOptions }] = await Promise.all([
      import('partysocket/ws'),
      import('../lib/frame-lab-store.ts'),
      import('./frame-view.ts'),
      import('../lib/reconnect.ts'),
    ]);
    const url = endpointUrl(server, '/ws/inspect');
    const socket = new ReconnectingWebSocket(url, undefined, partysocketOptions());
    this.#socket = socket;
    const view: FrameLabView = new FrameLabView(part(this, '.sb-frame-list', 'frame-lab'), part(this, '.sb-frame-summary', 'frame-lab'));
    this.#store = new FrameLabStore(socket);
    this.#store.subscribe((snapshot) => {
      const status = part<HTMLElement>(this, '.sb-status', 'frame-lab');
      status.dataset.state = snapshot.state;
      part<HTMLElement>(this, '.sb-status-text', 'frame-lab').textContent = describeState(snapshot, url);
      const error = part<HTMLElement>(this, '.sb-echo-error', 'frame-lab');
      error.hidden = snapshot.sendError === null;
      error.textContent = snapshot.sendError ?? '';
      view.render(snapshot);
    });
  }

  #send(): void {
    const message = part<HTMLInputElement>(this, 'input[name="message"]', 'frame-lab').value;
    const binary = part<HTMLInputElement>(this, 'input[name="kind"][value="binary"]', 'frame-lab').checked;
    const size = part<HTMLSelectElement>(this, 'select[name="size"]', 'frame-lab').value;
    this.#store?.send(message, binary, size === 'typed' ? null : Number(size));
  }
}
