import { RewardgateError } from '../../errors.js';
import { redactCredentials } from './report-error.js';

/** An OpenAI-style error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

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
 * path as `param`; an upstream APIError: 502 (a 429 stays 429 so clients back off);
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
    const said = redactCredentials(e.message);
    if (e.status === 429) return wireError(429, `Upstream rate limit: ${said}`, 'rate_limit_error', 'upstream_rate_limit');
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
