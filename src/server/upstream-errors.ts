// An upstream's error answers on the direct path, as the client's transport reports them: the
// APIError for the status with the body ky would keep (JSON for a JSON content type, else text),
// the key masked; and the proxy's prompt rate limit (see promptRateLimits).
import { APIError } from '../errors.js';
import { requestIdOf } from '../http/request-id.js';
import { readText } from './upstream-attempt.js';
import type { UpstreamAnswer } from './upstream-answer.js';

// Bytes of an error answer kept for its message (ky keeps 10 MiB, the rate-limit path 64 KiB).
const MAX_ERROR_BODY = 10 * 1024 * 1024;
const MAX_RATE_LIMIT_BODY = 64 * 1024;

/** How an error answer is read: the call's signal, the key mask, the answer bound. */
export interface ErrorRead {
  signal: AbortSignal;
  redact: <T>(value: T) => T;
  maxBytes?: number;
}

/** The APIError for a non-2xx answer; its body is undefined when empty, too large or unreadable. */
export async function statusError(res: UpstreamAnswer, status: number, read: ErrorRead): Promise<APIError> {
  const text = await errorText(res, Math.min(MAX_ERROR_BODY, read.maxBytes ?? Infinity), read.signal);
  const json = /json/i.test(String(res.headers['content-type'] ?? ''));
  const data = text === '' ? undefined : json ? parsedOrUndefined(text) : text;
  return APIError.generate(status, read.redact(data), requestIdOf(res.headers));
}

/** A 429 / 503 whose Retry-After is past what is waited out: its APIError at once, with the hint for the client. */
export async function rateLimitError(res: UpstreamAnswer, status: number, hintMs: number, read: ErrorRead): Promise<APIError> {
  const text = await errorText(res, MAX_RATE_LIMIT_BODY, read.signal);
  const body = text === '' ? undefined : (parsedOrUndefined(text) ?? text);
  const error = APIError.generate(status, read.redact(body), headerValue(res, 'x-request-id'));
  return Object.assign(error, { retryAfter: headerValue(res, 'retry-after') ?? String(Math.ceil(hintMs / 1000)) });
}

// An error answer's text, '' when it is too large or breaks off (its status is the news); an abort still rejects.
function errorText(res: UpstreamAnswer, limit: number, signal: AbortSignal): Promise<string> {
  return readText(res, limit, signal, () => new RangeError('error body too large')).catch((error: unknown) => {
    if (signal.aborted) throw error;
    return '';
  });
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerValue(res: UpstreamAnswer, name: string): string | undefined {
  const value = res.headers[name];
  return typeof value === 'string' ? value : undefined;
}
