import type { ServerResponse } from 'node:http';
import { SSE_HEADERS, sseData, wireError } from '../integrations/openai-wire.js';

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** Why an answer was cut while its client was still there: the server is shutting down. */
export const SHUTTING_DOWN = wireError(503, 'The server shut down before the answer was complete', 'server_error', 'shutting_down');

/**
 * Writes SSE lines as they come, waiting for the socket to drain (a slow client slows the model
 * instead of filling memory). Stops, and closes the source, when `signal` aborts: silently when the
 * client left, with a 503 error event when it is still there (the shutdown deadline passed).
 */
export async function sendSSE(res: ServerResponse, lines: AsyncGenerator<string, void, undefined>, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  try {
    for await (const line of lines) {
      if (res.destroyed) break;
      if (signal.aborted) {
        res.write(sseData(SHUTTING_DOWN.body));
        break;
      }
      if (!res.write(line)) await drained(res);
    }
  } finally {
    // `break` already closed the generator; this covers a throw from write().
    await lines.return();
    if (!res.destroyed) res.end();
  }
}

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
