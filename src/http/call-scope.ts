import { TimeoutError, UserAbortError, type TimeoutPhase } from '../errors.js';
import type { LinkedAbort } from '../internal/merge-abort-signals.js';

const now = () => performance.now();

/**
 * The lifetime of one logical call (all its attempts, polls and stream reads): follows the
 * caller's signal and the total deadline, hands out per-attempt links and runs the phase
 * deadlines of the current attempt. One timer serves every deadline of the call: moving a
 * deadline later (the idle deadline after each chunk) only updates a number, and the timer
 * re-checks when it fires. `dispose()` clears the timer and the one listener on the caller's signal.
 */
export class CallScope {
  readonly #controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #onUserAbort: (() => void) | undefined;
  readonly #totalMs: number;
  readonly #totalAt: number;
  #attempt: AbortController | undefined;
  #phase: TimeoutPhase = 'headers';
  #phaseMs = 0;
  #phaseAt = Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  constructor(userSignal: AbortSignal | undefined, totalMs: number) {
    this.#totalMs = totalMs;
    this.#totalAt = Number.isFinite(totalMs) ? now() + totalMs : Infinity;
    // The caller's reason becomes a UserAbortError here, so every later wait rejects typed.
    if (userSignal?.aborted) {
      this.abort(new UserAbortError(userSignal.reason));
    } else if (userSignal) {
      this.#userSignal = userSignal;
      this.#onUserAbort = () => this.abort(new UserAbortError(userSignal.reason));
      userSignal.addEventListener('abort', this.#onUserAbort, { once: true });
    }
    // No timer yet: every attempt arms its headers deadline at once, which schedules the first one.
  }

  /** Aborted when the caller aborts or the total deadline passes; the reason is typed. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts the scope and its current attempt with `reason`. */
  abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    this.#attempt?.abort(reason);
  }

  /** A link for one attempt (the current one from now on); aborting it leaves the scope alive. */
  child(): LinkedAbort {
    const controller = new AbortController();
    if (this.#controller.signal.aborted) controller.abort(this.#controller.signal.reason);
    this.#attempt = controller;
    this.#phaseAt = Infinity;
    return new AttemptLink(controller, this);
  }

  /** Stops following `controller` (its attempt is over). */
  detach(controller: AbortController): void {
    if (this.#attempt !== controller) return;
    this.#attempt = undefined;
    this.#phaseAt = Infinity;
  }

  /** Aborts the current attempt with a TimeoutError for `phase` unless re-armed or disarmed within `ms`. */
  arm(phase: TimeoutPhase, ms: number): void {
    this.#phase = phase;
    this.#phaseMs = ms;
    this.#phaseAt = Number.isFinite(ms) ? now() + ms : Infinity;
    this.#schedule();
  }

  /** Turns the current phase deadline off. */
  disarm(): void {
    this.#phaseAt = Infinity;
  }

  /** Throws the scope's typed reason when it has aborted. */
  throwIfAborted(): void {
    if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = -Infinity; // nothing schedules again
    this.#attempt = undefined;
    if (this.#onUserAbort) this.#userSignal!.removeEventListener('abort', this.#onUserAbort);
  }

  // A new timer only when the next deadline comes before the one already set.
  #schedule(): void {
    const at = Math.min(this.#totalAt, this.#phaseAt);
    if (at >= this.#timerAt || at === Infinity) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(0, Math.ceil(at - now())));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#controller.signal.aborted) return;
    const t = now();
    if (t >= this.#totalAt) return this.abort(new TimeoutError('total', this.#totalMs));
    if (t >= this.#phaseAt) {
      this.#phaseAt = Infinity;
      this.#attempt?.abort(new TimeoutError(this.#phase, this.#phaseMs));
    }
    this.#schedule();
  };
}

class AttemptLink implements LinkedAbort {
  readonly #controller: AbortController;
  readonly #scope: CallScope;

  constructor(controller: AbortController, scope: CallScope) {
    this.#controller = controller;
    this.#scope = scope;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }

  dispose(): void {
    this.#scope.detach(this.#controller);
  }
}
