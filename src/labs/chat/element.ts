/** What the element needs from the lazily loaded controller. */
interface LabController {
  destroy(): void;
}

/**
 * `<chat-lab>`: joins the room when the reader presses Join (a room is shared
 * with every reader of the server, so joining is the reader's choice), or at
 * once when the page was opened for a room (`?room=`, the lab's "open this
 * room in another tab" link). Only then does it load its controller, and
 * with it partysocket, the store and the protocol schemas.
 */
export class ChatLabElement extends HTMLElement {
  #controller: LabController | null = null;
  #connected = false;

  connectedCallback(): void {
    this.#connected = true;
    this.querySelector('[data-action="join"]')?.addEventListener('click', () => void this.#join(), { once: true });
    if (new URL(window.location.href).searchParams.has('room')) void this.#join();
  }

  disconnectedCallback(): void {
    this.#connected = false;
    this.#controller?.destroy();
    this.#controller = null;
  }

  async #join(): Promise<void> {
    const join = this.querySelector<HTMLElement>('.sb-chat-join');
    const toolbar = this.querySelector<HTMLElement>('.sb-chat-toolbar');
    const { ChatLabController } = await import('./controller.ts');
    if (!this.#connected || this.#controller !== null) return;
    this.#controller = new ChatLabController(this);
    if (join !== null) join.hidden = true;
    if (toolbar !== null) toolbar.hidden = false;
  }
}
