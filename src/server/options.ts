import type { Scorer } from '../interfaces.js';
import type { AnyChatModel } from '../integrations/openai-wire.js';
import type { Secret } from '../internal/secret.js';

/**
 * What the guard server runs: a model (usually a pipeline) and optional scorers to serve.
 *
 * @example
 * const options: GuardServerOptions = { model: pipeline(llm, [safety({ guard })]), scorers: { reward: scorer }, port: 8787 };
 */
export interface GuardServerOptions {
  /** Answers `/v1/chat/completions`: a `pipeline(...)` or any ChatModel. */
  model: AnyChatModel;
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
