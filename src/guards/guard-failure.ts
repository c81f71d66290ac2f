// Internal: how a guard adapter fails honestly. A failed call becomes a GuardError whose code
// says whether the configuration is at fault (throw) or the failure is transient (onGuardError);
// a reply that never parsed is a configuration error, a rare unreadable one the fail-mode verdict.
import { GuardConfigurationError, GuardError, GuardInputError, GuardUnavailableError, RewardgateError, type GuardFailure } from '../errors.js';
import type { Verdict } from '../types.js';

// Errors that are not the guard's failure: the caller aborted, or passed a bad conversation.
const PASS_THROUGH = new Set(['UserAbortError', 'ValidationError', 'GuardrailError']);
const CONTEXT_LENGTH = /context.?length|context window|too many tokens|too long|maximum.{0,20}tokens|token limit/i;

/**
 * The error a guard throws for `error`: a GuardError (configuration, transient or input), or
 * `error` itself when the caller aborted or the conversation was invalid.
 */
export function toGuardError(guard: string, error: unknown): unknown {
  if (GuardError.isGuardError(error)) return error;
  if (!RewardgateError.isInstance(error)) {
    const said = error instanceof Error ? error.message : String(error);
    return new GuardUnavailableError(guard, 'failed', `${guard}: the guard call failed: ${said}`, { cause: error });
  }
  if (PASS_THROUGH.has(error.name)) return error;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') return fromStatus(guard, status, error);
  const kind = (error as { kind?: unknown }).kind;
  switch (error.name) {
    case 'APIConnectionError':
      return unavailable(guard, 'unreachable', `the guard service is unreachable: ${error.message}`, error);
    case 'TimeoutError':
      return unavailable(guard, 'timeout', `the guard timed out: ${error.message}`, error);
    case 'ResponseError':
    case 'StreamError':
      // A cut connection is transient; an answer that is not the expected shape is the wrong service.
      if (kind === 'truncated') return unavailable(guard, 'interrupted', `the guard's answer was cut off: ${error.message}`, error);
      return configuration(guard, 'unreadable_reply', `the guard service does not answer in the expected format (check baseURL): ${error.message}`, error);
    case 'ModelLoadError':
      return configuration(guard, 'model_load', `the guard model did not load: ${error.message}`, error);
    default:
      return unavailable(guard, 'failed', `the guard call failed: ${error.message}`, error);
  }
}

function fromStatus(guard: string, status: number, error: RewardgateError): GuardError {
  const said = error.message;
  const options = { cause: error, serviceStatus: status };
  if (status === 401) return new GuardConfigurationError(guard, 'unauthorized', `${guard}: the guard service rejected the credentials (check apiKey): ${said}`, options);
  if (status === 403) return new GuardConfigurationError(guard, 'forbidden', `${guard}: the API key may not use this guard: ${said}`, options);
  if (status === 404) return new GuardConfigurationError(guard, 'not_found', `${guard}: no such guard endpoint or model (check baseURL and model): ${said}`, options);
  if (status === 413 || (status === 400 && CONTEXT_LENGTH.test(said))) {
    return new GuardInputError(guard, `${guard}: the conversation is over the guard's input limit: ${said}`, options);
  }
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    const failure: GuardFailure = status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'failed';
    return new GuardUnavailableError(guard, failure, `${guard}: the guard service failed for now (after retries): ${said}`, options);
  }
  // 400, 405, 415, 422...: the service rejects the request this guard builds, so it always will.
  return new GuardConfigurationError(guard, 'rejected_request', `${guard}: the guard service rejects this guard's requests (is it the right service?): ${said}`, options);
}

const unavailable = (guard: string, failure: GuardFailure, what: string, cause: unknown) => new GuardUnavailableError(guard, failure, `${guard}: ${what}`, { cause });
const configuration = (guard: string, failure: GuardFailure, what: string, cause: unknown) => new GuardConfigurationError(guard, failure, `${guard}: ${what}`, { cause });

/** Runs one guard service call; its failure is thrown as {@link toGuardError} says. */
export async function guardCall<T>(guard: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGuardError(guard, error);
  }
}

/**
 * Tracks whether a guard's replies have ever been readable. An unreadable reply before any was
 * read means the model does not speak this format (a configuration error); after, it is a rare
 * bad reply and gets the fail-mode verdict (`failedToParse`).
 */
export class ReplyFormat {
  #seen = false;
  readonly #guard: string;
  readonly #format: string;

  /** `format` names what was expected, e.g. `NemoGuard's JSON ratings`. */
  constructor(guard: string, format: string) {
    this.#guard = guard;
    this.#format = format;
  }

  /** Notes a reply that was read. */
  read(): void {
    this.#seen = true;
  }

  /** The verdict for an unreadable reply, or the GuardConfigurationError while none was ever read. */
  unreadable(reply: string, failMode: 'closed' | 'open', finishReason?: string): Verdict {
    if (!this.#seen) {
      const cut = finishReason === 'length' ? ' (the reply was cut at max_tokens: raise maxTokens)' : '';
      const excerpt = JSON.stringify(reply.length > 120 ? `${reply.slice(0, 120)}…` : reply);
      throw new GuardConfigurationError(this.#guard, 'unreadable_reply', `${this.#guard}: the guard model's reply is not ${this.#format}${cut}; is the model right? Reply: ${excerpt}`);
    }
    return { safe: failMode === 'open', categories: [], raw: reply, failedToParse: true };
  }
}
