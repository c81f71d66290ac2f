// One HTTP attempt to the upstream over node:http / node:https and a keep-alive agent, and the
// bounded reads of its body: what the direct path (direct-upstream.ts) uses instead of ky,
// Request / Response objects and web streams.
import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CallScope } from '../http/call-scope.js';
import type { DeadlineClock } from '../http/deadline-clock.js';

/** Where one attempt goes: node:http request options without the per-call parts. */
export interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
  /** The Host header node:http would send (`url.host`). */
  host: string;
  agent: Agent;
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
    const req = send({ hostname: target.hostname, port: target.port, path: target.path, method: init.method, headers: headerList(target, init.headers), agent: target.agent });
    const deadline = { at: performance.now() + init.headersMs, fire: () => req.destroy(new HeadersTimeout(`no response headers within ${init.headersMs} ms`)) };
    if (Number.isFinite(init.headersMs)) init.clock.add(deadline);
    slot.current = req;
    // `on`, not `once`: each event comes at most once per request, and once() wraps every listener.
    req.on('response', (res) => {
      init.clock.delete(deadline);
      slot.current = res;
      resolve(res);
    });
    req.on('error', (error) => {
      init.clock.delete(deadline);
      reject(signal.aborted ? signal.reason : error instanceof HeadersTimeout ? error : new TypeError('fetch failed', { cause: error }));
    });
    req.end(init.body);
  });
}

/**
 * The headers as node:http's flat list, Host first unless given: a list goes into the request head
 * as it is, where an object costs a setHeader (validation, a lower-cased copy, a [name, value]
 * pair) per header.
 */
function headerList(target: Target, headers: OutgoingHttpHeaders): string[] {
  const list = 'host' in headers ? [] : ['host', target.host];
  for (const key in headers) {
    const value = headers[key];
    if (Array.isArray(value)) for (const v of value) list.push(key, v);
    else list.push(key, typeof value === 'number' ? String(value) : (value as string));
  }
  return list;
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
    // The listeners stay on the answer (it is not reused): removing a 'data' listener costs a
    // tick of stream bookkeeping, and whatever comes after the first outcome is ignored.
    let settled = false;
    const done = (error: unknown, text?: string) => {
      if (settled) return;
      settled = true;
      if (error === undefined) return resolve(text!);
      drop(res);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) done(tooLarge());
      else parts.push(chunk);
    };
    const onEnd = () => done(undefined, parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8'));
    const failed = (cause: unknown) => done(signal.aborted ? signal.reason : new TypeError('terminated', { cause }));
    const onError = (error: Error) => failed(error);
    // A close before the end without an error: the answer was destroyed (the call aborted) or cut.
    // Every answer closes after its end: no error is made then (a stack trace each costs microseconds).
    const onClose = () => {
      if (!settled) failed(new Error('the answer ended before its end'));
    };
    if (signal.aborted || res.destroyed) return failed(new Error('the answer was closed'));
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', onError);
    res.on('close', onClose);
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
