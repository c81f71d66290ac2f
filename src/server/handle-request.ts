import type { IncomingMessage, ServerResponse } from 'node:http';
import { UserAbortError } from '../errors.js';
import { BodyError, errorResult, parseJsonBody, readNodeBody, runChat, wireError, writeNodeJson, writeNodeResult, type WireError } from '../integrations/openai-wire.js';
import type { Secret } from '../internal/secret.js';
import { bearerMatches } from './access.js';
import type { GuardServerOptions } from './options.js';
import { scoreAsNim } from './reward-route.js';

/** What one request needs to know about the server it arrived at. */
export interface ServerState {
  options: GuardServerOptions;
  token: Secret | string | undefined;
  bodyLimit: number;
  draining: boolean;
  /** Aborts every in-flight call when the shutdown deadline passes. */
  shutdown: AbortSignal;
}

const reveal = (t: Secret | string) => (typeof t === 'string' ? t : t.reveal());

/** Why an answer was cut while its client was still there: the server is shutting down. */
const SHUTTING_DOWN = wireError(503, 'The server shut down before the answer was complete', 'server_error', 'shutting_down');

/** Routes one request: `/health`, `/v1/models`, `/v1/chat/completions` (chat or NIM reward). */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, state: ServerState): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  // Connections kept alive while draining would outlive close(): ask the client to let go.
  const headers: Record<string, string> = state.draining ? { connection: 'close' } : {};
  const fail = (e: WireError, extra: Record<string, string> = {}) => writeNodeJson(res, e.status, e.body, { ...headers, ...extra });

  if (path === '/health' || path === '/v1/health/ready' || path === '/v1/health/live') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(wireError(405, 'Use GET', 'invalid_request_error', 'method_not_allowed'), { allow: 'GET' });
    return writeNodeJson(res, state.draining ? 503 : 200, { status: state.draining ? 'draining' : 'ok' }, headers);
  }
  if (state.token !== undefined && !bearerMatches(req.headers.authorization, reveal(state.token))) {
    return fail(wireError(401, 'Missing or wrong bearer token', 'invalid_request_error', 'invalid_api_key'), { 'www-authenticate': 'Bearer' });
  }
  if (state.draining) return fail(wireError(503, 'The server is shutting down', 'server_error', 'shutting_down'));
  if (path === '/v1/models') {
    if (req.method !== 'GET') return fail(wireError(405, 'Use GET', 'invalid_request_error', 'method_not_allowed'), { allow: 'GET' });
    return writeNodeJson(res, 200, { object: 'list', data: modelIds(state.options).map((id) => ({ id, object: 'model', created: 0, owned_by: 'rewardgate' })) });
  }
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
      if (error instanceof BodyError) return fail(error.wire, error.wire.status === 413 ? { connection: 'close' } : {});
      if (controller.signal.aborted) return; // the client left while sending its body
      throw error;
    }
    // An abort after this point is the client leaving (nothing is written) or the shutdown deadline (a 503).
    const write = { headers, interrupt: { signal: controller.signal, answer: SHUTTING_DOWN } };
    const name = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
    // Own keys only: a request naming `toString` or `constructor` is a chat request, not a scorer.
    const scorers = state.options.scorers;
    const scorer = typeof name === 'string' && scorers && Object.hasOwn(scorers, name) ? scorers[name] : undefined;
    if (scorer) {
      try {
        return writeNodeJson(res, 200, await scoreAsNim(scorer, body, name as string, controller.signal), headers);
      } catch (error) {
        return writeNodeResult(res, errorResult(error, { onError: state.options.onError }), write);
      }
    }
    const result = await runChat(state.options.model, body, controller.signal, {
      onError: state.options.onError,
      reportCandidateText: state.options.reportCandidateText,
      prepare: state.options.defaultModel ? (r) => (r.model ? r : { ...r, model: state.options.defaultModel }) : undefined,
    });
    await writeNodeResult(res, result, write);
  } finally {
    res.off('close', onClose);
    state.shutdown.removeEventListener('abort', onShutdown);
  }
}

function modelIds(options: GuardServerOptions): string[] {
  const ids = [options.defaultModel ?? 'rewardgate', ...Object.keys(options.scorers ?? {})];
  return [...new Set(ids)];
}
