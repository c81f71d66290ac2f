import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserAbortError } from '../errors.js';
import { BodyError, errorResult, parseJsonBody, readNodeBody, runChat, toWireError, wireError, writeNodeJson, writeNodeResult, type ChatResult, type WireError } from '../integrations/openai-wire.js';
import type { Scorer } from '../interfaces.js';
import type { Secret } from '../internal/secret.js';
import { bearerMatches } from './access.js';
import { directChat } from './direct-chat.js';
import { passThroughTarget } from './pass-through.js';
import { RequestAbort } from './request-abort.js';
import { recordingModel, type RequestRecord } from './request-record.js';
import { corsHeaders, preflightHeaders, tokenlessRefusal } from './request-checks.js';
import { scoreAsNim } from './reward-route.js';
import type { ServerState } from './server-state.js';
import { HEALTH_PATHS, healthAnswer, modelList, passThrough, routeOf, writeMetrics } from './simple-routes.js';

export type { ServerState };

/** One request on its way through: what the route functions share. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  state: ServerState;
  record: RequestRecord;
  url: string;
  path: string;
  /** Headers of every answer: the request id, CORS, `connection: close` while draining. */
  headers: Record<string, string>;
}

const reveal = (t: Secret | string) => (typeof t === 'string' ? t : t.reveal());

/** Why an answer was cut while its client was still there: the server is shutting down. */
const SHUTTING_DOWN = wireError(503, 'The server shut down before the answer was complete', 'server_error', 'shutting_down');

/**
 * Routes one request: `/health`, `/metrics`, `/v1/models`, pass-through routes and
 * `/v1/chat/completions` (chat or NIM reward). Fills `record` for the access log and metrics.
 */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, state: ServerState, record: RequestRecord): Promise<void> {
  const x = exchange(req, res, state, record);
  if (answeredAtTheGate(x)) return;
  await route(x);
}

function exchange(req: IncomingMessage, res: ServerResponse, state: ServerState, record: RequestRecord): Exchange {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const headers: Record<string, string> = { 'x-request-id': record.id, ...corsHeaders(state.options.cors, req) };
  // Connections kept alive while draining would outlive close(): ask the client to let go.
  if (state.draining) headers.connection = 'close';
  record.route = routeOf(path, state.options);
  return { req, res, state, record, url, path, headers };
}

function fail(x: Exchange, e: WireError, extra?: Record<string, string>): void {
  x.record.code = e.body.error.code ?? undefined;
  writeNodeJson(x.res, e.status, e.body, extra ? { ...x.headers, ...extra } : x.headers);
}

// A method other than `allowed` gets a 405 naming it; returns whether it was refused.
function refusedMethod(x: Exchange, allowed: 'GET' | 'POST', alsoHead = false): boolean {
  const method = x.req.method;
  if (method === allowed || (alsoHead && method === 'HEAD')) return false;
  fail(x, wireError(405, `Use ${allowed}`, 'invalid_request_error', 'method_not_allowed'), { allow: allowed });
  return true;
}

// What is answered before any route: cross-site and rebinding refusals of a token-less proxy, CORS
// preflights, health (open to load balancers), then the token and draining. True when answered.
function answeredAtTheGate(x: Exchange): boolean {
  const { req, res, state } = x;
  const refused = state.token === undefined ? tokenlessRefusal(req, state.options.cors) : undefined;
  if (refused) return (fail(x, refused), true);
  const preflight = preflightHeaders(state.options.cors, req);
  if (preflight) {
    res.writeHead(preflight['access-control-allow-origin'] ? 204 : 403, { ...x.headers, ...preflight });
    res.end();
    return true;
  }
  if (HEALTH_PATHS.has(x.path)) {
    if (!refusedMethod(x, 'GET', true)) writeNodeJson(res, ...healthAnswer(x.path, state), x.headers);
    return true;
  }
  if (state.token !== undefined && !bearerMatches(req.headers.authorization, reveal(state.token))) {
    return (fail(x, wireError(401, 'Missing or wrong bearer token', 'invalid_request_error', 'invalid_api_key'), { 'www-authenticate': 'Bearer' }), true);
  }
  if (state.draining) return (fail(x, wireError(503, 'The server is shutting down', 'server_error', 'shutting_down')), true);
  return false;
}

async function route(x: Exchange): Promise<void> {
  const { path, state } = x;
  if (path === '/metrics' && state.metrics) {
    if (!refusedMethod(x, 'GET')) await writeMetrics(x.res, state, x.headers);
    return;
  }
  if (path === '/v1/models') {
    if (!refusedMethod(x, 'GET')) writeNodeJson(x.res, 200, modelList(state.options), x.headers);
    return;
  }
  const target = passThroughTarget(state.options.passThrough, path, x.url);
  if (target) return passThrough(x.req, x.res, state, x.record, target, x.headers);
  if (path !== '/v1/chat/completions') return fail(x, wireError(404, `No route ${x.req.method} ${path}`, 'invalid_request_error', 'not_found'));
  if (!refusedMethod(x, 'POST')) await chatRoute(x);
}

// The client going away, or the shutdown deadline, cancels the upstream call.
async function chatRoute(x: Exchange): Promise<void> {
  const { res, state } = x;
  const abort = new RequestAbort();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new UserAbortError('the client closed the connection'));
  };
  res.on('close', onClose);
  if (state.shutdown.aborted) abort.abort(state.shutdown.reason);
  state.calls.add(abort);
  try {
    const body = await readBody(x, abort);
    if (body === NO_BODY) return;
    // An abort after this point is the client leaving (nothing is written) or the shutdown deadline (a 503).
    const write = { headers: x.headers, interrupt: { signal: abort, answer: SHUTTING_DOWN } };
    const scorer = scorerNamed(state, body);
    const result = scorer ? await rewardResult(x, scorer, body, abort.signal) : await chatResult(x, body, abort);
    await writeNodeResult(res, result, write);
  } finally {
    res.off('close', onClose);
    state.calls.delete(abort);
  }
}

const NO_BODY = Symbol('no body');

// The parsed JSON body, or NO_BODY when it was answered (too large, not JSON) or the client left while sending it.
async function readBody(x: Exchange, abort: RequestAbort): Promise<unknown> {
  try {
    return parseJsonBody(await readNodeBody(x.req, x.state.bodyLimit));
  } catch (error) {
    if (error instanceof BodyError) return (fail(x, error.wire, error.closeConnection ? { connection: 'close' } : undefined), NO_BODY);
    if (abort.aborted) return NO_BODY;
    throw error;
  }
}

// A request naming a served scorer is scored. Own keys only: a request naming `toString` or `constructor` is a chat request.
function scorerNamed(state: ServerState, body: unknown): Scorer | undefined {
  const name = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
  const scorers = state.options.scorers;
  return typeof name === 'string' && scorers && Object.hasOwn(scorers, name) ? scorers[name] : undefined;
}

async function rewardResult(x: Exchange, scorer: Scorer, body: unknown, signal: AbortSignal): Promise<ChatResult> {
  const name = (body as { model: string }).model;
  x.record.route = 'reward';
  x.record.model = name;
  try {
    return { kind: 'json', status: 200, body: await scoreAsNim(scorer, body, name, signal) };
  } catch (error) {
    x.record.code = toWireError(error).body.error.code ?? undefined;
    return errorResult(error, { onError: x.state.options.onError, requestId: x.record.id });
  }
}

// Straight to the upstream when nothing judges the answer, else through the model (a pipeline).
async function chatResult(x: Exchange, body: unknown, abort: RequestAbort): Promise<ChatResult> {
  const { options, direct } = x.state;
  const prompts = typeof options.accessLog === 'object' && options.accessLog.prompts === true;
  let result: ChatResult;
  if (direct) result = await directChat(direct, body, abort, { ...x.state.wire, requestId: x.record.id, record: x.record, prompts });
  else {
    const recorded = options.accessLog || options.metrics !== false;
    const wire = { ...x.state.wire, requestId: x.record.id };
    result = await runChat(recorded ? recordingModel(options.model, x.record, prompts) : options.model, body, abort.signal, wire);
  }
  if (result.kind === 'json' && result.status !== 200) x.record.code = (result.body as { error?: { code?: string } }).error?.code;
  return result;
}
