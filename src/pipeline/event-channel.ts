// Internal: a queue of side events (candidates, scores, verdicts) that the top-level stream
// interleaves with the text as soon as they happen, without reading the text stream ahead.

/** What `wait()` resolves to, so a race tells it apart from the text stream's results. */
export const WOKEN: unique symbol = Symbol('woken');

export class EventChannel<T> {
  readonly #items: T[] = [];
  #wake: ((value: typeof WOKEN) => void) | undefined;
  #waiting: Promise<typeof WOKEN> | undefined;

  push(item: T): void {
    this.#items.push(item);
    const wake = this.#wake;
    this.#wake = undefined;
    this.#waiting = undefined;
    wake?.(WOKEN);
  }

  get size(): number {
    return this.#items.length;
  }

  shift(): T | undefined {
    return this.#items.shift();
  }

  /** Resolves at the next push (or now, when items are waiting). */
  wait(): Promise<typeof WOKEN> {
    if (this.#items.length) return Promise.resolve(WOKEN);
    // One shared promise per wait, so repeated races do not pile up resolvers.
    this.#waiting ??= new Promise((resolve) => {
      this.#wake = resolve;
    });
    return this.#waiting;
  }
}
