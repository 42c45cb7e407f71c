import type { FailoverController } from './controller.ts';
import { part, serverLabel } from '../kit/dom.ts';

/**
 * `<failover-lab>`: shows the page's server and loads the controller
 * (./controller.ts) on the first button press.
 */
export class FailoverLabElement extends HTMLElement {
  #controller: Promise<FailoverController> | null = null;

  connectedCallback(): void {
    part<HTMLElement>(this, '.sb-server').textContent = serverLabel();
    const actions = { connect: (lab: FailoverController) => lab.connect(), stop: (lab: FailoverController) => lab.stopB(), start: (lab: FailoverController) => lab.startB() };
    for (const [action, run] of Object.entries(actions)) {
      part<HTMLButtonElement>(this, `[data-action="${action}"]`).addEventListener('click', () => void this.#load().then(run));
    }
  }

  disconnectedCallback(): void {
    void this.#controller?.then((lab) => {
      lab.stop();
    });
  }

  #load(): Promise<FailoverController> {
    this.#controller ??= import('./controller.ts').then(({ FailoverController }) => new FailoverController(this));
    return this.#controller;
  }
}
