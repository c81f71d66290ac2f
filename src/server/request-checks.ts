import type { IncomingMessage } from 'node:http';
import { wireError, type WireError } from '../integrations/wire/errors.js';
import { isLoopback } from './access.js';

/** Cross-origin access for browsers: origins allowed to call the proxy (exact `scheme://host[:port]`). */
export interface CorsOptions {
  origins: string[];
}

// Host header -> host name: `[::1]:8787` -> `::1`, `localhost:8787` -> `localhost`.
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Checks a request that reached a token-less (loopback) proxy: a browser on a foreign page, or a
 * DNS-rebound name pointing at 127.0.0.1, must not spend the operator's upstream key. Loopback
 * `Host` only, no foreign `Origin` unless allowed by `cors`, and POST bodies as `application/json`
 * (a form or `text/plain` post needs no CORS preflight, so it is refused here). Returns the answer
 * to refuse with, or undefined.
 */
export function tokenlessRefusal(req: IncomingMessage, cors: CorsOptions | undefined): WireError | undefined {
  const host = req.headers.host;
  if (host !== undefined && !isLoopbackHost(host)) {
    return wireError(403, 'Without a token this server only answers requests addressed to a loopback host', 'invalid_request_error', 'forbidden_host');
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !corsAllows(cors, origin)) {
    const h = originHost(origin);
    if (h === undefined || !isLoopback(h)) return wireError(403, 'Cross-origin requests are not allowed (see listen.cors)', 'invalid_request_error', 'forbidden_origin');
  }
  if (req.method === 'POST' && !isJson(req.headers['content-type'])) {
    return wireError(415, 'Send the body as Content-Type: application/json', 'invalid_request_error', 'unsupported_media_type');
  }
  return undefined;
}

/** Whether `origin` is on the CORS allowlist. */
export function corsAllows(cors: CorsOptions | undefined, origin: string): boolean {
  return cors !== undefined && (cors.origins.includes(origin) || cors.origins.includes('*'));
}

/** CORS response headers for an allowed origin (none for others). */
export function corsHeaders(cors: CorsOptions | undefined, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !corsAllows(cors, origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'origin', 'access-control-expose-headers': 'x-request-id, retry-after' };
}

/** The answer to a CORS preflight (`OPTIONS` with `access-control-request-method`), or undefined when it is none. */
export function preflightHeaders(cors: CorsOptions | undefined, req: IncomingMessage): Record<string, string> | undefined {
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return undefined;
  const headers = corsHeaders(cors, req);
  if (!headers['access-control-allow-origin']) return {};
  return {
    ...headers,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, x-request-id',
    'access-control-max-age': '600',
  };
}

// Clients send the same Host and Content-Type on every request: the last answer of each check is kept.
let lastHost: string | undefined;
let lastHostLoopback = false;
function isLoopbackHost(host: string): boolean {
  if (host !== lastHost) {
    lastHostLoopback = isLoopback(hostName(host));
    lastHost = host;
  }
  return lastHostLoopback;
}

let lastType: string | undefined;
let lastTypeJson = false;
function isJson(type: string | undefined): boolean {
  if (type !== lastType) {
    lastTypeJson = isJsonType(type);
    lastType = type;
  }
  return lastTypeJson;
}

function isJsonType(type: string | undefined): boolean {
  if (!type) return false;
  const semi = type.indexOf(';');
  const media = (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}
