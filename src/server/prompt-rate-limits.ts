import { APIError } from '../errors.js';
import { redactSecret } from '../internal/redact-secret.js';

/** Bytes of a rate-limit answer's body kept for the error (its message); the rest is dropped. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Wraps the proxy's upstream fetch so that a 429 or 503 whose `Retry-After` (or `retry-after-ms`)
 * asks for more than `maxWaitMs` (the retry cap, or the call's total deadline when shorter) is not
 * waited out: it fails at once as the APIError for its status, carrying the upstream's
 * `retry-after`, which the proxy passes on with its 429. Shorter hints are left to the client's
 * retries.
 */
export function promptRateLimits(base: typeof globalThis.fetch, maxWaitMs: number, apiKey: string | undefined): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (response.status !== 429 && response.status !== 503) return response;
    const hint = hintMs(response.headers);
    if (hint === undefined || hint <= maxWaitMs) return response;
    const text = await boundedText(response);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // A plain-text error body stays text.
    }
    const error = APIError.generate(response.status, redactSecret(body, apiKey), response.headers.get('x-request-id') ?? undefined);
    return Promise.reject(Object.assign(error, { retryAfter: response.headers.get('retry-after') ?? String(Math.ceil(hint / 1000)) }));
  };
}

/** The wait a response asks for, ms: `retry-after-ms`, else `retry-after` in seconds or as a date. */
export function hintMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms.trim());
  const after = headers.get('retry-after')?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function boundedText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let size = 0; size < MAX_ERROR_BODY; ) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text + decoder.decode();
}
