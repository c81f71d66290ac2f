import { checkParts, type StartCheck } from './start-check.js';
import type { Server } from 'node:http';
import { boundedFetch, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_ANSWER_CHARS } from '../integrations/wire/answer-limit.js';
import type { ChatWireOptions } from '../integrations/wire/run-chat.js';
import { createAccessLogger } from './access-log.js';
import type { ServerMetrics } from './metrics.js';
import { loadServerTelemetry } from './server-span.js';
import type { GuardConfigFile, GuardConfigInput } from '../config/schema.js';
import type { DirectUpstream } from './direct-upstream.js';
import { fromCode, fromConfig, upstreamFetch } from './from-config.js';
import type { ServerState } from './server-state.js';
import { createProxyServer, Serving } from './serving.js';
import type { AnswerLimits, GuardServerAddress, GuardServerOptions } from './options.js';

/** A guard proxy: an OpenAI-compatible server in front of a pipeline. */
export interface GuardServer {
  /** The underlying node:http server. */
  readonly server: Server;
  /** Where it listens, once `listen()` resolved. */
  readonly address: GuardServerAddress | undefined;
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** Starts listening. Rejects when bound off loopback without a token. */
  listen(): Promise<GuardServerAddress>;
  /**
   * Stops accepting requests, lets in-flight ones (streams included) finish, and after the
   * deadline (`shutdownTimeoutMs` unless given) aborts what is left and closes every connection.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Calls every part once (`options.parts`: the upstream, scorers and guards of a config) with its
   * configured credentials; `/v1/health/ready` answers 503 `not_ready` until a check passes.
   */
  check(options?: { timeoutMs?: number }): Promise<StartCheck>;
  /** The last check, if one ran. */
  readonly readiness: StartCheck | undefined;
}

/** Hooks for either form of {@link createGuardServer} (a config file has no place for functions). */
export interface GuardServerHooks {
  /**
   * Server-side failures (5xx answers, broken streams). Default: `console.error` prints each
   * error's stack and causes with credentials masked.
   */
  onError?: (error: unknown) => void;
}

/**
 * Creates the guard proxy from a config (the object of a config file, see `loadConfig`) or from a
 * model you built in code. Serves `POST /v1/chat/completions` (JSON and SSE, the pipeline report
 * in a `rewardgate` field), `GET /v1/models`, `GET /health`, and configured scorers in the NIM
 * reward shape. Loopback by default; a bearer token is required to bind anywhere else. A config
 * whose pipeline is empty, before a remote upstream, answers chat through the direct path
 * (node:http straight to the upstream, same answers, a fraction of the CPU per request).
 *
 * @example
 * const server = await createGuardServer({ model: pipeline(fromOpenAI(openai, { model }), [safety({ guard })]) });
 * // or: await createGuardServer(await loadConfig('rewardgate.yaml'), { onError: (e) => log.error(e) });
 * const { url } = await server.listen(); // http://127.0.0.1:8787
 * // later: await server.close();
 */
export async function createGuardServer(input: GuardServerOptions | GuardConfigInput | GuardConfigFile, hooks: GuardServerHooks = {}): Promise<GuardServer> {
  const { options, direct, metrics } = 'upstream' in input ? await fromConfig(input) : fromCode(input);
  if (hooks.onError) options.onError = hooks.onError;
  const shutdown = new AbortController();
  const state = serverState(options, shutdown.signal, direct, metrics);
  const logger = options.accessLog ? createAccessLogger(options.accessLog === true ? {} : options.accessLog) : undefined;
  void loadServerTelemetry();
  const serving = new Serving(createProxyServer(options.timeouts), state, logger);
  let address: GuardServerAddress | undefined;
  let closing: Promise<void> | undefined;
  return {
    server: serving.server,
    get address() {
      return address;
    },
    get inFlight() {
      return serving.active.size;
    },
    get readiness() {
      return state.readiness;
    },
    async check(checkOptions = {}) {
      const parts = options.parts ?? { upstream: undefined, scorers: {}, guards: {} };
      state.readiness = await checkParts(parts, { ...checkOptions, signal: shutdown.signal });
      return state.readiness;
    },
    async listen() {
      address = await serving.listen(options.port ?? 8787, options.host ?? '127.0.0.1');
      return address;
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        state.draining = true;
        await drain(serving, Date.now() + (closeOptions.timeoutMs ?? options.shutdownTimeoutMs ?? 10_000), () => {
          shutdown.abort(new Error('the server shut down'));
          for (const call of state.calls) call.abort(shutdown.signal.reason);
        });
        // Lines still buffered in the async destination go out before the process may exit.
        if (logger) await new Promise<void>((resolve) => logger.flush(() => resolve()));
        direct?.close();
        await options.onClose?.();
      })();
      return closing;
    },
  };
}

function serverState(options: GuardServerOptions, shutdown: AbortSignal, direct: DirectUpstream | undefined, metrics: ServerMetrics | undefined): ServerState {
  const limits: Required<AnswerLimits> = { maxAnswerBytes: options.limits?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES, maxAnswerChars: options.limits?.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS };
  options.limits = limits;
  const { defaultModel } = options;
  const wire: ChatWireOptions = { onError: options.onError, reportCandidateText: options.reportCandidateText, report: options.report, maxAnswerChars: limits.maxAnswerChars };
  if (defaultModel) wire.prepare = (r) => (r.model ? r : { ...r, model: defaultModel });
  return {
    options,
    token: options.token,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    draining: false,
    shutdown,
    calls: new Set(),
    metrics,
    fetch: boundedFetch(options.fetch ?? upstreamFetch(), limits.maxAnswerBytes),
    readiness: undefined,
    wire,
    direct,
  };
}

// Stops accepting, lets in-flight answers finish until `end`, then aborts them and closes every connection.
async function drain(serving: Serving, end: number, abortAll: () => void): Promise<void> {
  const { server } = serving;
  const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const timer = setInterval(() => serving.sweepIdle(), 25);
  serving.sweepIdle();
  try {
    if ((await within(Promise.allSettled([...serving.active]), end)) === 'late') {
      abortAll();
      await Promise.allSettled([...serving.active]);
    }
    if ((await within(stopped, end)) === 'late') server.closeAllConnections();
    await stopped;
  } finally {
    clearInterval(timer);
  }
}

// Settles with 'done', or with 'late' once the wall clock passes `end`.
async function within(work: Promise<unknown>, end: number): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, end - Date.now()))));
  try {
    return await Promise.race([work.then(() => 'done' as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
