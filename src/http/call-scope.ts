import { APIConnectionError, RewardgateError, TimeoutError, UserAbortError, type TimeoutPhase } from '../errors.js';
import { linkAbortSignals, type LinkedAbort } from '../internal/merge-abort-signals.js';

/**
 * The lifetime of one logical call (all its attempts, polls and stream reads): follows the
 * caller's signal and the total deadline, and hands out per-attempt links and phase deadlines.
 * `dispose()` clears every timer and listener it created.
 */
export class CallScope {
  readonly #link: LinkedAbort;
  readonly #totalTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(userSignal: AbortSignal | undefined, totalMs: number) {
    // The caller's reason becomes a UserAbortError here, so every later wait rejects typed.
    this.#link = linkAbortSignals([userSignal], (reason) => new UserAbortError(reason));
    this.#totalTimer = Number.isFinite(totalMs)
      ? setTimeout(() => this.#link.abort(new TimeoutError('total', totalMs)), totalMs)
      : undefined;
  }

  /** Aborted when the caller aborts or the total deadline passes; the reason is typed. */
  get signal(): AbortSignal {
    return this.#link.signal;
  }

  /** A child link for one attempt; aborting it leaves the scope alive. */
  child(): LinkedAbort {
    return linkAbortSignals([this.#link.signal]);
  }

  /** Throws the scope's typed reason when it has aborted. */
  throwIfAborted(): void {
    if (this.#link.signal.aborted) throw this.#link.signal.reason;
  }

  dispose(): void {
    if (this.#totalTimer !== undefined) clearTimeout(this.#totalTimer);
    this.#link.dispose();
  }
}

/** Aborts `link` with a TimeoutError for `phase` after `ms`; returns the function that disarms it. */
export function armDeadline(link: LinkedAbort, phase: TimeoutPhase, ms: number): () => void {
  if (!Number.isFinite(ms)) return () => {};
  const timer = setTimeout(() => link.abort(new TimeoutError(phase, ms)), ms);
  return () => clearTimeout(timer);
}

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
