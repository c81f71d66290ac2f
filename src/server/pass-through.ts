import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserAbortError } from '../errors.js';
import { readNodeBody } from '../integrations/wire/read-node-body.js';
import type { Secret } from '../internal/secret.js';

/** Routes forwarded to the upstream as they are, unguarded (e.g. `/v1/embeddings`). */
export interface PassThroughOptions {
  /** Request paths, exact (`/v1/embeddings`). */
  routes: string[];
  /** The upstream base URL (`http://host:8000/v1`); a route's `/v1` prefix maps onto it. */
  baseURL: string;
  apiKey?: string | Secret;
}

// Hop-by-hop headers, and the client's credentials (the proxy's token is not the upstream's key).
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'authorization', 'content-length', 'expect', 'cookie']);
const DROPPED_BACK = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'set-cookie']);

/** The upstream URL for `path` (and its query), or undefined when the path is not on the list. */
export function passThroughTarget(options: PassThroughOptions | undefined, path: string, url: string): string | undefined {
  if (!options?.routes.includes(path)) return undefined;
  const base = options.baseURL.replace(/\/+$/, '');
  const rest = base.endsWith('/v1') && path.startsWith('/v1/') ? path.slice(3) : path;
  const query = url.indexOf('?');
  return `${base}${rest}${query === -1 ? '' : url.slice(query)}`;
}

/**
 * Forwards one request to `target` with the upstream's key instead of the client's token, and
 * streams the answer back as it comes (status, body and content headers). Bodies are bounded by
 * `bodyLimit`; the client leaving aborts the upstream call.
 */
export async function forward(req: IncomingMessage, res: ServerResponse, target: string, options: PassThroughOptions, bodyLimit: number, fetcher: typeof globalThis.fetch): Promise<number> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROPPED.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const key = options.apiKey === undefined ? undefined : typeof options.apiKey === 'string' ? options.apiKey : options.apiKey.reveal();
  if (key) headers.authorization = `Bearer ${key}`;
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readNodeBody(req, bodyLimit);
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new UserAbortError('the client closed the connection'));
  };
  res.on('close', onClose);
  try {
    const init: RequestInit = { method: req.method ?? 'GET', headers, signal: controller.signal };
    if (body !== undefined) init.body = body;
    const answer = await fetcher(target, init);
    const back: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (!DROPPED_BACK.has(k)) back[k] = v;
    });
    res.writeHead(answer.status, back);
    if (answer.body) await pipeline(Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream), res);
    else res.end();
    return answer.status;
  } finally {
    res.off('close', onClose);
  }
}
