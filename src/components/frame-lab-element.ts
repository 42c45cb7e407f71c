import type { FrameLabStore } from '../lib/frame-lab-store.ts';
import { endpointUrl } from '../lib/server-url.ts';
import type { FrameLabView } from './frame-view.ts';
import { describeConnection, part, showConnection, showServer, whenVisible } from './lab-dom.ts';

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
    const server = showServer(this, 'frame-lab');
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
      showConnection(this, 'frame-lab', snapshot.state, describeConnection(snapshot, url), snapshot.sendError);
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
