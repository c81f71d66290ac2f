import type { Scorer } from '../interfaces.js';
import type { AnyChatModel } from '../integrations/openai-wire.js';
import type { Secret } from '../internal/secret.js';
import type { AccessLogOptions, LineSink } from './access-log.js';
import type { PassThroughOptions } from './pass-through.js';
import type { CorsOptions } from './request-checks.js';
import type { CheckedParts } from './start-check.js';

export type { AccessLogOptions, CorsOptions, LineSink, PassThroughOptions };

/** Deadlines of client connections, ms (see docs/server.md). */
export interface ListenTimeouts {
  /** To receive a request's headers, from the connection's first byte or its previous request (default 20 000); a connection that never sends a byte is closed after it too. */
  headersMs?: number;
  /** To receive a whole request, body included (default 60 000): a body trickled at 1 byte/s is cut. */
  bodyMs?: number;
  /** An idle keep-alive connection is closed after this (default 65 000, longer than common load balancers' idle timeout). */
  idleMs?: number;
}

/** Bounds of one upstream answer. */
export interface AnswerLimits {
  /** Bytes of one upstream answer body on the wire (default 32 MiB). */
  maxAnswerBytes?: number;
  /** Characters of answer text (content, reasoning, tool arguments) passed on (default 2 000 000). */
  maxAnswerChars?: number;
}

/**
 * What the guard server runs: a model (usually a pipeline) and optional scorers to serve.
 *
 * @example
 * const options: GuardServerOptions = { model: pipeline(llm, [safety({ guard })]), scorers: { reward: scorer }, port: 8787 };
 */
export interface GuardServerOptions {
  /** Answers `/v1/chat/completions`: a `pipeline(...)` or any ChatModel. */
  model: AnyChatModel;
  /**
   * The parts `server.check()` calls (the upstream, scorers and guards): set from a config file;
   * in code, pass the ones your pipeline uses. Without them `check()` finds nothing to check.
   */
  parts?: CheckedParts;
  /** Reward models served in the NIM reward shape: a request whose `model` is a key here is scored. */
  scorers?: Record<string, Scorer>;
  /** Model id used when a request names none, and listed by `/v1/models`. */
  defaultModel?: string;
  /** Interface to bind. Default `127.0.0.1` (loopback). */
  host?: string;
  /** Port to bind; 0 picks a free one. Default 8787. */
  port?: number;
  /** Bearer token clients must send. Required when `host` is not loopback. */
  token?: string | Secret;
  /** Largest request body, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** How long `close()` lets in-flight requests finish before cutting them, ms. Default 10 000. */
  shutdownTimeoutMs?: number;
  /**
   * Called with server-side failures (5xx answers, broken streams), for logging. Default:
   * `console.error` prints each error's stack and causes with credentials masked.
   */
  onError?: (error: unknown) => void;
  /** Send every candidate's text in the report (default false: clients must not receive blocked or unjudged answers). */
  reportCandidateText?: boolean;
  /** Deadlines for slow and idle clients. */
  timeouts?: ListenTimeouts;
  /** Bounds of what is kept per upstream answer; past them the answer ends with 502 `upstream_answer_too_large`. */
  limits?: AnswerLimits;
  /** Browsers allowed to call the proxy cross-origin (without it, a token-less proxy refuses every foreign `Origin`). */
  cors?: CorsOptions;
  /** `'slim'` (default): reports without raw guard outputs; `'full'`: with them. */
  report?: 'slim' | 'full';
  /** Routes forwarded to the upstream unguarded, e.g. `{ routes: ['/v1/embeddings'], baseURL }`. */
  passThrough?: PassThroughOptions;
  /** One JSON line per request (pino): `true` for stdout, or where and what to log. Default off. */
  accessLog?: boolean | AccessLogOptions;
  /** Serve Prometheus metrics at `GET /metrics` (default true). */
  metrics?: boolean;
  /** How the Node transport reaches the upstream (pass-through routes use it); default the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Called when the server is closed (e.g. to release loaded models). */
  onClose?: () => void | Promise<void>;
}

/** Where a listening server can be reached. */
export interface GuardServerAddress {
  host: string;
  port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
}
