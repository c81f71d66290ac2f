// The routes besides chat: health, metrics, the model list and pass-through forwarding.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, errorResult, writeNodeJson, writeNodeResult } from '../integrations/openai-wire.js';
import type { GuardServerOptions } from './options.js';
import { forward } from './pass-through.js';
import type { RequestRecord } from './request-record.js';
import type { ServerState } from './server-state.js';

/** The paths `/health`, `/v1/health/ready` and `/v1/health/live` answer on. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/health', '/v1/health/ready', '/v1/health/live']);

/**
 * Liveness is the process; readiness also needs the last start check to have passed, so a load
 * balancer does not route to a proxy whose guards or upstream cannot work. Failed parts are named
 * with their error's name and code only: messages stay in the server log.
 */
export function healthAnswer(path: string, state: ServerState): [number, unknown] {
  if (state.draining) return [503, { status: 'draining' }];
  const check = state.readiness;
  if (path === '/v1/health/live' || !check || check.ready) return [200, { status: 'ok' }];
  const failed = check.parts.filter((p) => !p.ok).map((p) => ({ part: p.part, error: p.error!.name, code: p.error!.code || undefined }));
  return [503, { status: 'not_ready', checkedAt: check.checkedAt, failed }];
}

/** The `/v1/models` list: the default model and every served scorer. */
export function modelList(options: GuardServerOptions): unknown {
  const ids = [...new Set([options.defaultModel ?? 'rewardgate', ...Object.keys(options.scorers ?? {})])];
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'rewardgate' })) };
}

/** Writes the Prometheus text. */
export async function writeMetrics(res: ServerResponse, state: ServerState, headers: Record<string, string>): Promise<void> {
  const metrics = state.metrics!;
  const text = await metrics.text();
  res.writeHead(200, { ...headers, 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A bounded set of route labels (metrics must not grow a series per unknown path). */
export function routeOf(path: string, options: GuardServerOptions): string {
  if (path === '/v1/chat/completions' || path === '/v1/models' || path === '/metrics') return path;
  if (path === '/health' || path.startsWith('/v1/health/')) return 'health';
  if (options.passThrough?.routes.includes(path)) return path;
  return 'other';
}

/** Forwards a pass-through route; a failure before the answer started is an OpenAI-style error. */
export async function passThrough(req: IncomingMessage, res: ServerResponse, state: ServerState, record: RequestRecord, target: string, headers: Record<string, string>): Promise<void> {
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
