// The request engine: one attempt loop around ky with retries, deadlines, 202 polling and
// redaction. ky does the HTTP; ky's own retry is off because it neither honours retry-after-ms
// nor retries POSTs with an idempotency key, and its timeout does not cover stream phases.
import ky, { type KyInstance } from 'ky';
import { StreamError } from '../errors.js';
import { abortableSleep, raceAbort } from '../internal/abortable-sleep.js';
import type { LinkedAbort } from '../internal/merge-abort-signals.js';
import { redactSecret } from '../internal/redact-secret.js';
import { retryDelayMs } from '../internal/retry-timing.js';
import { armDeadline, CallScope, toTransportError } from './call-scope.js';
import { errorFromResponse, requestIdOf } from './error-response.js';
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

  constructor(config: TransportConfig) {
    const { apiKey, ...rest } = config;
    this.#apiKey = apiKey;
    this.#config = rest;
    this.#ky = ky.create({ retry: 0, timeout: false, throwHttpErrors: false, ...(config.fetch ? { fetch: config.fetch } : {}) });
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
      const text = await raceAbort(call.response.text(), call.link.signal);
      try {
        return { body: text ? JSON.parse(text) : undefined, status: call.response.status, requestId: call.requestId };
      } catch (error) {
        throw new StreamError('malformed', `The response from ${call.url} is not valid JSON`, { cause: error });
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
    const url = joinURL(this.#config.baseURL, options.path);
    const maxRetries = options.maxRetries ?? clientRetries;
    const scope = new CallScope(options.signal, timeouts.totalMs);
    const auth: Record<string, string> = this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {};
    // One key for every attempt, so a retried POST the server already ran is not billed twice.
    const idempotency: Record<string, string> = options.method === 'post' ? { 'idempotency-key': `rewardgate-retry-${globalThis.crypto.randomUUID()}` } : {};
    const headers = {
      accept: options.stream ? 'text/event-stream' : 'application/json',
      ...this.#config.headers,
      ...auth,
      ...idempotency,
    };
    try {
      for (let attempt = 0; ; attempt++) {
        scope.throwIfAborted();
        const link = scope.child();
        let response: Response;
        const disarm = armDeadline(link, 'headers', timeouts.headersMs);
        try {
          response = await this.#ky(url, {
            method: options.method,
            headers,
            signal: link.signal,
            ...(options.body !== undefined ? { json: options.body } : {}),
          });
          disarm();
          if (response.status === 202) response = await pollNvcf(this.#ky, response, nvcf, { ...this.#config.headers, ...auth }, link, timeouts.headersMs);
        } catch (error) {
          disarm();
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

function joinURL(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
