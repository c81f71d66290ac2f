import { wireError, type WireError } from './errors.js';

/** Default body limit: 1 MiB, plenty for chat turns, small enough to stop abuse. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The request body failed before it reached validation (too large, not JSON). */
export class BodyError extends Error {
  readonly wire: WireError;
  /** The rest of the body cannot be drained: answer, then close the connection. */
  readonly closeConnection: boolean;
  constructor(wire: WireError, closeConnection = false) {
    super(wire.body.error.message);
    this.wire = wire;
    this.closeConnection = closeConnection;
  }
}

/** Deepest nesting of arrays and objects accepted in a JSON body (tool schemas nest a few dozen levels at most). */
export const MAX_JSON_DEPTH = 128;

/** The 413 answer for a body over `limit` bytes. */
export function tooLarge(limit: number, closeConnection = false): BodyError {
  return new BodyError(wireError(413, `Request body exceeds the limit of ${limit} bytes`, 'invalid_request_error', 'request_too_large'), closeConnection);
}

/**
 * Parses a JSON body or throws a 400 BodyError (the parser's message names the position). Nesting
 * deeper than {@link MAX_JSON_DEPTH} is a 400 too: validating it would overflow the stack.
 */
export function parseJsonBody(text: string): unknown {
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw new BodyError(wireError(400, `The request body nests deeper than ${MAX_JSON_DEPTH} levels`, 'invalid_request_error', 'invalid_json'));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new BodyError(wireError(400, `The request body is not valid JSON${detail}`, 'invalid_request_error', 'invalid_json'));
  }
}

// Deepest bracket nesting outside strings, stopping as soon as it passes the bound (one pass, no
// allocation). Strings are skipped with indexOf: a chat body is mostly prompt text, and a loop
// over each of its characters cost twice the JSON.parse of the body.
function jsonDepth(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = stringEnd(text, i);
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return 0;
}

// The index of the quote that closes the string opened at `open` (the text's length when none
// does): the next quote not escaped, i.e. not after an odd run of backslashes.
function stringEnd(text: string, open: number): number {
  for (let i = text.indexOf('"', open + 1); i !== -1; i = text.indexOf('"', i + 1)) {
    let before = i - 1;
    while (text.charCodeAt(before) === 92) before--;
    if ((i - 1 - before) % 2 === 0) return i;
  }
  return text.length;
}

/**
 * Reads a web Request's body as text, refusing more than `limit` bytes: first by
 * `content-length`, then while reading, cancelling the rest. The count is of the bytes read, not
 * of the header: a Request built in app code (a Next.js middleware) may declare a false length.
 */
export async function readWebBody(request: Request, limit: number): Promise<string> {
  const header = request.headers.get('content-length');
  const declared = header === null ? NaN : Number(header);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return '';
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
