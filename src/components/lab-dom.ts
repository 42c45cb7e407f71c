/** Small DOM helpers shared by the labs' custom elements. */
import { pageServer } from '../lib/page-server.ts';
import type { ServerChoice } from '../lib/server-url.ts';
import type { LabConnection } from '../lib/snapshot-store.ts';

/** The element matching `selector` under `root`; throws naming the lab when the markup lacks it. */
export function part<T extends Element>(root: ParentNode, selector: string, lab = 'lab'): T {
  const element = root.querySelector<T>(selector);
  if (element === null) throw new Error(`<${lab}> is missing ${selector}`);
  return element;
}

/** A new element with a class and text content (never HTML: the text may come from the network). */
export function create<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className !== undefined) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Calls `callback` once, the first time `element` scrolls into view; returns a function that cancels. */
export function whenVisible(element: Element, callback: () => void): () => void {
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect();
      callback();
    }
  });
  observer.observe(element);
  return () => observer.disconnect();
}

/** Fills the lab's footer with the server it uses, and returns that choice. */
export function showServer(root: ParentNode, lab: string): ServerChoice {
  const server = pageServer();
  part<HTMLElement>(root, '.sb-server', lab).textContent =
    server.source === 'page' ? `Server: ${server.url} (this site)` : `Server: ${server.url} (set with ?server=)`;
  return server;
}

/** The status line for a lab's connection to `url`; `openText` replaces the default for the open state. */
export function describeConnection(connection: LabConnection, url: string, openText = `Open: connected to ${url}`): string {
  const close = connection.lastClose;
  switch (connection.state) {
    case 'connecting':
      return `Connecting to ${url}…`;
    case 'open':
      return openText;
    case 'closed':
      return `Closed with code ${String(close?.code ?? 1005)}${close?.reason ? ` "${close.reason}"` : ''}. Reconnecting…`;
    case 'unreachable':
      return `Can't reach the demo server at ${url} (attempt ${String(connection.failedAttempts)}). Start it with "npm start" in the Socketbook folder, or point the page at another server with ?server=ws://host:port. Retrying…`;
  }
}

/** Sets the lab's status dot and line, and its send error (hidden when `null`). */
export function showConnection(root: ParentNode, lab: string, state: string, text: string, sendError: string | null = null): void {
  part<HTMLElement>(root, '.sb-status', lab).dataset.state = state;
  part<HTMLElement>(root, '.sb-status-text', lab).textContent = text;
  const error = root.querySelector<HTMLElement>('.sb-echo-error');
  if (error === null) return;
  error.hidden = sendError === null;
  error.textContent = sendError ?? '';
}
