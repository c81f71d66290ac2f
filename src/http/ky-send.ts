// ky runs the attempts: retries (status codes, Retry-After with a cap, backoff with jitter, header
// timeouts, network errors) and the per-attempt headers deadline. One piece is swapped: what
// reaches `fetch`. ky builds its Request from the method and URL only; the init that is sent
// (headers, the body string) travels as an option ky does not know, which ky hands to `fetch` as
// its second argument, and the attempt's signal is taken from ky's Request so ky's timeout still
// aborts the socket. Letting ky build the Request from headers and body takes ~1.2x the time of
// this way per loopback call and allocates ~10% more (`npm run bench client`, "ky's Request path").
import ky, { ForceRetryError, isHTTPError, isTimeoutError, type HTTPError, type KyInstance, type Options, type RetryOptions } from 'ky';
import { APIError, TimeoutError } from '../errors.js';
import { redactSecret } from '../internal/redact-secret.js';
import { retryDelayMs, RETRY_AFTER_CAP_MS } from '../internal/retry-timing.js';
import { requestIdOf } from './request-id.js';

const SEND = 'rewardgateSend';

/** What every attempt of one call sends: headers as a plain object, the body already serialized. */
export interface SendInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Per call: the caller's scope, how often to retry, what is not an error, and what to mask. */
export interface SendCall {
  signal: AbortSignal;
  /** Retries after the first attempt (the client's own count unless the call overrides it). */
  maxRetries: number;
  passStatuses?: ReadonlyArray<number> | undefined;
  /** The API key, masked in error bodies. */
  secret: string | undefined;
  /** The per-attempt headers deadline, named in a TimeoutError. */
  headersMs: number;
}

// APIError calls 408, 409, 429 and every 5xx retryable. ky copies these lists several times per
// call, so they name the common statuses and shouldRetry adds the other 5xx (with backoff only).
const RETRY_STATUSES = [408, 409, 429, 500, 502, 503, 504];
/** Whether an answer with `status` is retried (the direct proxy path retries the same ones). */
export const isRetryStatus = (status: number): boolean => status >= 500 || RETRY_STATUSES.includes(status);

/** ky's retry for a client: built once, so a call with the client's count merges no options. */
const retryOptions = (limit: number): RetryOptions => ({
  limit,
  // POSTs too: every attempt carries the call's one idempotency key.
  methods: ['get', 'post'],
  statusCodes: RETRY_STATUSES,
  afterStatusCodes: RETRY_STATUSES,
  maxRetryAfter: RETRY_AFTER_CAP_MS,
  retryOnTimeout: true,
  shouldRetry: ({ error }) => (isHTTPError(error) && error.response.status >= 500 && !RETRY_STATUSES.includes(error.response.status) ? true : undefined),
  // 0.5 s doubling to 8 s, minus up to 25% jitter (capped and jittered inside).
  delay: (attempt) => retryDelayMs(attempt - 1),
  backoffLimit: Infinity,
});

// What one kySend hands its fetch: the init, and how many retries ky still has for it.
interface Attempts {
  init: SendInit & { signal?: AbortSignal };
  retriesLeft: number;
}

/** One client's ky instance and the retry count it was built with. */
export interface KyClient {
  readonly ky: KyInstance;
  readonly maxRetries: number;
}

/** A ky instance for one client: `maxRetries` and the headers deadline of each attempt. */
export function createKy(userFetch: typeof globalThis.fetch | undefined, headersMs: number, maxRetries: number): KyClient {
  const send = async (request: Request, options?: RequestInit): Promise<Response> => {
    // The global fetch is looked up per call, so a fetch patched later (msw) is used.
    const fetch = userFetch ?? globalThis.fetch;
    const attempts = (options as { [SEND]?: Attempts } | undefined)?.[SEND];
    if (!attempts) return fetch(request, options);
    const canRetry = attempts.retriesLeft-- > 0;
    attempts.init.signal = request.signal;
    const response = await fetch(request.url, attempts.init);
    const hinted = canRetry && isRetryStatus(response.status) ? retryAfterMsHint(response.headers) : undefined;
    if (hinted === undefined) return response;
    // ky reads Retry-After but not OpenAI's retry-after-ms: a forced retry is ky's way to set
    // the delay (an afterResponse hook would make ky clone every response to run it).
    await response.body?.cancel().catch(() => {});
    throw new ForceRetryError({ delay: hinted, code: 'RETRY_AFTER_MS' });
  };
  const instance = ky.create({ retry: retryOptions(maxRetries), timeout: Number.isFinite(headersMs) ? headersMs : false, fetch: send as typeof globalThis.fetch });
  return { ky: instance, maxRetries };
}

/**
 * Sends `init` to `url` with ky's retries and returns the final answer; an error status comes out
 * as the APIError for it (the body's secret masked), a headers deadline as TimeoutError('headers').
 */
export async function kySend(client: KyClient, url: string, init: SendInit, call: SendCall): Promise<Response> {
  const options: Options & { [SEND]: Attempts } = { method: init.method, signal: call.signal, [SEND]: { init, retriesLeft: call.maxRetries } };
  if (call.maxRetries !== client.maxRetries) options.retry = { limit: call.maxRetries };
  const pass = call.passStatuses;
  if (pass) options.throwHttpErrors = (status) => !pass.includes(status);
  try {
    return await client.ky(url, options);
  } catch (error) {
    if (isHTTPError(error)) throw fromHTTPError(error, call.secret);
    if (isTimeoutError(error) && !call.signal.aborted) throw new TimeoutError('headers', call.headersMs);
    throw error;
  }
}

// OpenAI's `retry-after-ms`, capped like Retry-After; undefined when absent or not a number.
function retryAfterMsHint(headers: Headers): number | undefined {
  const value = headers.get('retry-after-ms')?.trim();
  return value && /^\d+(\.\d+)?$/.test(value) ? Math.min(Number(value), RETRY_AFTER_CAP_MS) : undefined;
}

function fromHTTPError(error: HTTPError, secret: string | undefined): APIError {
  const { response } = error;
  return APIError.generate(response.status, redactSecret(error.data, secret), requestIdOf(response.headers));
}
