import type { DrainController } from './controller.ts';
import { part, serverLabel } from '../kit/dom.ts';

/**
 * `<drain-lab>`: shows the page's server and loads the controller
 * (./controller.ts) on the first Run.
 */
export class DrainLabElement extends HTMLElement {
  #controller: Promise<DrainController> | null = null;

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    for (const button of this.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
      const mode = button.dataset.mode === 'full-jitter' ? 'full-jitter' : 'no-jitter';
      button.addEventListener('click', () => void this.#load().then((lab) => lab.run(mode)));
    }
  }

  disconnectedCallback(): void {
    void this.#controller?.then((lab) => {
      lab.stop();
    });
  }

  #load(): Promise<DrainController> {
    this.#controller ??= import('./controller.ts').then(({ DrainController }) => new DrainController(this));
    return this.#controller;
  }
}
