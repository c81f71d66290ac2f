import { checkParts, type StartCheck } from './start-check.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ValidationError } from '../errors.js';
import { boundedFetch, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_MAX_ANSWER_CHARS } from '../integrations/wire/answer-limit.js';
import { tooLarge } from '../integrations/wire/read-body.js';
import { Secret } from '../internal/secret.js';
import { createAccessLogger, logRequest } from './access-log.js';
import { ServerMetrics } from './metrics.js';
import { createNodeFetch } from './node-fetch.js';
import { promptRateLimits } from './prompt-rate-limits.js';
import { DEFAULT_TIMEOUTS } from '../http/timeouts.js';
import { RETRY_AFTER_CAP_MS } from '../internal/retry-timing.js';
import type { RequestRecord } from './request-record.js';
import { loadServerTelemetry, withServerSpan } from './server-span.js';
import type { GuardConfigFile, GuardConfigInput } from '../config/schema.js';
import { buildFromConfig } from '../config/build.js';
import { parseConfig } from '../config/load.js';
import { reportError, wireError, writeNodeJson } from '../integrations/openai-wire.js';
import { isLoopback } from './access.js';
import { handleRequest, type ServerState } from './handle-request.js';
import type { GuardServerAddress, GuardServerOptions } from './options.js';

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

/**
 * Creates the guard proxy from a config (the object of a config file, see `loadConfig`) or from a
 * model you built in code. Serves `POST /v1/chat/completions` (JSON and SSE, the pipeline report
 * in a `rewardgate` field), `GET /v1/models`, `GET /health`, and configured scorers in the NIM
 * reward shape. Loopback by default; a bearer token is required to bind anywhere else.
 *
 * @example
 * const server = await createGuardServer({ model: pipeline(fromOpenAI(openai, { model }), [safety({ guard })]) });
 * // or: await createGuardServer(await loadConfig('rewardgate.yaml'), { onError: (e) => log.error(e) });
 * const { url } = await server.listen(); // http://127.0.0.1:8787
 * // later: await server.close();
 */
export async function createGuardServer(input: GuardServerOptions | GuardConfigInput | GuardConfigFile, hooks: GuardServerHooks = {}): Promise<GuardServer> {
  const given = 'upstream' in input ? await fromConfig(input) : (checkAccess(input.host, input.token), input);
  const options: GuardServerOptions = { ...given, ...definedHooks(hooks) };
  const shutdown = new AbortController();
  const metrics = options.metrics === false ? undefined : new ServerMetrics();
  const limits = { maxAnswerBytes: DEFAULT_MAX_ANSWER_BYTES, maxAnswerChars: DEFAULT_MAX_ANSWER_CHARS, ...defined(options.limits) };
  options.limits = limits;
  const state: ServerState = {
    options,
    token: options.token,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    draining: false,
    shutdown: shutdown.signal,
    metrics,
    fetch: boundedFetch(options.fetch ?? upstreamFetch(), limits.maxAnswerBytes),
    readiness: undefined,
  };
  const logger = options.accessLog ? createAccessLogger(options.accessLog === true ? {} : options.accessLog) : undefined;
  void loadServerTelemetry();
  const active = new Set<Promise<void>>();
  const timeouts = { headersMs: 20_000, bodyMs: 60_000, idleMs: 65_000, ...defined(options.timeouts) };
  const server = createServer({
    // Node checks these deadlines on an interval: check often enough for the shortest one.
    connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(Math.min(timeouts.headersMs, timeouts.bodyMs) / 4))),
    headersTimeout: Math.min(timeouts.headersMs, timeouts.bodyMs),
    requestTimeout: timeouts.bodyMs,
    keepAliveTimeout: timeouts.idleMs,
  });
  // Sockets with an answer in progress; any other socket can be closed at shutdown at once.
  const busy = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const record: RequestRecord = { id: requestIdOf(req), method: req.method ?? 'GET', route: 'other', status: 0, latencyMs: 0 };
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      busy.set(socket, (busy.get(socket) ?? 1) - 1);
      record.status = res.headersSent ? res.statusCode : 499;
      record.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      metrics?.observe(record);
      if (logger) logRequest(logger, record);
    });
    const task = withServerSpan(record.method, (req.url ?? '/').split('?')[0]!, record.id, async () => {
      await handleRequest(req, res, state, record);
      return res.statusCode;
    })
      .then(() => undefined)
      .catch((error: unknown) => {
        reportError(error, options.onError, 'guard proxy request');
        const { status, body } = wireError(500, `The guard proxy failed (request id ${record.id})`, 'server_error', 'internal_error');
        record.code = 'internal_error';
        if (!res.headersSent) writeNodeJson(res, status, body, { 'x-request-id': record.id });
        else res.destroy();
      });
    active.add(task);
    void task.finally(() => active.delete(task));
  };
  server.on('request', onRequest);
  // `Expect: 100-continue` with a body past the limit: answer 413 instead of inviting the upload.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length']) > state.bodyLimit) {
      const { status, body } = tooLarge(state.bodyLimit).wire;
      return writeNodeJson(res, status, body, { connection: 'close' });
    }
    res.writeContinue();
    onRequest(req, res);
  });

  let address: GuardServerAddress | undefined;
  let closing: Promise<void> | undefined;
  return {
    server,
    get address() {
      return address;
    },
    get inFlight() {
      return active.size;
    },
    get readiness() {
      return state.readiness;
    },
    async check(checkOptions = {}) {
      const parts = options.parts ?? { upstream: undefined, scorers: {}, guards: {} };
      state.readiness = await checkParts(parts, { ...checkOptions, signal: shutdown.signal });
      return state.readiness;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          const info = server.address() as AddressInfo;
          const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
          address = { host: info.address, port: info.port, url: `http://${shown}:${info.port}` };
          resolve(address);
        });
      });
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        state.draining = true;
        const end = Date.now() + (closeOptions.timeoutMs ?? options.shutdownTimeoutMs ?? 10_000);
        const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
        // Connections without an answer in progress (idle keep-alive, never sent a byte, headers
        // half sent) go at once; the others as their answers finish.
        const sweep = () => {
          server.closeIdleConnections();
          for (const socket of sockets) if (!busy.get(socket)) socket.destroy();
        };
        const timer = setInterval(sweep, 25);
        sweep();
        try {
          if ((await within(Promise.allSettled([...active]), end)) === 'late') {
            shutdown.abort(new Error('the server shut down'));
            await Promise.allSettled([...active]);
          }
          if ((await within(stopped, end)) === 'late') server.closeAllConnections();
          await stopped;
        } finally {
          clearInterval(timer);
        }
        // Lines still buffered in the async destination go out before the process may exit.
        if (logger) await new Promise<void>((resolve) => logger.flush(() => resolve()));
        await options.onClose?.();
      })();
      return closing;
    },
  };
}

// node:http with a keep-alive agent (see node-fetch.ts); RG_UPSTREAM_FETCH=global switches to the
// global fetch (undici), e.g. to compare the two in bench/proxy.bench.ts.
function upstreamFetch(): typeof globalThis.fetch {
  return process.env.RG_UPSTREAM_FETCH === 'global' ? (input, init) => globalThis.fetch(input, init) : createNodeFetch();
}

let idCounter = 0;
const idBase = Date.now().toString(36);

// The client's x-request-id when it is a sane token (a load balancer's id ties the logs together), else a fresh one.
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given)) return given;
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `rg-${idBase}-${process.pid.toString(36)}-${idCounter.toString(36)}`;
}

/** Hooks for either form of {@link createGuardServer} (a config file has no place for functions). */
export interface GuardServerHooks {
  /**
   * Server-side failures (5xx answers, broken streams). Default: `console.error` prints each
   * error's stack and causes with credentials masked.
   */
  onError?: (error: unknown) => void;
}

// `{ idleMs: undefined }` must not wipe a default.
function defined<T extends object>(value: T | undefined): Partial<T> {
  return value ? (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>) : {};
}

function definedHooks(hooks: GuardServerHooks): GuardServerHooks {
  return hooks.onError ? { onError: hooks.onError } : {};
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

// Access is checked before any model is loaded, and the models are released if that fails later.
async function fromConfig(input: GuardConfigInput | GuardConfigFile): Promise<GuardServerOptions> {
  const config = parseConfig(input, {}, 'guard server config');
  checkAccess(config.listen.host, config.listen.token);
  const limits = { maxAnswerBytes: config.limits?.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES, maxAnswerChars: config.limits?.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS };
  // The upstream's answers are bounded where they are read: no body grows past maxAnswerBytes.
  // A Retry-After past the retry cap or the call's deadline goes back to the client at once.
  const maxWaitMs = Math.min(RETRY_AFTER_CAP_MS, config.upstream.timeouts?.totalMs ?? DEFAULT_TIMEOUTS.totalMs);
  const fetch = promptRateLimits(upstreamFetch(), maxWaitMs, config.upstream.apiKey?.reveal());
  const built = await buildFromConfig(config, { fetch: boundedFetch(fetch, limits.maxAnswerBytes) });
  const l = config.listen;
  return {
    model: built.model,
    scorers: built.servedScorers,
    defaultModel: config.upstream.model,
    host: config.listen.host,
    port: config.listen.port,
    token: config.listen.token,
    bodyLimit: config.listen.bodyLimit,
    shutdownTimeoutMs: config.listen.shutdownTimeoutMs,
    reportCandidateText: config.listen.reportCandidateText,
    limits,
    ...(l.timeouts ? { timeouts: l.timeouts } : {}),
    ...(l.cors ? { cors: l.cors } : {}),
    ...(l.report ? { report: l.report } : {}),
    ...(l.accessLog !== undefined ? { accessLog: l.accessLog } : {}),
    ...(l.metrics !== undefined ? { metrics: l.metrics } : {}),
    ...(l.passThrough?.length && config.upstream.baseURL
      ? { passThrough: { routes: l.passThrough, baseURL: config.upstream.baseURL, ...(config.upstream.apiKey ? { apiKey: config.upstream.apiKey } : {}) } }
      : {}),
    parts: { upstream: built.upstream, scorers: built.scorers, guards: built.guards },
    onClose: built.close,
  };
}
