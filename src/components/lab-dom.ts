/** Small DOM helpers shared by the labs' custom elements. */

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
