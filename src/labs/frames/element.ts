import type { FrameLabStore } from './store.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import type { FrameLabView } from './view.ts';
import { describeConnection, part, showConnection, showServer } from '../kit/dom.ts';

/**
 * `<frame-lab>`: wires FrameLab.astro to a FrameLabStore over a reconnecting
 * socket to `/ws/inspect`. The lab sits at the top of its chapter, so it
 * connects on first use rather than when visible: the socket, the store and
 * the frame drawing (frame-view.ts) stay out of the page's initial
 * JavaScript. A message sent before the connection opens goes once it does.
 */
export class FrameLabElement extends HTMLElement {
  #store: FrameLabStore | null = null;
  #socket: { close(code?: number, reason?: string): void } | null = null;
  #server = '';
  #connecting: Promise<void> | null = null;
  #sendWhenOpen = false;

  connectedCallback(): void {
    this.#server = showServer(this, 'frame-lab').url;
    showConnection(this, 'frame-lab', 'connecting', 'Not connected yet: the lab connects when you use it.');
    const form = part<HTMLFormElement>(this, 'form', 'frame-lab');
    form.addEventListener('focusin', () => void this.#connect(), { once: true });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#send();
    });
    part<HTMLButtonElement>(this, '[data-action="clear"]', 'frame-lab').addEventListener('click', () => this.#store?.clear());
  }

  disconnectedCallback(): void {
    // Scripts may close only with 1000 or 3000–4999 (partysocket swallows the error and keeps the socket).
    this.#socket?.close(1000, 'lab removed');
  }

  #connect(): Promise<void> {
    this.#connecting ??= this.#load();
    return this.#connecting;
  }

  async #load(): Promise<void> {
    const [{ default: ReconnectingWebSocket }, { FrameLabStore }, { FrameLabView }, { partysocketOptions }] = await Promise.all([
      import('partysocket/ws'),
      import('./store.ts'),
      import('./view.ts'),
      import('../../shared/reconnect.ts'),
    ]);
    const url = endpointUrl(this.#server, '/ws/inspect');
    const socket = new ReconnectingWebSocket(url, undefined, partysocketOptions());
    this.#socket = socket;
    const view: FrameLabView = new FrameLabView(part(this, '.sb-frame-list', 'frame-lab'), part(this, '.sb-frame-summary', 'frame-lab'));
    this.#store = new FrameLabStore(socket);
    this.#store.subscribe((snapshot) => {
      showConnection(this, 'frame-lab', snapshot.state, describeConnection(snapshot, url), snapshot.sendError);
      view.render(snapshot);
      if (snapshot.state === 'open' && this.#sendWhenOpen) {
        this.#sendWhenOpen = false;
        queueMicrotask(() => this.#send());
      }
    });
  }

  #send(): void {
    if (this.#store?.snapshot.state !== 'open') {
      this.#sendWhenOpen = true;
      void this.#connect();
      return;
    }
    const message = part<HTMLInputElement>(this, 'input[name="message"]', 'frame-lab').value;
    const binary = part<HTMLInputElement>(this, 'input[name="kind"][value="binary"]', 'frame-lab').checked;
    const size = part<HTMLSelectElement>(this, 'select[name="size"]', 'frame-lab').value;
    this.#store.send(message, binary, size === 'typed' ? null : Number(size));
  }
}
