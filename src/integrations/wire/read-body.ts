import { wireError, type WireError } from './errors.js';

/** Default body limit: 1 MiB, plenty for chat turns, small enough to stop abuse. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The request body failed before it reached validation (too large, not JSON). */
export class BodyError extends Error {
  readonly wire: WireError;
  constructor(wire: WireError) {
    super(wire.body.error.message);
    this.wire = wire;
  }
}

/** The 413 answer for a body over `limit` bytes. */
export function tooLarge(limit: number): BodyError {
  return new BodyError(wireError(413, `Request body exceeds the limit of ${limit} bytes`, 'invalid_request_error', 'request_too_large'));
}

/** Parses a JSON body or throws a 400 BodyError (the parser's message names the position). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new BodyError(wireError(400, `The request body is not valid JSON${detail}`, 'invalid_request_error', 'invalid_json'));
  }
}

/**
 * Reads a web Request's body as text, refusing more than `limit` bytes: first by
 * `content-length`, then while reading (a chunked body has none), cancelling the rest.
 */
export async function readWebBody(request: Request, limit: number): Promise<string> {
  const header = request.headers.get('content-length');
  const declared = header === null ? NaN : Number(header);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return '';
  // HTTP servers deliver exactly content-length bytes, so a declared size in bounds is the size.
  if (declared >= 0) return request.text();
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
