// The request engine: one attempt loop around ky with retries, deadlines, 202 polling and
// redaction. ky does the HTTP (see ky-send.ts); ky's own retry is off because it neither honours
// retry-after-ms nor retries POSTs with an idempotency key, and its timeout does not cover stream
// phases. Per call it builds one header object (the fixed part is built once per client), one
// JSON string for every attempt, and one CallScope whose single timer serves all deadlines.
import type { KyInstance } from 'ky';
import { StreamError } from '../errors.js';
import { abortableSleep, raceAbort } from '../internal/abortable-sleep.js';
import type { LinkedAbort } from '../internal/merge-abort-signals.js';
import { redactSecret } from '../internal/redact-secret.js';
import { retryDelayMs } from '../internal/retry-timing.js';
import { CallScope } from './call-scope.js';
import { toTransportError } from './transport-error.js';
import { errorFromResponse, requestIdOf } from './error-response.js';
import { createKy, kySend } from './ky-send.js';
import { pollNvcf, type NvcfPollConfig } from './nvcf-poll.js';
import type { Timeouts } from './timeouts.js';

export interface TransportConfig {
  baseURL: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  maxRetries: number;
  timeouts: Required<Timeouts>;
  nvcf: NvcfPollConfig;
  fetch?: typeof globalThis.fetch | undefined;
}

export interface SendOptions {
  method: 'get' | 'post';
  /** Relative to the base URL, e.g. `chat/completions`. */
  path: string;
  body?: unknown;
  signal?: AbortSignal | undefined;
  stream?: boolean;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Statuses returned as a response instead of thrown (e.g. 503 for a readiness check). */
  passStatuses?: ReadonlyArray<number>;
}

/** An answered call whose body is still unread. `close()` releases its timers and listeners. */
export interface OpenCall {
  response: Response;
  url: string;
  requestId: string | undefined;
  scope: CallScope;
  /** The link of the winning attempt: abort it to stop reading the body. */
  link: LinkedAbort;
  close(): void;
}

export class Transport {
  readonly #apiKey: string | undefined;
  readonly #config: Omit<TransportConfig, 'apiKey'>;
  readonly #ky: KyInstance;
  // Built once: accept, the client's headers and the key, in that order of precedence.
  readonly #jsonHeaders: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;
  readonly #authHeaders: Record<string, string>;
  readonly #hasContentType: boolean;
  readonly #baseURL: string;

  constructor(config: TransportConfig) {
    const { apiKey, ...rest } = config;
    this.#apiKey = apiKey;
    this.#config = rest;
    this.#ky = createKy(config.fetch);
    // Lower-cased so a caller's `Authorization` or `Accept` replaces ours instead of being sent twice.
    const own = Object.fromEntries(Object.entries(config.headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.#authHeaders = { ...own, ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
    this.#jsonHeaders = { accept: 'application/json', ...this.#authHeaders };
    this.#streamHeaders = { accept: 'text/event-stream', ...this.#authHeaders };
    this.#hasContentType = Object.keys(config.headers).some((k) => k.toLowerCase() === 'content-type');
    this.#baseURL = config.baseURL.replace(/\/+$/, '');
  }

  /** Masks the API key wherever it appears in `value` (error bodies may echo headers). */
  redact<T>(value: T): T {
    return redactSecret(value, this.#apiKey);
  }

  get timeouts(): Required<Timeouts> {
    return this.#config.timeouts;
  }

  /** Sends and reads a JSON answer. */
  async json(options: SendOptions): Promise<{ body: unknown; status: number; requestId: string | undefined }> {
    const call = await this.open(options);
    try {
      // Headers then a stalled body would otherwise wait for the total deadline.
      call.scope.arm('idle', this.#config.timeouts.idleMs);
      const text = await raceAbort(call.response.text(), call.link.signal);
      call.scope.disarm();
      try {
        return { body: text ? JSON.parse(text) : undefined, status: call.response.status, requestId: call.requestId };
      } catch {
        // No JSON.parse error as the cause: it quotes the body, cut where a masked key would show in part.
        throw new StreamError('malformed', `The response from ${call.url} is not valid JSON: ${this.redact(text).slice(0, 80)}`);
      }
    } catch (error) {
      throw toTransportError(error, call.link.signal, call.url);
    } finally {
      call.close();
    }
  }

  /** Sends with retries and returns the answered call; the caller reads the body and closes it. */
  async open(options: SendOptions): Promise<OpenCall> {
    const { timeouts, maxRetries: clientRetries, nvcf } = this.#config;
    const url = `${this.#baseURL}/${options.path.replace(/^\/+/, '')}`;
    const maxRetries = options.maxRetries ?? clientRetries;
    const scope = new CallScope(options.signal, timeouts.totalMs);
    const headers: Record<string, string> = { ...(options.stream ? this.#streamHeaders : this.#jsonHeaders) };
    // One key for every attempt, so a retried POST the server already ran is not billed twice.
    if (options.method === 'post') headers['idempotency-key'] = `rewardgate-retry-${globalThis.crypto.randomUUID()}`;
    const body = options.body !== undefined ? JSON.stringify(options.body) : undefined;
    if (body !== undefined && !this.#hasContentType) headers['content-type'] = 'application/json';
    const method = options.method === 'post' ? 'POST' : 'GET';
    try {
      for (let attempt = 0; ; attempt++) {
        scope.throwIfAborted();
        const link = scope.child();
        let response: Response;
        scope.arm('headers', timeouts.headersMs);
        try {
          response = await kySend(this.#ky, url, { method, headers, signal: link.signal, ...(body !== undefined ? { body } : {}) });
          scope.disarm();
          if (response.status === 202) response = await pollNvcf(this.#ky, response, nvcf, this.#authHeaders, link, scope, timeouts.headersMs);
        } catch (error) {
          scope.disarm();
          const mapped = toTransportError(error, link.signal, url);
          link.dispose();
          if (!mapped.isRetryable || scope.signal.aborted || attempt >= maxRetries) throw mapped;
          await abortableSleep(retryDelayMs(attempt), scope.signal);
          continue;
        }
        if (response.ok || options.passStatuses?.includes(response.status)) {
          const requestId = requestIdOf(response.headers);
          const close = () => {
            link.dispose();
            scope.dispose();
          };
          return { response, url, requestId, scope, link, close };
        }
        const error = await errorFromResponse(response, link.signal, this.#apiKey);
        link.dispose();
        if (!error.isRetryable || attempt >= maxRetries) throw error;
        await abortableSleep(retryDelayMs(attempt, response.headers), scope.signal);
      }
    } catch (error) {
      scope.dispose();
      throw toTransportError(error, scope.signal, url);
    }
  }
}
