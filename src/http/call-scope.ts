import { TimeoutError, UserAbortError, type TimeoutPhase } from '../errors.js';
import type { LinkedAbort } from '../internal/merge-abort-signals.js';
import type { ClockEntry, DeadlineClock } from './deadline-clock.js';

const now = () => performance.now();

/** The deadlines of a body being read (ky's timeout covers the headers of each attempt). */
export type BodyPhase = Exclude<TimeoutPhase, 'headers' | 'total'>;

/**
 * The lifetime of one logical call (all its attempts, polls and the body read to its end): follows
 * the caller's signal and the total deadline, and runs the first-chunk and idle deadlines ky has no
 * notion of. Aborting it (a deadline, the caller, the reader leaving early) aborts the request in
 * flight. One timer serves every deadline of the call: moving a deadline later (the idle deadline
 * after each chunk) only updates a number, and the timer re-checks when it fires. With a
 * {@link DeadlineClock} the call has no timer of its own: the clock's shared one checks it.
 * `dispose()` clears the timer and the one listener on the caller's signal.
 */
export class CallScope implements LinkedAbort {
  readonly #controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #onUserAbort: (() => void) | undefined;
  readonly #totalMs: number;
  readonly #totalAt: number;
  #phase: BodyPhase = 'idle';
  #phaseMs = 0;
  #phaseAt = Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  readonly #clock: DeadlineClock | undefined;
  readonly #entry: ClockEntry | undefined;

  constructor(userSignal: AbortSignal | undefined, totalMs: number, clock?: DeadlineClock) {
    this.#totalMs = totalMs;
    this.#clock = clock;
    if (clock) this.#entry = { at: Infinity, fire: this.#fire };
    this.#totalAt = Number.isFinite(totalMs) ? now() + totalMs : Infinity;
    // The caller's reason becomes a UserAbortError here, so every later wait rejects typed.
    if (userSignal?.aborted) {
      this.abort(new UserAbortError(userSignal.reason));
    } else if (userSignal) {
      this.#userSignal = userSignal;
      this.#onUserAbort = () => this.abort(new UserAbortError(userSignal.reason));
      userSignal.addEventListener('abort', this.#onUserAbort, { once: true });
    }
    this.#schedule();
  }

  /** Aborted when the caller aborts or a deadline passes; the reason is typed. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts the call with `reason`. */
  abort(reason: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** Aborts the call with a TimeoutError for `phase` unless re-armed or disarmed within `ms`. */
  arm(phase: BodyPhase, ms: number): void {
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
    if (this.#entry) this.#clock!.delete(this.#entry);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = -Infinity; // nothing schedules again
    if (this.#onUserAbort) this.#userSignal!.removeEventListener('abort', this.#onUserAbort);
  }

  // A new timer only when the next deadline comes before the one already set.
  #schedule(): void {
    const at = Math.min(this.#totalAt, this.#phaseAt);
    if (this.#entry) return this.#onClock(at);
    if (at >= this.#timerAt || at === Infinity) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(0, Math.ceil(at - now())));
  }

  // On a clock, the entry's `at` is the next deadline; a disposed scope is never watched again.
  #onClock(at: number): void {
    if (this.#timerAt === -Infinity) return;
    this.#entry!.at = at;
    if (at !== Infinity) this.#clock!.add(this.#entry!);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#controller.signal.aborted) return;
    const t = now();
    if (t >= this.#totalAt) return this.abort(new TimeoutError('total', this.#totalMs));
    if (t >= this.#phaseAt) return this.abort(new TimeoutError(this.#phase, this.#phaseMs));
    this.#schedule();
  };
}
