import { RewardgateError } from '../../errors.js';

/** Default bound of one upstream answer's body: 32 MiB (a 128k-token stream with its SSE framing fits). */
export const DEFAULT_MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** Default bound of one streamed answer's text (content, reasoning and tool arguments): 2 million characters. */
export const DEFAULT_MAX_ANSWER_CHARS = 2_000_000;

/**
 * An upstream answer grew past the proxy's `limits` (`maxAnswerBytes` on the wire,
 * `maxAnswerChars` of streamed text). The call is cancelled; clients get a 502
 * `upstream_answer_too_large` (an SSE error event when the stream had started).
 */
export class AnswerTooLargeError extends RewardgateError {
  override readonly name = 'AnswerTooLargeError';
  static override readonly marker: symbol = Symbol.for('rewardgate.error.AnswerTooLargeError');
  /** The bound that was passed. */
  readonly limit: number;
  readonly unit: 'bytes' | 'characters';

  constructor(limit: number, unit: 'bytes' | 'characters') {
    super(`The upstream answer exceeds the limit of ${limit} ${unit}`);
    this.limit = limit;
    this.unit = unit;
  }
}

/**
 * Wraps a fetch so that no answer body grows past `limit` bytes: a declared `content-length` past
 * it fails before the body is read, and a body without one (chunked JSON, SSE) is counted as it
 * flows and errors with {@link AnswerTooLargeError} at the limit, which cancels the upstream read.
 *
 * @example
 * const client = createClient({ baseURL, fetch: boundedFetch(fetch, 8 * 1024 * 1024) });
 */
export function boundedFetch(base: typeof globalThis.fetch, limit: number): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.body) return response;
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > limit) {
      await response.body.cancel().catch(() => {});
      throw new AnswerTooLargeError(limit, 'bytes');
    }
    // A declared length within the limit is the length: fetch delivers exactly that many bytes.
    if (declared >= 0) return response;
    let size = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > limit) controller.error(new AnswerTooLargeError(limit, 'bytes'));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
