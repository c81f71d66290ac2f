// One HTTP attempt to the upstream over node:http / node:https and a keep-alive agent, and the
// bounded reads of its body: what the direct path (direct-upstream.ts) uses instead of ky,
// Request / Response objects and web streams.
import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeadlineClock } from '../http/deadline-clock.js';

/** Where one attempt goes: node:http request options without the per-call parts. */
export interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
  agent: Agent;
}

/**
 * What an abort of the call destroys: the request in flight, then the answer being read. One
 * listener on the call's signal for the whole call, instead of one per phase.
 */
export class CallSlot {
  /** The request or answer an abort destroys now. */
  current: { destroy(error?: Error): unknown } | undefined;
  readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Removes the listener (the call is over). */
  release(): void {
    this.signal.removeEventListener('abort', this.#onAbort);
    this.current = undefined;
  }

  readonly #onAbort = (): void => {
    const reason: unknown = this.signal.reason;
    this.current?.destroy(reason instanceof Error ? reason : new Error('aborted'));
  };
}

/** One attempt: the target, method, headers and body, the headers deadline and the call's slot. */
export interface AttemptInit {
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  body?: string | undefined;
  headersMs: number;
  /** Watches the headers deadline. */
  clock: DeadlineClock;
  slot: CallSlot;
}

/** The attempt's response headers did not come within `headersMs` (retried like ky's timeout). */
export class HeadersTimeout extends Error {
  override readonly name = 'HeadersTimeout';
}

/**
 * Sends one request and resolves at the response headers. The headers deadline rejects with
 * HeadersTimeout, an abort of the slot's signal with its reason, a socket failure with
 * `TypeError('fetch failed')` (what fetch throws, with the socket error as cause); each destroys
 * the request.
 */
export function attempt(target: Target, init: AttemptInit): Promise<IncomingMessage> {
  const { slot } = init;
  const { signal } = slot;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const send = target.secure ? httpsRequest : httpRequest;
    const req = send({ hostname: target.hostname, port: target.port, path: target.path, method: init.method, headers: init.headers, agent: target.agent });
    const deadline = { at: performance.now() + init.headersMs, fire: () => req.destroy(new HeadersTimeout(`no response headers within ${init.headersMs} ms`)) };
    if (Number.isFinite(init.headersMs)) init.clock.add(deadline);
    slot.current = req;
    req.once('response', (res) => {
      init.clock.delete(deadline);
      slot.current = res;
      resolve(res);
    });
    req.once('error', (error) => {
      init.clock.delete(deadline);
      reject(signal.aborted ? signal.reason : error instanceof HeadersTimeout ? error : new TypeError('fetch failed', { cause: error }));
    });
    req.end(init.body);
  });
}

/**
 * Reads a whole body as text, at most `limit` bytes: past it (or a declared `content-length`
 * past it) `tooLarge()` is thrown and the socket is dropped. An abort of the call (its slot
 * destroys the answer) rejects with the signal's reason; a socket that fails mid-body with
 * `TypeError('terminated')`.
 */
export function readText(res: IncomingMessage, limit: number, signal: AbortSignal, tooLarge: () => Error): Promise<string> {
  if (Number(res.headers['content-length']) > limit) {
    drop(res);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = (error: unknown, text?: string) => {
      res.off('data', onData);
      res.off('end', onEnd);
      res.off('error', onError);
      res.off('close', onClose);
      if (error === undefined) return resolve(text!);
      drop(res);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(tooLarge());
      else parts.push(chunk);
    };
    const onEnd = () => done(undefined, parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8'));
    const failed = (cause: unknown) => done(signal.aborted ? signal.reason : new TypeError('terminated', { cause }));
    const onError = (error: Error) => failed(error);
    // A close before the end without an error: the answer was destroyed (the call aborted) or cut.
    const onClose = () => failed(new Error('the answer ended before its end'));
    if (signal.aborted || res.destroyed) return failed(new Error('the answer was closed'));
    res.on('data', onData);
    res.once('end', onEnd);
    res.on('error', onError);
    res.once('close', onClose);
  });
}

const noop = () => {};

/** Closes an answer's socket; a late socket error has a listener (no unhandled 'error'). */
export function drop(res: IncomingMessage): void {
  res.on('error', noop);
  res.destroy();
}

/** Drops the rest of an answer that is not read: a complete one drains (its socket is reused), any other closes. */
export function discard(res: IncomingMessage): void {
  res.on('error', noop);
  if (res.complete) res.resume();
  else res.destroy();
}
