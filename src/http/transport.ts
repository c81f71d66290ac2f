// The request engine around ky: ky runs the attempts (retries, Retry-After, backoff, the headers
// deadline per attempt; see ky-send.ts); this adds what ky lacks: one CallScope per call for the
// caller's signal, the total deadline and the body deadlines (first chunk, idle), NVCF 202 polling
// for NIM clients, and redaction. Per call it builds one header object (the fixed part is built
// once per client) and one JSON string that every attempt sends with the same idempotency key.
import { ResponseError } from '../errors.js';
import { raceAbort } from '../internal/abortable-sleep.js';
import type { LinkedAbort } from '../internal/merge-abort-signals.js';
import { redactSecret } from '../internal/redact-secret.js';
import { CallScope } from './call-scope.js';
import { toTransportError } from './transport-error.js';
import { createKy, kySend, type KyClient, type SendCall, type SendInit } from './ky-send.js';
import { pollNvcf, type NvcfPollConfig } from './nvcf-poll.js';
import { requestIdOf } from './request-id.js';
import type { Timeouts } from './timeouts.js';
import { omitUndefined } from '../internal/omit-undefined.js';

export interface TransportConfig {
  baseURL: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  maxRetries: number;
  timeouts: Required<Timeouts>;
  /** NVIDIA-hosted NIM only: poll 202 answers. Without it a 202 is returned like any 2xx. */
  nvcf?: NvcfPollConfig | undefined;
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
  /** Abort it to stop reading the body (it is the call's scope). */
  link: LinkedAbort;
  close(): void;
}

export class Transport {
  readonly #apiKey: string | undefined;
  readonly #config: Omit<TransportConfig, 'apiKey'>;
  readonly #ky: KyClient;
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
    this.#ky = createKy(config.fetch, config.timeouts.headersMs, config.maxRetries);
    // Lower-cased so a caller's `Authorization` or `Accept` replaces ours instead of being sent twice.
    const own = Object.fromEntries(Object.entries(config.headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.#authHeaders = { ...own, ...omitUndefined({ authorization: apiKey ? `Bearer ${apiKey}` : undefined }) };
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

  /** Sends and reads a JSON answer; a 2xx body that is not JSON is a ResponseError('invalid-json'). */
  async json(options: SendOptions): Promise<{ body: unknown; status: number; requestId: string | undefined }> {
    const call = await this.open(options);
    try {
      // Headers then a stalled body would otherwise wait for the total deadline.
      call.scope.arm('idle', this.#config.timeouts.idleMs);
      const text = await raceAbort(call.response.text(), call.scope.signal);
      call.scope.disarm();
      try {
        return { body: text ? JSON.parse(text) : undefined, status: call.response.status, requestId: call.requestId };
      } catch {
        // No JSON.parse error as the cause: it quotes the body, cut where a masked key would show in part.
        throw new ResponseError('invalid-json', `The response from ${call.url} is not valid JSON: ${this.redact(text).slice(0, 80)}`);
      }
    } catch (error) {
      throw toTransportError(error, call.scope.signal, call.url);
    } finally {
      call.close();
    }
  }

  /** Sends with retries and returns the answered call; the caller reads the body and closes it. */
  async open(options: SendOptions): Promise<OpenCall> {
    const { timeouts, nvcf } = this.#config;
    const url = `${this.#baseURL}/${options.path.replace(/^\/+/, '')}`;
    const scope = new CallScope(options.signal, timeouts.totalMs);
    const headers: Record<string, string> = { ...(options.stream ? this.#streamHeaders : this.#jsonHeaders) };
    // One key for every attempt, so a retried POST the server already ran is not billed twice.
    if (options.method === 'post') headers['idempotency-key'] = `rewardgate-retry-${globalThis.crypto.randomUUID()}`;
    const body = options.body !== undefined ? JSON.stringify(options.body) : undefined;
    if (body !== undefined && !this.#hasContentType) headers['content-type'] = 'application/json';
    const call: SendCall = {
      signal: scope.signal,
      maxRetries: options.maxRetries ?? this.#config.maxRetries,
      passStatuses: options.passStatuses,
      secret: this.#apiKey,
      headersMs: timeouts.headersMs,
    };
    try {
      scope.throwIfAborted();
      const init: SendInit = { method: options.method === 'post' ? 'POST' : 'GET', headers };
      if (body !== undefined) init.body = body;
      let response = await kySend(this.#ky, url, init, call);
      if (response.status === 202 && nvcf) response = await pollNvcf(this.#ky, response, nvcf, this.#authHeaders, call);
      return { response, url, requestId: requestIdOf(response.headers), scope, link: scope, close: () => scope.dispose() };
    } catch (error) {
      scope.dispose();
      throw toTransportError(error, scope.signal, url);
    }
  }
}
