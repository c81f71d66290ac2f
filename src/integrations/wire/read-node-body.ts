import type { IncomingMessage } from 'node:http';
import { tooLarge } from './read-body.js';

/**
 * How much of a body past the limit is read and thrown away so the client receives its 413
 * (a socket closed with unread data resets, and the client sees EPIPE instead). Beyond this the
 * connection is closed.
 */
export const DISCARD_AFTER_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a Node request's body as text, refusing more than `limit` bytes (by `content-length`
 * first, then by the bytes that arrive: a false header is not trusted). Past the limit it stops
 * keeping data, rejects with a 413 BodyError, and discards up to {@link DISCARD_AFTER_LIMIT_BYTES}
 * more so the answer reaches the client; a body declared larger than that is refused with
 * `closeConnection` set. Type-only Node import: this file stays loadable on edge runtimes.
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    if (declared - limit > DISCARD_AFTER_LIMIT_BYTES) return Promise.reject(tooLarge(limit, true));
    return discard(req).then(() => Promise.reject(tooLarge(limit)));
  }
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let size = 0;
    // Settled: later events are ignored. A read body keeps its listeners (removing a 'data'
    // listener costs a tick of stream bookkeeping per request); a refused one drops them.
    let settled = false;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Uint8Array) => {
      if (settled) return;
      size += chunk.byteLength;
      if (size > limit) {
        settled = true;
        cleanup();
        parts.length = 0;
        void discard(req).then(() => reject(tooLarge(limit)));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      const one = parts.length === 1 ? parts[0]! : undefined;
      // One chunk (the usual small body) is decoded in place, without a copy.
      resolve(one ? Buffer.from(one.buffer, one.byteOffset, one.byteLength).toString('utf8') : Buffer.concat(parts).toString('utf8'));
    };
    const onError = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

// Reads and drops the rest of a refused body, up to the discard bound (past it the socket is
// closed). Settles once the body has ended or the connection is gone: the 413 is written only
// then, because a server that answers and closes while the client still uploads makes the client
// see EPIPE instead of the answer.
function discard(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let dropped = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', done);
      req.off('error', done);
      req.off('close', done);
      resolve();
    };
    const onData = (chunk: Uint8Array) => {
      dropped += chunk.byteLength;
      if (dropped > DISCARD_AFTER_LIMIT_BYTES && !req.destroyed) {
        req.socket.destroy();
        done();
      }
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
    req.resume();
  });
}
