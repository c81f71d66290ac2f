import type * as z from 'zod/mini';
import type { Report } from './pipeline/types.js';

/**
 * Base of every error rewardgate throws. Each class has its own global marker
 * (`Symbol.for('rewardgate.error.<Name>')`) and every error carries the markers of its class and
 * its parents, so `X.isInstance(e)` is true for an X or a subclass of X and false for any other
 * error, also when two copies of the package are loaded in one app (no prototype chain involved).
 *
 * @example
 * if (APIError.isInstance(e)) console.log(e.status); // also true for a RateLimitError
 */
export class RewardgateError extends Error {
  /** This class's marker; every subclass declares its own. */
  static readonly marker: symbol = Symbol.for('rewardgate.error');
  override readonly name: string = 'RewardgateError';
  /** Whether retrying the same call may succeed. */
  readonly isRetryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    markInstance(this, new.target);
  }

  /** True for an error of the class it is called on (or a subclass), from any copy of rewardgate. */
  static isInstance<T extends RewardgateError>(this: abstract new (...args: never[]) => T, error: unknown): error is T {
    const { marker } = this as unknown as { marker: symbol };
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

// Sets the marker of every class from `target` up to RewardgateError (own static `marker` only,
// so a subclass that declared none is not mistaken for its parent's own marker). Not enumerable:
// logs and `util.inspect` stay free of them.
function markInstance(error: RewardgateError, target: unknown): void {
  for (let c = target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'marker')) Object.defineProperty(error, (c as unknown as { marker: symbol }).marker, { value: true });
  }
}

const markerOf = (name: string): symbol => Symbol.for(`rewardgate.error.${name}`);

/** Input (a request, options, a config file) failed validation. `issues` carry zod paths. */
export class ValidationError extends RewardgateError {
  override readonly name = 'ValidationError';
  static override readonly marker: symbol = markerOf('ValidationError');
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  /**
   * `'context_length_exceeded'` when the input is well formed but longer than a local model takes
   * (a conversation over a scorer's `maxLength`); `'invalid_value'` otherwise.
   */
  readonly code: 'invalid_value' | 'context_length_exceeded';

  constructor(where: string, issues: ReadonlyArray<{ path: string; message: string }>, options?: { cause?: unknown; code?: 'invalid_value' | 'context_length_exceeded' }) {
    const list = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super(`Invalid ${where}: ${list}`, { cause: options?.cause });
    this.issues = issues;
    this.code = options?.code ?? 'invalid_value';
  }

  /** The ValidationError for a ZodError: one issue per zod issue, with its path (`messages[1].role`). */
  static fromZod(where: string, error: z.core.$ZodError): ValidationError {
    const issues = error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    return new ValidationError(where, issues, { cause: error });
  }
}

/** `messages[2].content`-style path, the way users write it in code. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The server answered with an HTTP error status. */
export class APIError extends RewardgateError {
  override readonly name: string = 'APIError';
  static override readonly marker: symbol = markerOf('APIError');
  readonly status: number;
  /** The parsed error body (JSON when it parsed, otherwise text). */
  readonly body: unknown;
  /** The server's request id (x-request-id, nvcf-reqid) when it sent one. */
  readonly requestId: string | undefined;
  override readonly isRetryable: boolean;

  constructor(status: number, body: unknown, message: string, requestId?: string) {
    super(message);
    this.status = status;
    this.body = body;
    this.requestId = requestId;
    this.isRetryable = status === 408 || status === 409 || status === 429 || status >= 500;
  }

  /** Maps an HTTP status to its error class (openai-node's factory). */
  static generate(status: number, body: unknown, requestId?: string): APIError {
    const message = `${status} ${describeBody(body) ?? statusText(status)}`;
    const Class = STATUS_CLASSES[status] ?? (status >= 500 ? InternalServerError : APIError);
    return new Class(status, body, message, requestId);
  }
}

export class BadRequestError extends APIError { override readonly name = 'BadRequestError'; static override readonly marker: symbol = markerOf('BadRequestError'); }
export class AuthenticationError extends APIError { override readonly name = 'AuthenticationError'; static override readonly marker: symbol = markerOf('AuthenticationError'); }
export class PermissionDeniedError extends APIError { override readonly name = 'PermissionDeniedError'; static override readonly marker: symbol = markerOf('PermissionDeniedError'); }
export class NotFoundError extends APIError { override readonly name = 'NotFoundError'; static override readonly marker: symbol = markerOf('NotFoundError'); }
export class ConflictError extends APIError { override readonly name = 'ConflictError'; static override readonly marker: symbol = markerOf('ConflictError'); }
export class UnprocessableEntityError extends APIError { override readonly name = 'UnprocessableEntityError'; static override readonly marker: symbol = markerOf('UnprocessableEntityError'); }
export class RateLimitError extends APIError { override readonly name = 'RateLimitError'; static override readonly marker: symbol = markerOf('RateLimitError'); }
export class InternalServerError extends APIError { override readonly name = 'InternalServerError'; static override readonly marker: symbol = markerOf('InternalServerError'); }

const STATUS_CLASSES: Record<number, new (status: number, body: unknown, message: string, requestId?: string) => APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function statusText(status: number): string {
  return status >= 500 ? 'server error' : 'request failed';
}

// Pulls a human message out of the error shapes seen from NIM (problem details), vLLM and OpenAI.
function describeBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500) || undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const nested = typeof b.error === 'object' && b.error !== null ? (b.error as Record<string, unknown>) : undefined;
  const candidates = [nested?.message, b.message, b.detail, b.title, typeof b.error === 'string' ? b.error : undefined];
  for (const c of candidates) if (typeof c === 'string' && c) return c;
  return undefined;
}

/** The request never got an HTTP answer (refused, reset, DNS...). */
export class APIConnectionError extends RewardgateError {
  override readonly name = 'APIConnectionError';
  static override readonly marker: symbol = markerOf('APIConnectionError');
  override readonly isRetryable = true;
}

/** Which deadline expired. */
export type TimeoutPhase = 'headers' | 'first-chunk' | 'idle' | 'total';

/** A deadline expired. `phase` says which one. */
export class TimeoutError extends RewardgateError {
  override readonly name = 'TimeoutError';
  static override readonly marker: symbol = markerOf('TimeoutError');
  override readonly isRetryable = true;
  readonly phase: TimeoutPhase;
  readonly timeoutMs: number;

  constructor(phase: TimeoutPhase, timeoutMs: number) {
    super(`Timed out waiting for ${phase === 'total' ? 'the whole request' : phase} after ${timeoutMs} ms`);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. `cause` is the signal's reason. */
export class UserAbortError extends RewardgateError {
  override readonly name = 'UserAbortError';
  static override readonly marker: symbol = markerOf('UserAbortError');

  constructor(reason?: unknown) {
    super('The request was aborted', { cause: reason });
  }
}

/** What went wrong with a stream. */
export type StreamErrorKind = 'malformed' | 'truncated' | 'buffer-exceeded';

/** What is wrong with a (non-streamed) answer body. */
export type ResponseErrorKind = 'invalid-json' | 'unexpected-shape';

/** A stream could not be read to a proper end. */
export class StreamError extends RewardgateError {
  override readonly name = 'StreamError';
  static override readonly marker: symbol = markerOf('StreamError');
  readonly kind: StreamErrorKind;

  constructor(kind: StreamErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/**
 * A successful (2xx) answer whose body is not what the endpoint returns: `invalid-json` (it does
 * not parse) or `unexpected-shape` (JSON of another shape, e.g. a server of another kind at
 * `baseURL`). Streams fail with StreamError instead.
 *
 * @example
 * if (ResponseError.isInstance(e) && e.kind === 'unexpected-shape') console.error('check baseURL');
 */
export class ResponseError extends RewardgateError {
  override readonly name = 'ResponseError';
  static override readonly marker: symbol = markerOf('ResponseError');

  constructor(
    readonly kind: ResponseErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A model folder or runtime could not be loaded. `file` names the offending file when there is one. */
export class ModelLoadError extends RewardgateError {
  override readonly name = 'ModelLoadError';
  static override readonly marker: symbol = markerOf('ModelLoadError');
  readonly file: string | undefined;

  constructor(message: string, options?: { file?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.file = options?.file;
  }
}

/**
 * Thrown only when a caller asks guardrail outcomes to throw (`onReject: 'throw'`,
 * `safety({ throwOnRefusal: true })`). `report` explains the decision.
 */
export class GuardrailError extends RewardgateError {
  override readonly name = 'GuardrailError';
  static override readonly marker: symbol = markerOf('GuardrailError');
  /** The pipeline's report of the call: candidates, verdicts and the reasons for the decision. */
  readonly report: Report;
  readonly reason: 'refused' | 'rejected';

  constructor(reason: 'refused' | 'rejected', message: string, report: Report) {
    super(message);
    this.reason = reason;
    this.report = report;
  }
}

/**
 * Why a guard gave no verdict: `guard_misconfigured` (it cannot work as configured: fix the
 * config), `guard_unavailable` (a transient failure: it may work on a retry) or
 * `context_length_exceeded` (this input is over the guard's limit).
 */
export type GuardErrorCode = 'guard_misconfigured' | 'guard_unavailable' | 'context_length_exceeded';

/** What failed, finer than the code (for logs and messages). */
export type GuardFailure =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rejected_request'
  | 'unreadable_reply'
  | 'model_load'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'unreachable'
  | 'interrupted'
  | 'input_too_long'
  | 'failed';

/**
 * A guard could not judge. Never a verdict: the safety rail decides what to do by `code`
 * (throw on `guard_misconfigured` and `context_length_exceeded`; apply `onGuardError` on
 * `guard_unavailable`). `serviceStatus` is the guard service's HTTP status when it sent one.
 *
 * @example
 * if (GuardError.isGuardError(e) && e.code === 'guard_unavailable') retryLater();
 */
export class GuardError extends RewardgateError {
  override readonly name: string = 'GuardError';
  static override readonly marker: symbol = markerOf('GuardError');
  readonly code: GuardErrorCode;
  /** The guard, e.g. `'nemoguard'` or `'jailbreakDetect'`. */
  readonly guard: string;
  readonly failure: GuardFailure;
  readonly serviceStatus: number | undefined;

  constructor(code: GuardErrorCode, guard: string, failure: GuardFailure, message: string, options?: { cause?: unknown; serviceStatus?: number }) {
    super(message, { cause: options?.cause });
    this.code = code;
    this.guard = guard;
    this.failure = failure;
    this.serviceStatus = options?.serviceStatus;
  }

  /** Same as `GuardError.isInstance(error)`: any GuardError, also from another copy of rewardgate. */
  static isGuardError(error: unknown): error is GuardError {
    return GuardError.isInstance(error);
  }
}

/** The guard cannot work as configured (401, 403, 404, a request it rejects, replies it cannot read). */
export class GuardConfigurationError extends GuardError {
  override readonly name = 'GuardConfigurationError';
  static override readonly marker: symbol = markerOf('GuardConfigurationError');

  constructor(guard: string, failure: GuardFailure, message: string, options?: { cause?: unknown; serviceStatus?: number }) {
    super('guard_misconfigured', guard, failure, message, options);
  }
}

/** The guard failed for now (timeout, 5xx, 429 after retries, unreachable): it may work later. */
export class GuardUnavailableError extends GuardError {
  override readonly name = 'GuardUnavailableError';
  static override readonly marker: symbol = markerOf('GuardUnavailableError');
  override readonly isRetryable = true;

  constructor(guard: string, failure: GuardFailure, message: string, options?: { cause?: unknown; serviceStatus?: number }) {
    super('guard_unavailable', guard, failure, message, options);
  }
}

/** This input is over the guard's limit (a 400 about context length, or a 413). */
export class GuardInputError extends GuardError {
  override readonly name = 'GuardInputError';
  static override readonly marker: symbol = markerOf('GuardInputError');

  constructor(guard: string, message: string, options?: { cause?: unknown; serviceStatus?: number }) {
    super('context_length_exceeded', guard, 'input_too_long', message, options);
  }
}

/**
 * A scorer's answer cannot be turned into a score with its configuration, e.g. a
 * multi-attribute reward reply with attributes that have no weight. `attributes` names them.
 *
 * @example
 * // nimReward({ model, weights: { LABEL_0: 1, LABEL_1: 0.5 } }) fixes "no weight for LABEL_0, LABEL_1"
 */
export class ScorerConfigurationError extends RewardgateError {
  override readonly name = 'ScorerConfigurationError';
  static override readonly marker: symbol = markerOf('ScorerConfigurationError');
  readonly code = 'scorer_misconfigured';
  readonly attributes: readonly string[];

  constructor(message: string, attributes: readonly string[]) {
    super(message);
    this.attributes = attributes;
  }
}
