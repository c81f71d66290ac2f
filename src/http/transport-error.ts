import { APIConnectionError, RewardgateError, UserAbortError } from '../errors.js';

/**
 * Maps whatever a fetch or a body read threw onto the hierarchy: a typed abort reason wins,
 * then our own errors pass through, and anything else is a connection failure.
 */
export function toTransportError(error: unknown, signal: AbortSignal, url: string): RewardgateError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return RewardgateError.isInstance(reason) ? reason : new UserAbortError(reason);
  }
  if (RewardgateError.isInstance(error)) return error;
  const detail = error instanceof Error ? (describeCause(error) ?? error.message) : String(error);
  return new APIConnectionError(`Connection to ${url} failed: ${detail}`, { cause: safeCause(error) });
}

/**
 * The first error in the `cause` chain that carries no request: ky's errors hold the Request,
 * whose headers include the API key, so they are never kept as a cause.
 */
export function safeCause(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    if (!('request' in current) && !('options' in current) && !('headers' in current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

// ky and undici wrap the useful part (ECONNREFUSED...) a few `cause`s deep.
function describeCause(error: Error): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return `${error.message} (${code})`;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
