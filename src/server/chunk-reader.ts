import type { IncomingMessage } from 'node:http';
import { discard } from './upstream-attempt.js';

/**
 * Pulls a node:http answer's body one socket read at a time, paused in between (a slow client
 * slows the upstream), and releases it without tearing down a socket whose answer was read
 * whole, so the keep-alive agent reuses it.
 */
export class ChunkReader {
  readonly #res: IncomingMessage;
  #chunks: Buffer[] = [];
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  constructor(res: IncomingMessage) {
    this.#res = res;
    res.on('data', this.#onData);
    res.on('end', this.#onEnd);
    res.on('error', this.#onError);
    res.on('close', this.#onClose);
  }

  /** The chunks that arrived since the last read (waits for one), or undefined at the end of the body. */
  async read(): Promise<Buffer[] | undefined> {
    while (this.#chunks.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return undefined;
      this.#res.resume();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    const chunks = this.#chunks;
    this.#chunks = [];
    return chunks;
  }

  /** Stops reading: a complete answer drains into the pool, any other closes its socket. */
  release(): void {
    const res = this.#res;
    res.off('data', this.#onData);
    res.off('end', this.#onEnd);
    res.off('error', this.#onError);
    res.off('close', this.#onClose);
    discard(res);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#res.pause();
    this.#notify();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };

  // What fetch's body stream says when the socket fails mid-body, with the socket's error as cause.
  readonly #onError = (error: Error): void => {
    this.#error ??= new TypeError('terminated', { cause: error });
    this.#notify();
  };

  readonly #onClose = (): void => {
    if (!this.#ended) this.#error ??= new TypeError('terminated', { cause: new Error('the upstream closed the connection before the end of its answer') });
    this.#notify();
  };

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
