// The abort of one proxied chat request: its client left, or the shutdown deadline passed. An
// AbortController with its signal and a listener per call cost more than the rest of a direct
// request's bookkeeping, so the direct path listens with a plain callback, and a signal is made
// only for the paths that take one (the pipeline, the reward route).

/** What a call listens to: whether the request was aborted, why, and a callback for when it is. */
export interface CallAbort {
  readonly aborted: boolean;
  /** The abort's reason (an AbortSignal's: a DOMException `AbortError` when none was given). */
  readonly reason: unknown;
  /** Calls `listener` once, at the abort (not when it already happened: check `aborted` first). */
  listen(listener: (reason: unknown) => void): void;
  unlisten(listener: (reason: unknown) => void): void;
}

/**
 * One request's abort, with an AbortSignal only when asked for.
 *
 * @example
 * const abort = new RequestAbort();
 * res.on('close', () => abort.abort(new UserAbortError('the client closed the connection')));
 * await runChat(model, body, abort.signal);
 */
export class RequestAbort implements CallAbort {
  aborted = false;
  reason: unknown = undefined;
  #controller: AbortController | undefined;
  #listeners: Array<(reason: unknown) => void> | undefined;

  /** Aborts (once): the signal, if one was made, then each listener. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    this.#controller?.abort(this.reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener(this.reason);
  }

  /** An AbortSignal following this abort, made at the first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  listen(listener: (reason: unknown) => void): void {
    if (!this.aborted) (this.#listeners ??= []).push(listener);
  }

  unlisten(listener: (reason: unknown) => void): void {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index !== -1) this.#listeners!.splice(index, 1);
  }
}
