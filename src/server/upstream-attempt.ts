// One HTTP attempt to the upstream over undici's pooled dispatcher, and the bounded reads of its
// body: what the direct path (direct-upstream.ts) uses instead of ky, Request / Response objects
// and web streams. undici's dispatcher is its lowest layer: an attempt is a handler of the
// request's events (UpstreamAnswer), about a third less CPU per request than node:http's client.
import type { Dispatcher } from 'undici';
import { CallScope } from '../http/call-scope.js';
import type { DeadlineClock } from '../http/deadline-clock.js';
import { HeadersTimeout, UpstreamAnswer } from './upstream-answer.js';

export { HeadersTimeout, UpstreamAnswer } from './upstream-answer.js';

/** Where one attempt goes: the origin, the path, the dispatcher that pools its connections. */
export interface Target {
  origin: string;
  path: string;
  dispatcher: Dispatcher;
}

/**
 * The direct path's call scope (deadlines and abort, see CallScope) and what its abort destroys:
 * the request in flight, then the answer being read. The abort destroys it directly, instead of
 * through a listener on the call's signal.
 */
export class CallSlot extends CallScope {
  /** The request or answer an abort destroys now. */
  current: { destroy(error?: Error): unknown } | undefined;

  override abort(reason: unknown): void {
    if (this.signal.aborted) return;
    super.abort(reason);
    const aborted: unknown = this.signal.reason;
    this.current?.destroy(aborted instanceof Error ? aborted : new Error('aborted'));
  }

  /** The call is over: nothing more to destroy, deadlines and listeners released. */
  release(): void {
    this.current = undefined;
    this.dispose();
  }
}

/** One attempt: the target, method, headers and body, the headers deadline and the call's slot. */
export interface AttemptInit {
  method: 'GET' | 'POST';
  /** Names lower-cased, values as sent. */
  headers: Readonly<Record<string, string>>;
  body?: string | undefined;
  headersMs: number;
  /** Watches the headers deadline. */
  clock: DeadlineClock;
  slot: CallSlot;
}

/**
 * Sends one request and resolves at the response headers. The headers deadline rejects with
 * HeadersTimeout, an abort of the slot's signal with its reason, a socket failure with
 * `TypeError('fetch failed')` (what fetch throws, with the socket error as cause); each aborts
 * the request.
 */
export function attempt(target: Target, init: AttemptInit): Promise<UpstreamAnswer> {
  const { slot } = init;
  const { signal } = slot;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const answer = new UpstreamAnswer(
      (ready) => {
        init.clock.delete(deadline);
        resolve(ready);
      },
      (error) => {
        init.clock.delete(deadline);
        reject(signal.aborted ? signal.reason : error instanceof HeadersTimeout ? error : new TypeError('fetch failed', { cause: error }));
      },
    );
    const deadline = { at: performance.now() + init.headersMs, fire: () => answer.destroy(new HeadersTimeout(`no response headers within ${init.headersMs} ms`)) };
    if (Number.isFinite(init.headersMs)) init.clock.add(deadline);
    slot.current = answer;
    try {
      target.dispatcher.dispatch({ origin: target.origin, path: target.path, method: init.method, headers: headerList(init.headers), body: init.body ?? null }, answer);
    } catch (error) {
      // undici refuses a request it cannot send (a header value with a newline, say) at once.
      answer.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

// A flat [name, value, ...] list: undici takes it as it is, where an object is walked into one.
function headerList(headers: Readonly<Record<string, string>>): string[] {
  const list: string[] = [];
  for (const key in headers) list.push(key, headers[key]!);
  return list;
}

/**
 * Reads a whole body as text, at most `limit` bytes: past it (or a declared `content-length`
 * past it) `tooLarge()` is thrown and the request aborted. An abort of the call (its slot
 * destroys the answer) rejects with the signal's reason; a socket that fails mid-body with
 * `TypeError('terminated')`.
 */
export function readText(answer: UpstreamAnswer, limit: number, signal: AbortSignal, tooLarge: () => Error): Promise<string> {
  if (Number(answer.headers['content-length']) > limit) {
    answer.destroy();
    return Promise.reject(tooLarge());
  }
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    answer.take({
      data(chunk) {
        if (settled) return false;
        size += chunk.length;
        if (size <= limit) {
          parts.push(chunk);
          return true;
        }
        fail(tooLarge());
        answer.destroy();
        return false;
      },
      end() {
        if (settled) return;
        settled = true;
        resolve(parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8'));
      },
      error(cause) {
        fail(signal.aborted ? signal.reason : new TypeError('terminated', { cause }));
      },
    });
  });
}
