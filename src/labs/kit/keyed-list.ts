/**
 * A list element kept in step with an array of keyed items, as a log is:
 * items that left the array are removed, new ones appended in order, and an
 * element once rendered is never rebuilt, so a reader's selection and a
 * screen reader's place survive every update.
 */
export class KeyedList<T, K = number> {
  readonly #keyOf: (item: T) => K;
  readonly #rendered = new Map<K, Element>();

  constructor(keyOf: (item: T) => K) {
    this.#keyOf = keyOf;
  }

  /** Brings `container` in step with `items`, rendering new ones with `render`; items `include` rejects are left out. */
  update(container: Element, items: readonly T[], render: (item: T) => Element, include: (item: T) => boolean = () => true): void {
    const present = new Set(items.map(this.#keyOf));
    for (const [key, element] of this.#rendered) {
      if (present.has(key)) continue;
      element.remove();
      this.#rendered.delete(key);
    }
    for (const item of items) {
      const key = this.#keyOf(item);
      if (this.#rendered.has(key) || !include(item)) continue;
      const element = render(item);
      this.#rendered.set(key, element);
      container.append(element);
    }
  }

  /** Removes every rendered element, e.g. to render the list again with another filter. */
  clear(): void {
    for (const element of this.#rendered.values()) element.remove();
    this.#rendered.clear();
  }
}
