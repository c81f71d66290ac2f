import { RewardgateError } from '../../errors.js';
import type { OpenAIErrorBody } from '../../wire/openai-shape.js';
import { maskInternalAddresses } from './mask-addresses.js';
import { redactCredentials } from './report-error.js';

export type { OpenAIErrorBody };

/** An error as an HTTP answer: status and OpenAI-style body. */
export interface WireError {
  status: number;
  body: OpenAIErrorBody;
  /** Response headers the answer needs (an upstream 429's `retry-after`). */
  headers?: Record<string, string>;
}

/** Options of {@link toWireError}. */
export interface WireErrorOptions {
  /** This request's id, named in 5xx messages so a client's report can be matched to the server log. */
  requestId?: string | undefined;
}

/** Builds an OpenAI-style error answer. */
export function wireError(status: number, message: string, type: string, code: string | null = null, param: string | null = null): WireError {
  return { status, body: { error: { message, type, param, code } } };
}

/**
 * Maps any thrown value to an OpenAI-style error answer. ValidationError: 400 with the first zod
 * path as `param` (one with code `context_length_exceeded`, over a local scorer's limit: 400
 * `context_length_exceeded`); an upstream APIError with a 4xx status keeps its status and the upstream's
 * error body (credentials and internal addresses masked), so the caller's SDK does not retry a
 * request that can never succeed; a 429 stays 429 (with the upstream's `retry-after`) so clients
 * back off; an upstream 401 / 403 (this server's own upstream key) and 5xx are a 502;
 * APIConnectionError, StreamError and ResponseError: 502; TimeoutError: 504; AnswerTooLargeError: 502
 * `upstream_answer_too_large`; GuardrailError (for callers who asked refusals to throw): 400
 * `content_policy_violation`; GuardConfigurationError / ScorerConfigurationError: 500
 * `guard_misconfigured` / `scorer_misconfigured`; GuardUnavailableError: 503 `guard_unavailable`;
 * GuardInputError: 400 `context_length_exceeded`; UserAbortError: 499 (the client left). Connection,
 * stream and timeout failures get a generic message (no upstream address or credential: the log
 * has the detail); an upstream's own error words are passed masked. Every 5xx names
 * `options.requestId` when given. Anything else is a 500. Matches on the error marker and `name`,
 * so it works with two copies of rewardgate in one app.
 *
 * @example
 * const { status, body } = toWireError(error);
 * return Response.json(body, { status });
 */
export function toWireError(error: unknown, options: WireErrorOptions = {}): WireError {
  const see = options.requestId ? ` (request id ${options.requestId}; the server log has the detail)` : '';
  if (!RewardgateError.isInstance(error)) return wireError(500, `The guardrail pipeline failed${see}`, 'server_error', 'internal_error');
  const e = error as RewardgateError & { status?: unknown; issues?: ReadonlyArray<{ path: string }>; kind?: string; reason?: string; retryAfter?: unknown };
  if (typeof e.status === 'number') {
    if (e.status === 429) {
      const answer = wireError(429, `Upstream rate limit: ${mask(e.message)}`, 'rate_limit_error', 'upstream_rate_limit');
      if (typeof e.retryAfter === 'string' && /^[\w ,:+-]{1,64}$/.test(e.retryAfter)) answer.headers = { 'retry-after': e.retryAfter };
      return answer;
    }
    if (e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403) return upstreamRefusal(e.status, (e as { body?: unknown }).body, e.message);
    // Generic: an upstream's 5xx text may name internal hosts or echo a key; the log has it.
    return wireError(502, `Upstream model error (status ${e.status})${see}`, 'upstream_error', `upstream_${e.status}`);
  }
  switch (e.name) {
    case 'ValidationError':
      // Over a local scorer's input limit (a candidate answer made the conversation too long): the
      // batch index in the path means nothing to the client, the code does (OpenAI's own).
      if ((e as { code?: unknown }).code === 'context_length_exceeded') {
        return wireError(400, "The conversation with its answer is longer than a reward model's input limit", 'invalid_request_error', 'context_length_exceeded');
      }
      return wireError(400, e.message, 'invalid_request_error', 'invalid_value', e.issues?.[0]?.path || null);
    case 'APIConnectionError':
      return wireError(502, `Upstream model unreachable${see}`, 'upstream_error', 'upstream_unreachable');
    case 'ResponseError':
      return wireError(502, `Upstream answer unreadable (${e.kind})${see}`, 'upstream_error', `upstream_response_${e.kind}`);
    case 'StreamError':
      return wireError(502, `Upstream stream failed (${e.kind})${see}`, 'upstream_error', `upstream_stream_${e.kind}`);
    case 'AnswerTooLargeError':
      return wireError(502, `${e.message}${see}`, 'upstream_error', 'upstream_answer_too_large');
    case 'TimeoutError':
      return wireError(504, `Upstream model timed out${see}`, 'timeout_error', 'upstream_timeout');
    case 'GuardrailError':
      return wireError(400, e.message, 'invalid_request_error', 'content_policy_violation');
    // A guard that could not run is never a safety verdict: misconfiguration is the server's
    // fault (500), an outage is transient (503, retryable), an input over its limit the caller's (400).
    case 'GuardConfigurationError':
    case 'ScorerConfigurationError':
      return wireError(500, `A guardrail of this server is misconfigured${see}`, 'server_error', e.name === 'GuardConfigurationError' ? 'guard_misconfigured' : 'scorer_misconfigured');
    case 'GuardUnavailableError':
      return wireError(503, `A guard could not run; try again later${see}`, 'server_error', 'guard_unavailable');
    case 'GuardInputError':
      return wireError(400, "The conversation is longer than a guard's input limit", 'invalid_request_error', 'context_length_exceeded');
    case 'UserAbortError':
      return wireError(499, 'The client closed the request', 'invalid_request_error', 'client_closed_request');
    default:
      return wireError(500, `The guardrail pipeline failed${see}`, 'server_error', 'internal_error');
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
