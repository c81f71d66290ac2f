import type { BodySink, UpstreamAnswer } from './upstream-answer.js';

/**
 * Pulls an upstream answer's body one socket read at a time, paused in between (a slow client
 * slows the upstream), and releases it without tearing down a socket whose answer was read
 * whole, so the pool reuses it.
 */
export class ChunkReader implements BodySink {
  readonly #answer: UpstreamAnswer;
  #chunks: Buffer[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  constructor(answer: UpstreamAnswer) {
    this.#answer = answer;
    answer.take(this);
  }

  /** The chunks that arrived since the last read (waits for one), or undefined at the end of the body. */
  async read(): Promise<Buffer[] | undefined> {
    while (this.#chunks.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return undefined;
      const woken = new Promise<void>((resolve) => (this.#wake = resolve));
      // Before resume: undici may hand over the next chunk inside resume() itself.
      this.#answer.resume();
      await woken;
    }
    const chunks = this.#chunks;
    this.#chunks = [];
    return chunks;
  }

  /** Stops reading: a complete answer's socket is back in the pool, any other closes. */
  release(): void {
    this.#answer.destroy();
  }

  data(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    this.#notify();
    return false;
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  // What fetch's body stream says when the socket fails mid-body, with the socket's error as cause.
  error(error: Error): void {
    this.#error ??= new TypeError('terminated', { cause: error });
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
