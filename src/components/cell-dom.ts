/** DOM helpers that every cell's custom element uses. */
import { pageServer } from '../lib/page-server.ts';

/**
 * The element matching `selector` inside `root`; throws, naming the nearest
 * custom element, when the markup lacks it (a bug in the component, not in
 * the reader's input).
 */
export function part<T extends Element>(root: Element, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (element === null) {
    const owner = [root, ...ancestorsOf(root)].find((candidate) => candidate.localName.includes('-')) ?? root;
    throw new Error(`<${owner.localName}> is missing ${selector}`);
  }
  return element;
}

function ancestorsOf(element: Element): Element[] {
  const ancestors: Element[] = [];
  for (let parent = element.parentElement; parent !== null; parent = parent.parentElement) ancestors.push(parent);
  return ancestors;
}

/** `Server: ws://host:port (this site)`, or `(set with ?server=)`: where the cell connects and why. */
export function serverLabel(): string {
  const server = pageServer();
  return server.source === 'page' ? `Server: ${server.url} (this site)` : `Server: ${server.url} (set with ?server=)`;
}
