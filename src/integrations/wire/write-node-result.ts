import type { ServerResponse } from 'node:http';
import { SSE_HEADERS } from './chat-handler.js';
import { sseData } from './chunks.js';
import type { WireError } from './errors.js';
import type { ChatResult } from './run-chat.js';

/** Options of {@link writeNodeResult}. */
export interface WriteNodeOptions {
  /** Extra response headers (e.g. `connection: close` while a server drains). */
  headers?: Record<string, string>;
  /**
   * Ends the answer early when `signal` aborts while the client is still connected (a server's
   * shutdown deadline): `answer` goes out instead, as JSON before a stream started, as an SSE
   * error event within one. A client that left gets nothing.
   */
  interrupt?: { signal: Pick<AbortSignal, 'aborted'>; answer: WireError };
}

/**
 * Writes a JSON answer in one write; a no-op once headers went out or the client left.
 * Type-only Node imports: this file stays loadable on edge runtimes.
 *
 * @example
 * writeNodeJson(res, 200, { status: 'ok' });
 */
export function writeNodeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/**
 * Writes a ChatResult to a Node response: JSON in one write, or SSE line by line with
 * backpressure (a slow client slows the model instead of filling memory). Resolves when the
 * answer is written or the client went away; either way the SSE source is closed, which cancels
 * the model call.
 *
 * @example
 * await writeNodeResult(res, await runChat(model, body, controller.signal));
 */
export async function writeNodeResult(res: ServerResponse, result: ChatResult, options: WriteNodeOptions = {}): Promise<void> {
  const { headers = {}, interrupt } = options;
  if (interrupt?.signal.aborted) {
    if (result.kind === 'sse') await result.chunks.return();
    return writeNodeJson(res, interrupt.answer.status, interrupt.answer.body, headers);
  }
  if (result.kind === 'json') return writeNodeJson(res, result.status, result.body, result.headers ? { ...headers, ...result.headers } : headers);
  const { chunks } = result;
  // Lines produced in one turn of the event loop (an upstream read often carries several events)
  // go out in one socket write: corked at the first, uncorked on the next turn.
  let flush: NodeJS.Immediate | undefined;
  const uncork = () => {
    flush = undefined;
    res.uncork();
  };
  try {
    if (res.destroyed) return;
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    for await (const line of chunks) {
      if (res.destroyed) return;
      if (interrupt?.signal.aborted) {
        res.write(sseData(interrupt.answer.body));
        break;
      }
      if (flush === undefined) {
        res.cork();
        flush = setImmediate(uncork);
      }
      if (!res.write(line)) await drained(res);
    }
  } finally {
    if (flush !== undefined) clearImmediate(flush);
    // Leaving early (client gone, a write that threw) closes the generator, which aborts the model stream.
    const closing = chunks.return();
    // Ended while corked, the last lines and the end of the body go out in one write (end() uncorks fully).
    if (!res.destroyed) res.end();
    else if (flush !== undefined) res.uncork();
    await closing;
  }
}

// Waits for 'drain' or 'close', whichever comes first, and removes both listeners.
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
