import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '../errors.js';
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
  const state: ServerState = { options, token: options.token, bodyLimit: options.bodyLimit ?? 1024 * 1024, draining: false, shutdown: shutdown.signal };
  const active = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const task = handleRequest(req, res, state).catch((error: unknown) => {
      reportError(error, options.onError, 'guard proxy request');
      const { status, body } = wireError(500, 'The guard proxy failed', 'server_error', 'internal_error');
      if (!res.headersSent) writeNodeJson(res, status, body);
      else res.destroy();
    });
    active.add(task);
    void task.finally(() => active.delete(task));
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout

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
        // Connections become idle as their answers finish; close each one then.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        server.closeIdleConnections();
        try {
          if ((await within(Promise.allSettled([...active]), end)) === 'late') {
            shutdown.abort(new Error('the server shut down'));
            await Promise.allSettled([...active]);
          }
          if ((await within(stopped, end)) === 'late') server.closeAllConnections();
          await stopped;
        } finally {
          clearInterval(sweep);
        }
        await options.onClose?.();
      })();
      return closing;
    },
  };
}

/** Hooks for either form of {@link createGuardServer} (a config file has no place for functions). */
export interface GuardServerHooks {
  /**
   * Server-side failures (5xx answers, broken streams). Default: `console.error` prints each
   * error's stack and causes with credentials masked.
   */
  onError?: (error: unknown) => void;
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
  if (!isLoopback(h) && !token) {
    throw new ValidationError('guard server options', [{ path: 'listen.token', message: `a bearer token is required to listen on ${h} (not a loopback address)` }]);
  }
}

// Access is checked before any model is loaded, and the models are released if that fails later.
async function fromConfig(input: GuardConfigInput | GuardConfigFile): Promise<GuardServerOptions> {
  const config = parseConfig(input, {}, 'guard server config');
  checkAccess(config.listen.host, config.listen.token);
  const built = await buildFromConfig(config);
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
    onClose: built.close,
  };
}
