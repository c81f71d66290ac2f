import type { ServerResponse } from 'node:http';
import type { ChatResult } from './run-chat.js';
import { SSE_HEADERS } from './chat-handler.js';

/**
 * Writes a ChatResult to a Node response: JSON in one write, or SSE line by line with
 * backpressure. Resolves when the answer is written or the client went away (then the stream is
 * closed, which cancels the model call). Type-only Node imports: loadable on edge runtimes.
 *
 * @example
 * await writeNodeResult(res, await runChat(model, body, controller.signal));
 */
export async function writeNodeResult(res: ServerResponse, result: ChatResult, headers: Record<string, string> = {}): Promise<void> {
  if (result.kind === 'json') {
    if (res.destroyed || res.writableEnded) return;
    const payload = JSON.stringify(result.body);
    res.writeHead(result.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
    return;
  }
  const { chunks } = result;
  try {
    if (res.destroyed) return;
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    res.flushHeaders();
    for await (const line of chunks) {
      if (res.destroyed) return;
      if (!res.write(line)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } finally {
    // Leaving early (client gone) closes the generator, which aborts the model stream.
    await chunks.return();
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
