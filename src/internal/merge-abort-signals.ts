/** An AbortController that follows one or more parent signals until `dispose()`. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts this link (not the parents) with `reason`. */
  abort(reason: unknown): void;
  /** Removes the listeners added to the parents. Safe to call more than once. */
  dispose(): void;
}

/**
 * Links a new controller to `parents`. Unlike `AbortSignal.any`, the listeners are removed on
 * `dispose()`, so a signal reused over many calls never accumulates listeners.
 * `mapReason` turns a parent's reason into the reason this link aborts with.
 */
export function linkAbortSignals(
  parents: ReadonlyArray<AbortSignal | undefined>,
  mapReason: (reason: unknown) => unknown = (reason) => reason,
): LinkedAbort {
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(mapReason(parent.reason));
      break;
    }
    const onAbort = () => controller.abort(mapReason(parent.reason));
    parent.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => parent.removeEventListener('abort', onAbort));
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
