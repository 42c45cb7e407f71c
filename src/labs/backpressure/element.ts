import type { BackpressureLab } from './lab.ts';
import { whenVisible } from '../kit/dom.ts';

/**
 * `<backpressure-lab>`: wires BackpressureLab.astro's markup to the lab's
 * controller. The controller (stores, consumers, uPlot) loads only when the
 * lab nears the viewport or the reader uses a control, so a page that is
 * only read downloads none of it.
 */
export class BackpressureLabElement extends HTMLElement {
  #lab: Promise<BackpressureLab> | null = null;
  #cancelVisible: (() => void) | null = null;

  connectedCallback(): void {
    this.#showStreamSupport();
    this.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#load().then((lab) => lab.start());
    });
    this.addEventListener('click', (event) => {
      const action = (event.target as Element | null)?.closest<HTMLElement>('[data-action]')?.dataset.action;
      if (action === 'stop') void this.#load().then((lab) => lab.stop());
      if (action === 'compare') void this.#load().then((lab) => lab.compare());
    });
    this.addEventListener('focusin', () => void this.#load(), { once: true });
    this.#cancelVisible = whenVisible(this, () => void this.#load(), { rootMargin: '200px' });
  }

  disconnectedCallback(): void {
    this.#cancelVisible?.();
    void this.#lab?.then((lab) => lab.dispose());
  }

  #load(): Promise<BackpressureLab> {
    this.#lab ??= import('./lab.ts').then(({ BackpressureLab }) => new BackpressureLab(this));
    return this.#lab;
  }

  /** WebSocketStream is feature-detected here, before anything loads, so the choice is honest from the start. */
  #showStreamSupport(): void {
    const available = 'WebSocketStream' in globalThis;
    const radio = this.querySelector<HTMLInputElement>('input[name="consumer"][value="stream"]');
    const note = this.querySelector<HTMLElement>('.bp-stream-support');
    if (radio !== null) radio.disabled = !available;
    if (note !== null) {
      note.dataset.available = String(available);
      note.textContent = available
        ? 'This browser has WebSocketStream.'
        : 'Not available: this browser has no WebSocketStream (only Chromium-based browsers have it so far).';
    }
  }
}
