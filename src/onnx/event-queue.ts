import { UserAbortError } from '../errors.js';

/**
 * Events from a producer (the decoding loop) to one consumer (an async generator), buffered
 * until read. A failure wins over buffered events; an aborted signal wins over both.
 * `onPull` runs at each read, so a producer that paused on a full queue (`size`) can go on.
 */
export class EventQueue<T> {
  #items: T[] = [];
  #ended = false;
  #error: { error: unknown } | undefined;
  #wake: (() => void) | undefined;
  readonly #onPull: (() => void) | undefined;

  constructor(onPull?: () => void) {
    this.#onPull = onPull;
  }

  /** Events pushed and not read yet. */
  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  fail(error: unknown): void {
    this.#error ??= { error };
    this.#items = [];
    this.#notify();
  }

  /** The next event, or undefined once the producer ended; throws its failure or UserAbortError. */
  async next(signal?: AbortSignal): Promise<T | undefined> {
    this.#onPull?.();
    for (;;) {
      if (signal?.aborted) throw new UserAbortError(signal.reason);
      if (this.#error) throw this.#error.error;
      if (this.#items.length > 0) return this.#items.shift();
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        this.#wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      this.#wake = undefined;
    }
  }

  #notify(): void {
    this.#wake?.();
  }
}
