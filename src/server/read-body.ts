import type { IncomingMessage } from 'node:http';
import { tooLarge } from '../integrations/openai-wire.js';

/**
 * Reads a node request body as text, refusing more than `limit` bytes: by `content-length` first,
 * then while reading (chunked bodies have none). Throws the wire's 413 BodyError.
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop buffering; the answer closes the connection so the rest is never read.
        req.pause();
        reject(tooLarge(limit));
      } else parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(parts).toString('utf8'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
