// One upstream request and its answer, as undici's dispatcher hands them over: the handler of the
// request (undici's own callback interface, no Readable or web stream in between) and the body's
// chunks for whoever reads them (the direct path's readText and ChunkReader; the full
// path's createNodeFetch Response).
import type { Dispatcher } from 'undici';

// Bytes of body taken in before a reader takes the answer.
const EARLY_BYTES = 64 * 1024;

/** Who takes an answer's body: each chunk (return false to pause the socket), its end, its failure. */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(): void;
  error(error: Error): void;
}

/** The attempt's response headers did not come within its deadline (retried like ky's timeout). */
export class HeadersTimeout extends Error {
  override readonly name = 'HeadersTimeout';
}

/**
 * The request in flight, then its answer: resolves `ready` at the response headers, rejects it
 * when the request fails before them; after them, the body goes to the sink that `take` sets
 * (chunks before it are kept, the socket paused past 64 KiB of them). `destroy` aborts the
 * request (queued, in flight or mid-body); its error is what the sink, or `ready`, gets.
 */
export class UpstreamAnswer implements Dispatcher.DispatchHandler {
  statusCode = 0;
  statusText = '';
  /** The whole answer arrived (the socket went back to the pool). */
  complete = false;
  /** Aborted or failed: nothing more comes. */
  destroyed = false;
  #raw: Buffer[] = [];
  #headers: Record<string, string | string[]> | undefined;
  #abort: ((reason: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #reason: Error | undefined;
  #sink: BodySink | undefined;
  #early: Buffer[] = [];
  #earlyBytes = 0;
  #paused = false;
  #ended = false;
  #error: Error | undefined;
  readonly #resolve: (answer: UpstreamAnswer) => void;
  readonly #reject: (error: Error) => void;

  constructor(resolve: (answer: UpstreamAnswer) => void, reject: (error: Error) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** The response headers, names lower-cased, a repeated one as a list (parsed at first use). */
  get headers(): Readonly<Record<string, string | string[]>> {
    if (this.#headers) return this.#headers;
    const headers: Record<string, string | string[]> = {};
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1').toLowerCase();
      const value = raw[i + 1]!.toString('latin1');
      const seen = headers[name];
      headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return (this.#headers = headers);
  }

  /** The response headers as [name, value] pairs, as they came. */
  rawHeaders(): Array<[string, string]> {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < this.#raw.length; i += 2) pairs.push([this.#raw[i]!.toString('latin1'), this.#raw[i + 1]!.toString('latin1')]);
    return pairs;
  }

  /** The response headers as fetch Headers (a Response's, and the shared retry-timing helpers'). */
  fetchHeaders(): Headers {
    const headers = new Headers();
    for (const [name, value] of this.rawHeaders()) headers.append(name, value);
    return headers;
  }

  /** Gives the body to `sink`: what came already first, then the rest as it comes. */
  take(sink: BodySink): void {
    this.#sink = sink;
    const early = this.#early;
    this.#early = [];
    let go = true;
    for (const chunk of early) go = sink.data(chunk);
    if (this.#error) return sink.error(this.#error);
    if (this.#ended) return sink.end();
    if (go) this.resume();
    else this.#paused = true;
  }

  /** Lets the socket deliver again after a sink's `data` returned false. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#resume?.();
  }

  /** Aborts the request (a no-op once the answer is complete or failed). */
  destroy(error: Error = new Error('aborted')): void {
    if (this.destroyed || this.complete) return;
    this.destroyed = true;
    this.#reason = error;
    if (this.#abort) this.#abort(error);
    // Queued, not yet on a socket: undici aborts it when it gets one (onConnect); the caller hears now.
    else this.#fail(error);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#reason) abort(this.#reason);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText = ''): boolean {
    if (statusCode < 200) return true; // 1xx (100 Continue, 103 Early Hints): the answer is still to come
    this.statusCode = statusCode;
    this.statusText = statusText;
    this.#raw = raw;
    this.#resume = resume;
    this.#resolve(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    // The parser resumed mid-body hands over an empty piece first: passing it on would let a reader
    // that pauses at every chunk pause on it again, never reading the socket (a busy loop).
    if (chunk.length === 0) return true;
    const sink = this.#sink;
    if (sink === undefined) {
      // Before a reader: kept, the socket paused only past a bound (a short body completes meanwhile).
      this.#early.push(chunk);
      this.#earlyBytes += chunk.length;
      if (this.#earlyBytes <= EARLY_BYTES) return true;
      this.#paused = true;
      return false;
    }
    if (sink.data(chunk)) return true;
    this.#paused = true;
    return false;
  }

  onComplete(): void {
    this.complete = true;
    this.#ended = true;
    this.#sink?.end();
  }

  onError(error: Error): void {
    this.destroyed = true;
    this.#fail(this.#reason ?? error);
  }

  #fail(error: Error): void {
    if (this.#error !== undefined || this.#ended) return;
    this.#error = error;
    if (this.statusCode === 0) return this.#reject(error); // before the answer's headers
    this.#sink?.error(error);
  }
}
