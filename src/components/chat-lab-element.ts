/** What the element needs from the lazily loaded controller. */
interface LabController {
  destroy(): void;
}

/**
 * `<chat-lab>`: loads its controller (and with it partysocket, the store and
 * the protocol schemas) only when the lab scrolls into view, so a reader who
 * never reaches it downloads none of that.
 */
export class ChatLabElement extends HTMLElement {
  #observer: IntersectionObserver | null = null;
  #controller: LabController | null = null;
  #connected = false;

  connectedCallback(): void {
    this.#connected = true;
    this.#observer = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      this.#observer?.disconnect();
      void import('./chat-lab-controller.ts').then(({ ChatLabController }) => {
        if (this.#connected && this.#controller === null) this.#controller = new ChatLabController(this);
      });
    });
    this.#observer.observe(this);
  }

  disconnectedCallback(): void {
    this.#connected = false;
    this.#observer?.disconnect();
    this.#controller?.destroy();
    this.#controller = null;
  }
}
