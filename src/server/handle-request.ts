import type { StartCheck } from './start-check.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserAbortError } from '../errors.js';
import { BodyError, errorResult, parseJsonBody, readNodeBody, runChat, toWireError, wireError, writeNodeJson, writeNodeResult, type WireError } from '../integrations/openai-wire.js';
import type { Secret } from '../internal/secret.js';
import { bearerMatches } from './access.js';
import type { ServerMetrics } from './metrics.js';
import type { GuardServerOptions } from './options.js';
import { forward, passThroughTarget } from './pass-through.js';
import { recordingModel, type RequestRecord } from './request-record.js';
import { corsHeaders, preflightHeaders, tokenlessRefusal } from './request-checks.js';
import { scoreAsNim } from './reward-route.js';

/** What one request needs to know about the server it arrived at. */
export interface ServerState {
  options: GuardServerOptions;
  token: Secret | string | undefined;
  bodyLimit: number;
  draining: boolean;
  /** Aborts every in-flight call when the shutdown deadline passes. */
  shutdown: AbortSignal;
  metrics: ServerMetrics | undefined;
  /** How the upstream is reached for pass-through routes (the Node transport). */
  fetch: typeof globalThis.fetch;
  /** The last start check (`server.check()`); undefined when none ran. */
  readiness: StartCheck | undefined;
}

const reveal = (t: Secret | string) => (typeof t === 'string' ? t : t.reveal());

/** Why an answer was cut while its client was still there: the server is shutting down. */
const SHUTTING_DOWN = wireError(503, 'The server shut down before the answer was complete', 'server_error', 'shutting_down');

/**
 * Routes one request: `/health`, `/metrics`, `/v1/models`, pass-through routes and
 * `/v1/chat/completions` (chat or NIM reward). Fills `record` for the access log and metrics.
 */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, state: ServerState, record: RequestRecord): Promise<void> {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const { options } = state;
  // Connections kept alive while draining would outlive close(): ask the client to let go.
  const headers: Record<string, string> = { 'x-request-id': record.id, ...corsHeaders(options.cors, req) };
  if (state.draining) headers.connection = 'close';
  const fail = (e: WireError, extra: Record<string, string> = {}) => {
    record.code = e.body.error.code ?? undefined;
    writeNodeJson(res, e.status, e.body, { ...headers, ...extra });
  };
  record.route = routeOf(path, options);

  if (state.token === undefined) {
    const refused = tokenlessRefusal(req, options.cors);
    if (refused) return fail(refused);
  }
  const preflight = preflightHeaders(options.cors, req);
  if (preflight) {
    res.writeHead(preflight['access-control-allow-origin'] ? 204 : 403, { ...headers, ...preflight });
    return void res.end();
  }
  if (path === '/health' || path === '/v1/health/ready' || path === '/v1/health/live') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(wireError(405, 'Use GET', 'invalid_request_error', 'method_not_allowed'), { allow: 'GET' });
    return writeNodeJson(res, ...healthAnswer(path, state), headers);
  }
  if (state.token !== undefined && !bearerMatches(req.headers.authorization, reveal(state.token))) {
    return fail(wireError(401, 'Missing or wrong bearer token', 'invalid_request_error', 'invalid_api_key'), { 'www-authenticate': 'Bearer' });
  }
  if (state.draining) return fail(wireError(503, 'The server is shutting down', 'server_error', 'shutting_down'));
  if (path === '/metrics' && state.metrics) {
    if (req.method !== 'GET') return fail(wireError(405, 'Use GET', 'invalid_request_error', 'method_not_allowed'), { allow: 'GET' });
    const text = await state.metrics.text();
    res.writeHead(200, { ...headers, 'content-type': state.metrics.contentType, 'content-length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  if (path === '/v1/models') {
    if (req.method !== 'GET') return fail(wireError(405, 'Use GET', 'invalid_request_error', 'method_not_allowed'), { allow: 'GET' });
    return writeNodeJson(res, 200, { object: 'list', data: modelIds(options).map((id) => ({ id, object: 'model', created: 0, owned_by: 'rewardgate' })) }, headers);
  }
  const target = passThroughTarget(options.passThrough, path, url);
  if (target) return passThrough(req, res, state, record, target, headers);
  if (path !== '/v1/chat/completions') return fail(wireError(404, `No route ${req.method} ${path}`, 'invalid_request_error', 'not_found'));
  if (req.method !== 'POST') return fail(wireError(405, 'Use POST', 'invalid_request_error', 'method_not_allowed'), { allow: 'POST' });

  // The client going away, or the shutdown deadline, cancels the upstream call.
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new UserAbortError('the client closed the connection'));
  };
  const onShutdown = () => controller.abort(state.shutdown.reason);
  res.on('close', onClose);
  state.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    let body: unknown;
    try {
      body = parseJsonBody(await readNodeBody(req, state.bodyLimit));
    } catch (error) {
      if (error instanceof BodyError) return fail(error.wire, error.closeConnection ? { connection: 'close' } : {});
      if (controller.signal.aborted) return; // the client left while sending its body
      throw error;
    }
    // An abort after this point is the client leaving (nothing is written) or the shutdown deadline (a 503).
    const write = { headers, interrupt: { signal: controller.signal, answer: SHUTTING_DOWN } };
    const name = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
    // Own keys only: a request naming `toString` or `constructor` is a chat request, not a scorer.
    const scorers = options.scorers;
    const scorer = typeof name === 'string' && scorers && Object.hasOwn(scorers, name) ? scorers[name] : undefined;
    const wireOptions = { onError: options.onError, requestId: record.id };
    if (scorer) {
      record.route = 'reward';
      record.model = name as string;
      try {
        return writeNodeJson(res, 200, await scoreAsNim(scorer, body, name as string, controller.signal), headers);
      } catch (error) {
        record.code = toWireError(error).body.error.code ?? undefined;
        return writeNodeResult(res, errorResult(error, wireOptions), write);
      }
    }
    const model = options.accessLog || options.metrics !== false ? recordingModel(options.model, record, typeof options.accessLog === 'object' && options.accessLog.prompts === true) : options.model;
    const result = await runChat(model, body, controller.signal, {
      ...wireOptions,
      reportCandidateText: options.reportCandidateText,
      report: options.report,
      maxAnswerChars: options.limits?.maxAnswerChars,
      prepare: options.defaultModel ? (r) => (r.model ? r : { ...r, model: options.defaultModel }) : undefined,
    });
    if (result.kind === 'json' && result.status !== 200) record.code = (result.body as { error?: { code?: string } }).error?.code;
    await writeNodeResult(res, result, write);
  } finally {
    res.off('close', onClose);
    state.shutdown.removeEventListener('abort', onShutdown);
  }
}

async function passThrough(req: IncomingMessage, res: ServerResponse, state: ServerState, record: RequestRecord, target: string, headers: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  try {
    record.upstreamStatus = await forward(req, res, target, state.options.passThrough!, state.bodyLimit, state.fetch);
  } catch (error) {
    if (error instanceof BodyError) {
      record.code = error.wire.body.error.code ?? undefined;
      return writeNodeJson(res, error.wire.status, error.wire.body, error.closeConnection ? { connection: 'close' } : {});
    }
    if (res.destroyed) return; // the client left
    const result = errorResult(error, { onError: state.options.onError, requestId: record.id });
    if (!res.headersSent) return writeNodeResult(res, result);
    res.destroy();
  }
}

// A bounded set of route labels (metrics must not grow a series per unknown path).
function routeOf(path: string, options: GuardServerOptions): string {
  if (path === '/v1/chat/completions' || path === '/v1/models' || path === '/metrics') return path;
  if (path === '/health' || path.startsWith('/v1/health/')) return 'health';
  if (options.passThrough?.routes.includes(path)) return path;
  return 'other';
}

function modelIds(options: GuardServerOptions): string[] {
  const ids = [options.defaultModel ?? 'rewardgate', ...Object.keys(options.scorers ?? {})];
  return [...new Set(ids)];
}

// Liveness is the process; readiness also needs the last start check to have passed, so a load
// balancer does not route to a proxy whose guards or upstream cannot work. Failed parts are named
// with their error's name and code only: messages stay in the server log.
function healthAnswer(path: string, state: ServerState): [number, unknown] {
  if (state.draining) return [503, { status: 'draining' }];
  const check = state.readiness;
  if (path === '/v1/health/live' || !check || check.ready) return [200, { status: 'ok' }];
  const failed = check.parts.filter((p) => !p.ok).map((p) => ({ part: p.part, error: p.error!.name, ...(p.error!.code ? { code: p.error!.code } : {}) }));
  return [503, { status: 'not_ready', checkedAt: check.checkedAt, failed }];
}
