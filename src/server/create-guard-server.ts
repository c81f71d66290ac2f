import { checkParts, type StartCheck } from './start-check.js';
import type { Server } from 'node:http';
import { ValidationError } from '../errors.js';
import { boundedFetch, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_ANSWER_CHARS } from '../integrations/wire/answer-limit.js';
import type { ChatWireOptions } from '../integrations/wire/run-chat.js';
import { Secret } from '../internal/secret.js';
import { createAccessLogger } from './access-log.js';
import { ServerMetrics } from './metrics.js';
import { createNodeFetch } from './node-fetch.js';
import { promptRateLimits } from './prompt-rate-limits.js';
import { DEFAULT_TIMEOUTS } from '../http/timeouts.js';
import { RETRY_AFTER_CAP_MS } from '../internal/retry-timing.js';
import { loadServerTelemetry } from './server-span.js';
import type { GuardConfigFile, GuardConfigInput } from '../config/schema.js';
import { buildFromConfig } from '../config/build.js';
import { revealed } from '../config/from-options.js';
import { parseConfig } from '../config/load.js';
import { isLoopback } from './access.js';
import { DirectUpstream } from './direct-upstream.js';
import type { ServerState } from './server-state.js';
import { createProxyServer, Serving } from './serving.js';
import { timedGuard, timedScorer } from './timed-parts.js';
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
        await drain(serving, Date.now() + (closeOptions.timeoutMs ?? options.shutdownTimeoutMs ?? 10_000), shutdown);
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
    metrics,
    fetch: boundedFetch(options.fetch ?? upstreamFetch(), limits.maxAnswerBytes),
    readiness: undefined,
    wire,
    direct,
  };
}

// Stops accepting, lets in-flight answers finish until `end`, then aborts them and closes every connection.
async function drain(serving: Serving, end: number, shutdown: AbortController): Promise<void> {
  const { server } = serving;
  const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const timer = setInterval(() => serving.sweepIdle(), 25);
  serving.sweepIdle();
  try {
    if ((await within(Promise.allSettled([...serving.active]), end)) === 'late') {
      shutdown.abort(new Error('the server shut down'));
      await Promise.allSettled([...serving.active]);
    }
    if ((await within(stopped, end)) === 'late') server.closeAllConnections();
    await stopped;
  } finally {
    clearInterval(timer);
  }
}

// node:http with a keep-alive agent (see node-fetch.ts); RG_UPSTREAM_FETCH=global switches to the
// global fetch (undici), e.g. to compare the two in bench/proxy.bench.ts.
function upstreamFetch(): typeof globalThis.fetch {
  return process.env.RG_UPSTREAM_FETCH === 'global' ? (input, init) => globalThis.fetch(input, init) : createNodeFetch();
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

function checkAccess(host: string | undefined, token: unknown): void {
  const h = host ?? '127.0.0.1';
  const text = typeof token === 'string' ? token : token instanceof Secret ? token.reveal() : undefined;
  // Clients' tokens are compared trimmed, so a padded one could never match: refuse it at start.
  if (text !== undefined && (text !== text.trim() || text === '')) {
    throw new ValidationError('guard server options', [{ path: 'listen.token', message: 'the token has leading or trailing whitespace (or is empty); it could never match' }]);
  }
  if (!isLoopback(h) && !token) {
    throw new ValidationError('guard server options', [{ path: 'listen.token', message: `a bearer token is required to listen on ${h} (not a loopback address)` }]);
  }
}

type Prepared = { options: GuardServerOptions; direct: DirectUpstream | undefined; metrics: ServerMetrics | undefined };

function fromCode(input: GuardServerOptions): Prepared {
  checkAccess(input.host, input.token);
  return { options: { ...input }, direct: undefined, metrics: input.metrics === false ? undefined : new ServerMetrics() };
}

// Access is checked before any model is loaded, and the models are released if that fails later.
async function fromConfig(input: GuardConfigInput | GuardConfigFile): Promise<Prepared> {
  const config = parseConfig(input, {}, 'guard server config');
  const { listen, upstream } = config;
  checkAccess(listen.host, listen.token);
  const limits = { maxAnswerBytes: config.limits?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES, maxAnswerChars: config.limits?.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS };
  // The upstream's answers are bounded where they are read: no body grows past maxAnswerBytes.
  // A Retry-After past the retry cap or the call's deadline goes back to the client at once.
  const maxWaitMs = Math.min(RETRY_AFTER_CAP_MS, upstream.timeouts?.totalMs ?? DEFAULT_TIMEOUTS.totalMs);
  const fetch = promptRateLimits(upstreamFetch(), maxWaitMs, upstream.apiKey?.reveal());
  // Guards and scorers are timed by their config names, for /metrics.
  const metrics = listen.metrics === false ? undefined : new ServerMetrics();
  const built = await buildFromConfig(config, {
    fetch: boundedFetch(fetch, limits.maxAnswerBytes),
    wrapGuard: metrics && ((name, guard) => timedGuard(name, guard, metrics)),
    wrapScorer: metrics && ((name, scorer) => timedScorer(name, scorer, metrics)),
  });
  const options: GuardServerOptions = {
    model: built.model,
    scorers: built.servedScorers,
    defaultModel: upstream.model,
    host: listen.host,
    port: listen.port,
    token: listen.token,
    bodyLimit: listen.bodyLimit,
    shutdownTimeoutMs: listen.shutdownTimeoutMs,
    reportCandidateText: listen.reportCandidateText,
    limits,
    timeouts: listen.timeouts,
    cors: listen.cors,
    report: listen.report,
    accessLog: listen.accessLog,
    metrics: listen.metrics,
    parts: { upstream: built.upstream, scorers: built.scorers, guards: built.guards },
    onClose: built.close,
  };
  if (listen.passThrough?.length && upstream.baseURL) options.passThrough = { routes: listen.passThrough, baseURL: upstream.baseURL, apiKey: upstream.apiKey };
  return { options, direct: directUpstream(config, limits.maxAnswerBytes, maxWaitMs), metrics };
}

// Nothing judges the answer (no pipeline steps) and the upstream is remote: the direct path.
// RG_DIRECT=0 keeps the full path (pipeline and client), e.g. to compare the two in a benchmark.
function directUpstream(config: GuardConfigFile, maxAnswerBytes: number, maxWaitMs: number): DirectUpstream | undefined {
  if (config.pipeline.length > 0 || config.upstream.onnx || process.env.RG_DIRECT === '0') return undefined;
  const { model: _model, onnx: _onnx, ...client } = config.upstream;
  return new DirectUpstream({ client: revealed(client), maxAnswerBytes, maxWaitMs });
}
