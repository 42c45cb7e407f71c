/** DOM helpers for the Deadline and Heartbeat lab elements. */

/** The element matching `selector` inside `root`; a lab whose markup lacks it is a bug, reported with the lab's tag. */
export function part<T extends Element>(root: Element, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (element === null) throw new Error(`<${(root.closest('deadline-lab, heartbeat-lab') ?? root).localName}> is missing ${selector}`);
  return element;
}

/** Sets `text` only when it changed, so a render loop does not disturb selection or screen readers. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
