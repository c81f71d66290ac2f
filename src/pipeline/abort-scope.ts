// Internal: a child AbortController tied to a parent signal, with the parent listener removed on
// dispose so that reused signals never collect listeners.

/** A child of `parent`: aborts when the parent does, or on its own via `abort()`. */
export interface AbortScope {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  /** Removes the listener on the parent. Call once the scope's work is settled. */
  dispose(): void;
}

export function abortScope(parent: AbortSignal | undefined): AbortScope {
  const controller = new AbortController();
  let onAbort: (() => void) | undefined;
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else {
      onAbort = () => controller.abort(parent.reason);
      parent.addEventListener('abort', onAbort, { once: true });
    }
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      if (onAbort) parent!.removeEventListener('abort', onAbort);
      onAbort = undefined;
    },
  };
}

/** The reason an aborted signal carries, as an Error to throw. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
