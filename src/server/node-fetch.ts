// The proxy's upstream transport on Node: a `fetch` over node:http / node:https with one
// keep-alive agent, handed to the client the config builds. The core keeps using whatever fetch
// it is given (the global one on edge runtimes); only this Node-only server path uses this one.
// It skips most of undici fetch's per-call machinery (a Request object, the fetch algorithm's
// controllers and its body re-wrapping), which is most of the proxy's CPU on a fast upstream.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isFramingHeader } from './framing-headers.js';

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Most sockets per upstream host (default 256); idle ones are kept alive for reuse. */
  maxSockets?: number;
}

/**
 * A `fetch` for upstream calls: string or URL input, string / Uint8Array / absent bodies, plain
 * object or Headers headers, `signal`. Answers stream (a web ReadableStream over the socket, with
 * backpressure); cancelling the body or aborting the signal destroys the socket.
 *
 * @example
 * const client = createClient({ baseURL, fetch: createNodeFetch() });
 */
export function createNodeFetch(options: NodeFetchOptions = {}): typeof globalThis.fetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  return (input, init = {}) => {
    if (typeof input !== 'string' && !(input instanceof URL)) return globalThis.fetch(input, init); // a Request: rare, leave it to fetch
    const url = typeof input === 'string' ? new URL(input) : input;
    // Credentials in a URL are never sent (fetch refuses them too).
    if (url.username || url.password) return Promise.reject(new TypeError('Request cannot be constructed from a URL that includes credentials'));
    const secure = url.protocol === 'https:';
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, { method: init.method ?? 'GET', headers: plainHeaders(init.headers), agent: secure ? https : http }, (res) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(toResponse(res, signal));
      });
      const onAbort = () => req.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
      });
      const body = init.body;
      if (body === undefined || body === null) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else {
        req.destroy();
        reject(new TypeError('createNodeFetch sends string or Uint8Array bodies only'));
      }
    });
  };
}

function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  if (!headers) return {};
  const entries = headers instanceof Headers ? [...headers] : Array.isArray(headers) ? headers : Object.entries(headers);
  const plain: Record<string, string> = {};
  for (const [name, value] of entries) if (!isFramingHeader(name!)) plain[name!] = value!;
  return plain;
}

// The socket's answer as a Response whose body pulls from it (paused while the reader is full).
// Exported for its tests: Node may still emit 'data' / 'end' / 'error' after the reader cancelled
// (an 'end' already queued when the last chunk was read), and the closed controller must not throw.
export function toResponse(res: IncomingMessage, signal: AbortSignal | undefined): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const status = res.statusCode ?? 502;
  // 204 / 304 carry no body, and Response refuses one for them.
  if (status === 204 || status === 304) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  let onAbort: (() => void) | undefined;
  let settled = false;
  const settle = () => {
    settled = true;
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      res.once('end', () => {
        if (settled) return;
        settle();
        controller.close();
      });
      res.once('error', (error) => {
        if (settled) return;
        settle();
        controller.error(signal?.aborted ? signal.reason : new TypeError('terminated', { cause: error }));
      });
      if (signal) {
        onAbort = () => res.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
      }
    },
    pull() {
      res.resume();
    },
    cancel() {
      settle();
      res.destroy();
    },
  });
  return new Response(body, { status, statusText: res.statusMessage, headers });
}
