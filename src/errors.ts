import type { z } from 'zod';

const marker = Symbol.for('rewardgate.error');

/**
 * Base of every error rewardgate throws. `RewardgateError.isInstance(e)` works even when two
 * copies of the package are loaded in one app (checks a global symbol, not the prototype chain).
 */
export class RewardgateError extends Error {
  readonly [marker] = true;
  override readonly name: string = 'RewardgateError';
  /** Whether retrying the same call may succeed. */
  readonly isRetryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  static isInstance(error: unknown): error is RewardgateError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** Input (a request, options, a config file) failed validation. `issues` carry zod paths. */
export class ValidationError extends RewardgateError {
  override readonly name = 'ValidationError';
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(where: string, issues: ReadonlyArray<{ path: string; message: string }>, options?: { cause?: unknown }) {
    const list = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    super(`Invalid ${where}: ${list}`, options);
    this.issues = issues;
  }

  static fromZod(where: string, error: z.ZodError): ValidationError {
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

export class BadRequestError extends APIError { override readonly name = 'BadRequestError'; }
export class AuthenticationError extends APIError { override readonly name = 'AuthenticationError'; }
export class PermissionDeniedError extends APIError { override readonly name = 'PermissionDeniedError'; }
export class NotFoundError extends APIError { override readonly name = 'NotFoundError'; }
export class ConflictError extends APIError { override readonly name = 'ConflictError'; }
export class UnprocessableEntityError extends APIError { override readonly name = 'UnprocessableEntityError'; }
export class RateLimitError extends APIError { override readonly name = 'RateLimitError'; }
export class InternalServerError extends APIError { override readonly name = 'InternalServerError'; }

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
  override readonly isRetryable = true;
}

/** Which deadline expired. */
export type TimeoutPhase = 'headers' | 'first-chunk' | 'idle' | 'total';

/** A deadline expired. `phase` says which one. */
export class TimeoutError extends RewardgateError {
  override readonly name = 'TimeoutError';
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

  constructor(reason?: unknown) {
    super('The request was aborted', { cause: reason });
  }
}

/** What went wrong with a stream. */
export type StreamErrorKind = 'malformed' | 'truncated' | 'buffer-exceeded';

/** A stream could not be read to a proper end. */
export class StreamError extends RewardgateError {
  override readonly name = 'StreamError';
  readonly kind: StreamErrorKind;

  constructor(kind: StreamErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** A model folder or runtime could not be loaded. `file` names the offending file when there is one. */
export class ModelLoadError extends RewardgateError {
  override readonly name = 'ModelLoadError';
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
  readonly report: unknown;
  readonly reason: 'refused' | 'rejected';

  constructor(reason: 'refused' | 'rejected', message: string, report: unknown) {
    super(message);
    this.reason = reason;
    this.report = report;
  }
}
