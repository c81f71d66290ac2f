import { RewardgateError } from '../../errors.js';
import type { OpenAIErrorBody } from '../../wire/openai-shape.js';
import { maskInternalAddresses } from './mask-addresses.js';
import { redactCredentials } from './report-error.js';

export type { OpenAIErrorBody };

/** An error as an HTTP answer: status and OpenAI-style body. */
export interface WireError {
  status: number;
  body: OpenAIErrorBody;
}

/** Builds an OpenAI-style error answer. */
export function wireError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): WireError {
  return { status, body: { error: { message, type, param, code } } };
}

/**
 * Maps any thrown value to an OpenAI-style error answer. ValidationError: 400 with the first zod
 * path as `param`; an upstream APIError with a 4xx status keeps its status and the upstream's
 * error body (credentials and internal addresses masked), so the caller's SDK does not retry a
 * request that can never succeed; a 429 stays 429 so clients back off; an upstream 401 / 403
 * (this server's own upstream key) and 5xx are a 502;
 * APIConnectionError and StreamError: 502; TimeoutError: 504; GuardrailError (for callers who
 * asked refusals to throw): 400 `content_policy_violation`; UserAbortError: 499 (the client left).
 * Anything else is a 500 whose message reveals nothing about internals. Matches on the error
 * marker and `name`, so it works with two copies of rewardgate in one app.
 *
 * @example
 * const { status, body } = toWireError(error);
 * return Response.json(body, { status });
 */
export function toWireError(error: unknown): WireError {
  if (!RewardgateError.isInstance(error)) return wireError(500, 'The guardrail pipeline failed', 'server_error', 'internal_error');
  const e = error as RewardgateError & { status?: unknown; issues?: ReadonlyArray<{ path: string }>; kind?: string; reason?: string };
  if (typeof e.status === 'number') {
    // The upstream's own words reach this server's client: mask any credential they echo.
    const said = mask(e.message);
    if (e.status === 429) return wireError(429, `Upstream rate limit: ${said}`, 'rate_limit_error', 'upstream_rate_limit');
    if (e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403) return upstreamRefusal(e.status, (e as { body?: unknown }).body, e.message);
    return wireError(502, `Upstream model error: ${said}`, 'upstream_error', `upstream_${e.status}`);
  }
  switch (e.name) {
    case 'ValidationError':
      return wireError(400, e.message, 'invalid_request_error', 'invalid_value', e.issues?.[0]?.path || null);
    case 'APIConnectionError':
      return wireError(502, `Upstream model unreachable: ${e.message}`, 'upstream_error', 'upstream_unreachable');
    case 'StreamError':
      return wireError(502, `Upstream stream failed (${e.kind}): ${e.message}`, 'upstream_error', `upstream_stream_${e.kind}`);
    case 'TimeoutError':
      return wireError(504, `Upstream model timed out: ${e.message}`, 'timeout_error', 'upstream_timeout');
    case 'GuardrailError':
      return wireError(400, e.message, 'invalid_request_error', 'content_policy_violation');
    case 'UserAbortError':
      return wireError(499, 'The client closed the request', 'invalid_request_error', 'client_closed_request');
    default:
      return wireError(500, 'The guardrail pipeline failed', 'server_error', 'internal_error');
  }
}

const mask = (text: string) => maskInternalAddresses(redactCredentials(text));

// OpenAI's error types by status, for an upstream body that names none.
const TYPE_BY_STATUS: Record<number, string> = { 404: 'not_found_error', 409: 'conflict_error', 422: 'invalid_request_error' };

/**
 * An upstream 4xx as the same status with the upstream's own error fields: OpenAI's
 * `{ error: { message, type, param, code } }`, the inner object alone (what `openai` keeps as
 * `error.error`), vLLM's flat `{ message, type, param, code }`, problem details (`detail`,
 * `title`) or plain text; `fallback` (the error's message) when none says anything.
 */
function upstreamRefusal(status: number, body: unknown, fallback: string): WireError {
  const outer = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const inner = outer && typeof outer.error === 'object' && outer.error !== null ? (outer.error as Record<string, unknown>) : outer;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const message = text(inner?.message) ?? text(inner?.detail) ?? text(inner?.title) ?? text(outer?.error) ?? text(body) ?? fallback.replace(/^\d{3} /, '');
  // A problem-details `type` is a URI, not an OpenAI error type.
  const given = text(inner?.type);
  const type = given && /^[a-z_]+$/i.test(given) ? given : (TYPE_BY_STATUS[status] ?? 'invalid_request_error');
  const code = typeof inner?.code === 'number' ? String(inner.code) : (text(inner?.code) ?? null);
  const param = text(inner?.param) ?? null;
  return wireError(status, mask(message), type, code === null ? null : mask(code), param === null ? null : mask(param));
}
