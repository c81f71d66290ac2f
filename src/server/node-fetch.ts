// The proxy's upstream transport on Node: a `fetch` over undici's pooled dispatcher, handed to
// the client the config builds. The core keeps using whatever fetch it is given (the global one on
// edge runtimes); only this Node-only server path uses this one. It skips most of undici fetch's
// per-call machinery (a Request object, the fetch algorithm's controllers and its body
// re-wrapping) and node:http's client, which were most of the proxy's CPU on a fast upstream.
import { Agent } from 'undici';
import { isFramingHeader } from './framing-headers.js';
import { UpstreamAnswer } from './upstream-answer.js';

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Most connections per upstream origin (default 256); idle ones are kept alive for reuse. */
  maxSockets?: number;
}

/**
 * A `fetch` for upstream calls: string or URL input, string / Uint8Array / absent bodies, plain
 * object or Headers headers, `signal`. Answers stream (a web ReadableStream over the socket, with
 * backpressure); cancelling the body or aborting the signal aborts the request.
 *
 * @example
 * const client = createClient({ baseURL, fetch: createNodeFetch() });
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof globalThis.fetch {
  // undici's own deadlines off: the client runs every deadline and aborts through the signal.
  const agent = new Agent({ connections: options.maxSockets ?? 256, headersTimeout: 0, bodyTimeout: 0 });
  return (input, init = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) return globalThis.fetch(input, init); // a Request: rare, leave it to fetch
    const url = typeof input === 'string' ? new URL(input) : input;
    // Credentials in a URL are never sent (fetch refuses them too).
    if (url.username || url.password) return Promise.reject(new TypeError('Request cannot be constructed from a URL that includes credentials'));
    const body = init.body ?? null;
    if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) return Promise.reject(new TypeError('createNodeFetch sends string or Uint8Array bodies only'));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Response>((resolve, reject) => {
      // One listener for the whole call: before the answer it fails the request, after it the body.
      const onAbort = () => answer.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      const release = () => signal?.removeEventListener('abort', onAbort);
      const answer = new UpstreamAnswer(
        (ready) => resolve(toResponse(ready, signal, release)),
        (error) => {
          release();
          reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        agent.dispatch({ origin: url.origin, path: url.pathname + url.search, method: init.method ?? 'GET', headers: headerList(init.headers), body }, answer);
      } catch (error) {
        answer.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };
}

// The headers as undici's flat [name, value, ...] list, framing headers left out (see framing-headers.ts).
function headerList(headers: HeadersInit | undefined): string[] {
  const list: string[] = [];
  if (!headers) return list;
  const entries = headers instanceof Headers ? headers : Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) if (!isFramingHeader(name!)) list.push(name!, value!);
  return list;
}

// The answer as a Response whose body pulls from it (the socket paused while the reader is full).
// Exported for its tests: whatever the answer hands over after the reader cancelled (or after its
// end) is ignored, and the closed controller must not throw. `release` drops the caller's abort
// listener once the body is settled.
export function toResponse(answer: UpstreamAnswer, signal: AbortSignal | undefined, release: () => void): Response {
  const status = answer.statusCode;
  const init = { status, statusText: answer.statusText, headers: answer.fetchHeaders() };
  // 204 / 304 carry no body, and Response refuses one for them.
  if (status === 204 || status === 304) {
    release();
    return new Response(null, init);
  }
  let settled = false;
  const settle = () => {
    settled = true;
    release();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      answer.take({
        data(chunk) {
          if (settled) return false;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          return (controller.desiredSize ?? 1) > 0;
        },
        end() {
          if (settled) return;
          settle();
          controller.close();
        },
        error(error) {
          if (settled) return;
          settle();
          controller.error(signal?.aborted ? signal.reason : new TypeError('terminated', { cause: error }));
        },
      });
    },
    pull() {
      answer.resume();
    },
    cancel() {
      settle();
      answer.destroy();
    },
  });
  return new Response(body, init);
}
