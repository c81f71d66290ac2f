/** A deadline a {@link DeadlineClock} watches: `fire` runs once the clock sees `at` (performance.now() ms) pass. */
export interface ClockEntry {
  at: number;
  fire(): void;
}

/**
 * One interval timer for the deadlines of many calls, for a server making thousands of calls a
 * second: a Node timer per call and phase (set, moved, cleared) costs more than the rest of a
 * proxied call's bookkeeping. Entries are checked every `tickMs` while any is registered, so a
 * deadline fires up to one tick late; moving one is only a new `at`. The timer is unref'd: an
 * entry alone does not keep the process alive (its call's socket does).
 *
 * @example
 * const clock = new DeadlineClock(50);
 * const entry = { at: performance.now() + 1_000, fire: () => request.destroy() };
 * clock.add(entry); // ...and clock.delete(entry) once the answer is in
 */
export class DeadlineClock {
  readonly #tickMs: number;
  readonly #entries = new Set<ClockEntry>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs: number) {
    this.#tickMs = tickMs;
  }

  /** Watches `entry` (again: a no-op). */
  add(entry: ClockEntry): void {
    this.#entries.add(entry);
    if (this.#timer === undefined) {
      this.#timer = setInterval(this.#tick, this.#tickMs);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Stops watching `entry`. */
  delete(entry: ClockEntry): void {
    this.#entries.delete(entry);
  }

  readonly #tick = (): void => {
    const now = performance.now();
    for (const entry of this.#entries) {
      if (entry.at > now) continue;
      this.#entries.delete(entry);
      entry.fire();
    }
    if (this.#entries.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  };
}
