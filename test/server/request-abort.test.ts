// RequestAbort stands in for an AbortController per proxied request: the same reason reaches its
// callbacks and its signal, whichever is made first, once.
import { describe, expect, it } from 'vitest';
import { RequestAbort } from '../../src/server/request-abort.js';

describe('RequestAbort', () => {
  it('calls each listener once with the reason, and not after unlisten', () => {
    const abort = new RequestAbort();
    const seen: unknown[] = [];
    const gone: unknown[] = [];
    const a = (reason: unknown) => seen.push(reason);
    const b = (reason: unknown) => gone.push(reason);
    abort.listen(a);
    abort.listen(b);
    abort.unlisten(b);
    const reason = new Error('client left');
    abort.abort(reason);
    abort.abort(new Error('again'));
    expect(seen).toEqual([reason]);
    expect(gone).toEqual([]);
    expect(abort.aborted).toBe(true);
    expect(abort.reason).toBe(reason);
    // A listener added after the abort is not called: callers check `aborted` first.
    abort.listen(a);
    expect(seen).toHaveLength(1);
  });

  it('makes a signal that follows the abort, made before or after it', () => {
    const early = new RequestAbort();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    const reason = new Error('shutdown');
    early.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(early.signal).toBe(signal);

    const late = new RequestAbort();
    late.abort(reason);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
  });

  it('gives an AbortError as the reason when none is given, as AbortController does', () => {
    const abort = new RequestAbort();
    abort.abort();
    const controller = new AbortController();
    controller.abort();
    expect(abort.reason).toBeInstanceOf(DOMException);
    expect((abort.reason as DOMException).name).toBe((controller.signal.reason as DOMException).name);
    expect(abort.signal.reason).toBe(abort.reason);
  });
});
