// One HTTP attempt to the upstream over node:http / node:https and a keep-alive agent, and the
// bounded reads of its body: what the direct path (direct-upstream.ts) uses instead of ky,
// Request / Response objects and web streams.
import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Where one attempt goes: node:http request options without the per-call parts. */
export interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
  agent: Agent;
}

/** One attempt: the target, method, headers and body, the headers deadline and the call's signal. */
export interface AttemptInit {
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  body?: string | undefined;
  headersMs: number;
  signal: AbortSignal;
}

/** The attempt's response headers did not come within `headersMs` (retried like ky's timeout). */
export class HeadersTimeout extends Error {
  override readonly name = 'HeadersTimeout';
}

/**
 * Sends one request and resolves at the response headers. The headers deadline rejects with
 * HeadersTimeout, the signal with its reason, a socket failure with `TypeError('fetch failed')`
 * (what fetch throws, with the socket error as cause); each destroys the request.
 */
export function attempt(target: Target, init: AttemptInit): Promise<IncomingMessage> {
  const { signal } = init;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const send = target.secure ? httpsRequest : httpRequest;
    const req = send({ hostname: target.hostname, port: target.port, path: target.path, method: init.method, headers: init.headers, agent: target.agent });
    const timer = Number.isFinite(init.headersMs) ? setTimeout(() => req.destroy(new HeadersTimeout(`no response headers within ${init.headersMs} ms`)), init.headersMs) : undefined;
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    req.once('response', (res) => {
      settle();
      resolve(res);
    });
    req.once('error', (error) => {
      settle();
      reject(signal.aborted ? signal.reason : error instanceof HeadersTimeout ? error : new TypeError('fetch failed', { cause: error }));
    });
    req.end(init.body);
  });
}

/**
 * Reads a whole body as text, at most `limit` bytes: past it (or a declared `content-length`
 * past it) `tooLarge()` is thrown and the socket is dropped. An abort of `signal` rejects with
 * its reason; a socket that fails mid-body with `TypeError('terminated')`.
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
      signal.removeEventListener('abort', onAbort);
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
    const onError = (error: Error) => done(signal.aborted ? signal.reason : new TypeError('terminated', { cause: error }));
    const onAbort = () => done(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', onData);
    res.once('end', onEnd);
    res.on('error', onError);
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
