// The guard proxy's direct path to an OpenAI-compatible upstream, for a config whose pipeline is
// empty (nothing judges the answer): undici's pooled dispatcher instead of the client's ky,
// Request / Response objects and web streams, which were most of the proxy's CPU per request.
// It keeps the client's contract: the same headers and idempotency key on every attempt, ky's
// retries (statuses, Retry-After with its cap, backoff), the headers / total deadlines (CallScope
// runs the body deadlines), NVCF 202 polling, the proxy's prompt rate limits, errors as the same
// typed errors with the key masked.
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, type ClientOptions } from '../client/client-options.js';
import { TimeoutError, UserAbortError } from '../errors.js';
import type { CallScope } from '../http/call-scope.js';
import { DeadlineClock } from '../http/deadline-clock.js';
import { isRetryStatus } from '../http/ky-send.js';
import { DEFAULT_NVCF, type NvcfPollConfig } from '../http/nvcf-poll.js';
import { requestIdOf } from '../http/request-id.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from '../http/timeouts.js';
import { toTransportError } from '../http/transport-error.js';
import { abortableSleep } from '../internal/abortable-sleep.js';
import { omitUndefined } from '../internal/omit-undefined.js';
import { redactSecret } from '../internal/redact-secret.js';
import { retryDelayMs } from '../internal/retry-timing.js';
import { isFramingHeader } from './framing-headers.js';
import { attempt, CallSlot, HeadersTimeout, type AttemptInit, type Target, type UpstreamAnswer } from './upstream-attempt.js';
import { hintMs } from './prompt-rate-limits.js';
import type { CallAbort } from './request-abort.js';
import { rateLimitError, statusError } from './upstream-errors.js';

/** Options of {@link DirectUpstream}. */
export interface DirectUpstreamOptions {
  /** The upstream client's options (a config's `upstream`, secrets revealed). */
  client: ClientOptions;
  /** Bytes of one answer body (`limits.maxAnswerBytes`). */
  maxAnswerBytes: number;
  /** Longest Retry-After waited out; a longer one goes back to the client at once (see promptRateLimits). */
  maxWaitMs: number;
}

/** An answered 2xx call whose body is unread; `close()` releases its deadlines and listeners. */
export interface DirectCall {
  answer: UpstreamAnswer;
  /** The call's deadlines and abort; arm the body phases (first chunk, idle) on it. */
  scope: CallScope;
  requestId: string | undefined;
  close(): void;
}

// Connections per origin; undici's own deadlines off (the call's scope runs every deadline).
const AGENT_OPTIONS = { connections: 256, headersTimeout: 0, bodyTimeout: 0 };

/** The upstream of the direct path: one connection pool per origin, the fixed headers built once. */
export class DirectUpstream {
  /** The chat completions URL, as the client names it in errors. */
  readonly url: string;
  readonly timeouts: Required<Timeouts>;
  readonly maxAnswerBytes: number;
  /** Longest SSE line or event buffered (the client's `maxStreamBufferSize`). */
  readonly maxBufferSize: number | undefined;
  // Keep-alive pools by origin (the NVCF status host is another than the upstream).
  readonly #agent = new Agent(AGENT_OPTIONS);
  // One shared timer for every call's deadlines, ticking at a tenth of the shortest one (5 ms to 1 s).
  readonly #clock: DeadlineClock;
  readonly #target: Target | undefined;
  readonly #apiKey: string | undefined;
  readonly #maxRetries: number;
  readonly #maxWaitMs: number;
  readonly #nvcf: NvcfPollConfig;
  readonly #authHeaders: Record<string, string>;
  readonly #jsonHeaders: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;

  constructor(options: DirectUpstreamOptions) {
    const { client } = options;
    this.url = `${(client.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '')}/chat/completions`;
    const url = new URL(this.url);
    // The same rule as createClient: NVIDIA_API_KEY goes only to NVIDIA's hosts.
    const nvidia = url.hostname === 'nvidia.com' || url.hostname.endsWith('.nvidia.com');
    this.#apiKey = client.apiKey ?? ((nvidia && process.env.NVIDIA_API_KEY) || undefined);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...omitUndefined(client.timeouts ?? {}) };
    this.#clock = new DeadlineClock(Math.min(1_000, Math.max(5, Math.min(...Object.values(this.timeouts)) / 10)));
    this.maxAnswerBytes = options.maxAnswerBytes;
    this.maxBufferSize = client.maxStreamBufferSize;
    this.#maxRetries = client.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#maxWaitMs = options.maxWaitMs;
    this.#nvcf = { ...DEFAULT_NVCF, ...omitUndefined(client.nvcf ?? {}) };
    // Credentials in a URL are never sent (fetch refuses them too): such a call fails when made.
    this.#target = url.username || url.password ? undefined : this.#targetOf(url);
    // Lower-cased, so a configured `Authorization` or `Accept` replaces ours instead of going twice.
    const own = Object.fromEntries(Object.entries(client.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]).filter(([k]) => !isFramingHeader(k!)));
    this.#authHeaders = { ...own, ...omitUndefined({ authorization: this.#apiKey ? `Bearer ${this.#apiKey}` : undefined }) };
    this.#jsonHeaders = { accept: 'application/json', ...this.#authHeaders };
    this.#streamHeaders = { accept: 'text/event-stream', ...this.#authHeaders };
    if (!('content-type' in own)) this.#jsonHeaders['content-type'] = this.#streamHeaders['content-type'] = 'application/json';
  }

  /** Masks the API key wherever it appears in `value`. */
  readonly redact = <T>(value: T): T => redactSecret(value, this.#apiKey);

  /** Posts a chat body (JSON text) and resolves at a 2xx answer; anything else rejects typed; `abort` aborts it. */
  async open(body: string, stream: boolean, abort: CallAbort): Promise<DirectCall> {
    const slot = new CallSlot(undefined, this.timeouts.totalMs, this.#clock);
    const scope = slot; // one object: the call's deadlines and what its abort destroys (see CallSlot)
    // The request's abort becomes a UserAbortError here (what CallScope makes of a caller's signal).
    const onAbort = (reason: unknown) => slot.abort(new UserAbortError(reason));
    if (abort.aborted) onAbort(abort.reason);
    else abort.listen(onAbort);
    const close = () => {
      abort.unlisten(onAbort);
      slot.release();
    };
    try {
      scope.throwIfAborted();
      if (!this.#target) throw new TypeError('Request cannot be constructed from a URL that includes credentials');
      // One key for every attempt, so a retried POST the server already ran is not billed twice.
      const headers = { ...(stream ? this.#streamHeaders : this.#jsonHeaders), 'idempotency-key': `rewardgate-retry-${randomUUID()}` };
      let answer = await this.#send(this.#target, { method: 'POST', headers, body, headersMs: this.timeouts.headersMs, clock: this.#clock, slot });
      if (answer.statusCode === 202) answer = await this.#poll(answer, slot);
      return { answer, scope, requestId: requestIdOf(answer.headers), close };
    } catch (error) {
      close();
      throw toTransportError(error, scope.signal, this.url);
    }
  }

  /** Closes the pooled sockets. */
  close(): void {
    this.#agent.destroy().catch(() => {});
  }

  #targetOf(url: URL): Target {
    return { origin: url.origin, path: url.pathname + url.search, dispatcher: this.#agent };
  }

  // ky's attempts: retried statuses, timeouts and socket failures, after Retry-After or backoff.
  async #send(target: Target, init: AttemptInit): Promise<UpstreamAnswer> {
    for (let retry = 0; ; retry++) {
      const canRetry = retry < this.#maxRetries;
      let res: UpstreamAnswer;
      try {
        res = await attempt(target, init);
      } catch (error) {
        if (init.slot.signal.aborted || !canRetry) throw error instanceof HeadersTimeout ? new TimeoutError('headers', init.headersMs) : error;
        await abortableSleep(retryDelayMs(retry), init.slot.signal);
        continue;
      }
      const status = res.statusCode ?? 502;
      if (status >= 200 && status < 300) return res;
      const headers = res.fetchHeaders();
      const hint = status === 429 || status === 503 ? hintMs(headers) : undefined;
      if (hint !== undefined && hint > this.#maxWaitMs) throw await rateLimitError(res, status, hint, { signal: init.slot.signal, redact: this.redact });
      if (!canRetry || !isRetryStatus(status)) throw await statusError(res, status, { signal: init.slot.signal, redact: this.redact, maxBytes: this.maxAnswerBytes });
      res.destroy(); // unread: a complete answer's socket is back in the pool already, any other closes
      await abortableSleep(retryDelayMs(retry, headers), init.slot.signal);
    }
  }

  // Hosted NVCF answers 202 + NVCF-REQID while a job is queued: poll until something else comes.
  async #poll(first: UpstreamAnswer, slot: CallSlot): Promise<UpstreamAnswer> {
    let res = first;
    while (res.statusCode === 202) {
      const id = res.headers['nvcf-reqid'];
      if (typeof id !== 'string' || id === '') return res;
      res.destroy(); // unread: a complete answer's socket is back in the pool already, any other closes
      await abortableSleep(this.#nvcf.pollIntervalMs, slot.signal);
      const url = new URL(`${this.#nvcf.statusBaseURL.replace(/\/+$/, '')}/${encodeURIComponent(id)}`);
      res = await this.#send(this.#targetOf(url), { method: 'GET', headers: this.#authHeaders, headersMs: this.timeouts.headersMs, clock: this.#clock, slot });
    }
    return res;
  }
}
