/** Small DOM helpers shared by the cells' and labs' custom elements. */
import { shouldReconnectAfter } from '../../shared/close-policy.ts';
import { pageServer } from './page-server.ts';
import { mixedContentText, type ServerChoice } from '../../shared/server-url.ts';
import type { LabConnection } from '../../shared/snapshot-store.ts';

/** The nearest custom element at or above `node`, to name in errors. */
function ownerName(node: ParentNode): string {
  for (let element = node instanceof Element ? node : null; element !== null; element = element.parentElement) {
    if (element.localName.includes('-')) return element.localName;
  }
  return 'lab';
}

/**
 * The element matching `selector` under `root`; throws, naming the lab (or
 * the nearest custom element), when the markup lacks it: a bug in the
 * component, not in the reader's input.
 */
export function part<T extends Element>(root: ParentNode, selector: string, lab = ownerName(root)): T {
  const element = root.querySelector<T>(selector);
  if (element === null) throw new Error(`<${lab}> is missing ${selector}`);
  return element;
}

/** `Server: ws://host:port (this site)`, or `(set with ?server=)`: where the page connects and why. */
export function serverLabel(server: ServerChoice = pageServer()): string {
  const label = server.source === 'page' ? `Server: ${server.url} (this site)` : `Server: ${server.url} (set with ?server=)`;
  const problem = mixedContentText(window.location.href, server.url);
  return problem === null ? label : `${label}. ${problem}`;
}

/** What to tell a reader whose page cannot reach the demo server at `url`. */
export function unreachableText(url: string, attempt: number | null, then = 'Retrying…'): string {
  // An https page never reaches a ws:// server, running or not: say why instead of "start it".
  const mixed = mixedContentText(window.location.href, url);
  if (mixed !== null) return mixed;
  const attempts = attempt === null ? '' : ` (attempt ${String(attempt)})`;
  return `Can't reach the demo server at ${url}${attempts}. Start it with "npm start" in the Socketbook folder, or point this page at another server with ?server=ws://host:port. ${then}`;
}

/** A new element with a class and text content (never HTML: the text may come from the network). */
export function create<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className !== undefined) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Calls `onChange` each time `element` enters (`true`) or leaves (`false`) the viewport; returns a function that stops watching. */
export function watchVisibility(element: Element, onChange: (visible: boolean) => void, options: IntersectionObserverInit = {}): () => void {
  const observer = new IntersectionObserver((entries) => {
    onChange(entries.some((entry) => entry.isIntersecting));
  }, options);
  observer.observe(element);
  return () => observer.disconnect();
}

/** Calls `callback` once, the first time `element` scrolls into view (or within `rootMargin` of it); returns a function that cancels. */
export function whenVisible(element: Element, callback: () => void, options: IntersectionObserverInit = {}): () => void {
  const cancel = watchVisibility(element, (visible) => {
    if (!visible) return;
    cancel();
    callback();
  }, options);
  return cancel;
}

/** Fills the lab's footer with the server it uses, and returns that choice. */
export function showServer(root: ParentNode, lab: string): ServerChoice {
  const server = pageServer();
  part<HTMLElement>(root, '.sb-server', lab).textContent = serverLabel(server);
  return server;
}

/**
 * The status line for a lab's connection to `url`; `openText` replaces the
 * default for the open state, `stoppedText` what to do after a close that
 * does not reconnect (for a lab that offers a Reconnect button).
 */
export function describeConnection(connection: LabConnection, url: string, openText = `Open: connected to ${url}`, stoppedText = 'Reload the page to connect again.'): string {
  const close = connection.lastClose;
  // An https page never opens a ws:// socket (the constructor throws, and partysocket keeps
  // "connecting"): say why, whatever the state, rather than "Connecting…" forever.
  const mixed = connection.state === 'open' ? null : mixedContentText(window.location.href, url);
  if (mixed !== null) return mixed;
  switch (connection.state) {
    case 'connecting':
      return `Connecting to ${url}…`;
    case 'open':
      return openText;
    case 'closed': {
      if (close === null) return 'Closed. Reconnecting…';
      // partysocket follows the close-code policy (close-policy.ts): some codes mean "do not come straight back".
      const next = shouldReconnectAfter(close.code)
        ? 'Reconnecting…'
        : `Not reconnecting: this code means "do not come straight back". ${stoppedText}`;
      const reason = close.reason === '' ? '' : ` "${close.reason}"`;
      return `Closed with code ${String(close.code)}${reason} (${close.wasClean ? 'clean' : 'not clean'}). ${next}`;
    }
    case 'unreachable':
      return unreachableText(url, connection.failedAttempts);
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

/** Sets `text` only when it changed, so a render loop does not disturb selection or screen readers. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
