import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { parseChunk } from '../client/chat-stream.js';
import { StreamAccumulator } from '../client/stream-accumulator.js';
import { StreamError } from '../errors.js';
import { DEFAULT_MAX_SSE_BUFFER } from '../http/sse.js';
import { toTransportError } from '../http/transport-error.js';
import type { StreamEvent } from '../interfaces.js';
import { AnswerTooLargeError } from '../integrations/wire/answer-limit.js';
import type { WireCompletion } from '../integrations/wire/completion.js';
import type { SSEFramer } from '../integrations/wire/sse-framer.js';
import type { Completion } from '../types.js';
import { ChunkReader } from './chunk-reader.js';
import type { DirectCall, DirectUpstream } from './direct-upstream.js';

/** One call's outcome hooks: the finished completion becomes the answer's (with its report), a failure or cancel is recorded. */
export interface DirectOutcome {
  succeed(completion: Completion): WireCompletion;
  /** `error` undefined: the caller stopped reading (the client left). */
  fail(error?: unknown): void;
}

/** What {@link directFrames} reads and writes with. */
export interface DirectFramesInit {
  upstream: DirectUpstream;
  call: DirectCall;
  framer: SSEFramer;
  outcome: DirectOutcome;
  /** The SSE error event that ends an answer failing after its first output. */
  onFailure: (error: unknown) => string;
}

/**
 * The upstream's SSE answer as the client's OpenAI SSE text, one string per socket read that adds
 * chunks (the client's events, parsed and folded as the client does: parseChunk,
 * StreamAccumulator). The first string, with the role chunk, comes with the first output, so a
 * failure before it is thrown and still gets its HTTP status; a later one ends the text with
 * `onFailure`'s event. The body deadlines (first chunk, idle) and `maxAnswerBytes` hold as on the
 * client; closing the generator early closes the upstream call.
 */
export async function* directFrames(init: DirectFramesInit): AsyncGenerator<string, void, undefined> {
  const { upstream, call, framer, outcome } = init;
  const { scope } = call;
  const reader = new ChunkReader(call.res);
  const source = new SSESource(upstream.maxBufferSize ?? DEFAULT_MAX_SSE_BUFFER, upstream.maxAnswerBytes);
  const acc = new StreamAccumulator();
  const events: StreamEvent[] = [];
  const onAbort = () => call.res.destroy(scope.signal.reason instanceof Error ? scope.signal.reason : undefined);
  scope.signal.addEventListener('abort', onAbort, { once: true });
  let text = framer.head();
  let started = false;
  let settled = false;
  scope.arm('first-chunk', upstream.timeouts.firstChunkMs);
  try {
    for (;;) {
      const messages = source.feed(await reader.read());
      let sawDone = false;
      for (const message of messages) {
        scope.disarm();
        if (message.data.trim() === '[DONE]') {
          sawDone = true;
          break;
        }
        acc.add(parseChunk(message, call.requestId, upstream.redact), events);
        started ||= events.length > 0;
        for (const event of events) text += framer.push(event);
        events.length = 0;
      }
      if (sawDone || source.ended) {
        const finish = acc.finish(sawDone, upstream.url, events);
        finish.completion = outcome.succeed(finish.completion);
        settled = true;
        for (const event of events) text += framer.push(event);
        return yield text;
      }
      if (started && text !== '') {
        yield text;
        text = '';
      }
      // Armed after the yield: a slow client is not an idle upstream.
      scope.arm('idle', upstream.timeouts.idleMs);
    }
  } catch (error) {
    const typed = toTransportError(error, scope.signal, upstream.url);
    settled = true;
    outcome.fail(typed);
    if (!started) throw typed;
    yield text + init.onFailure(typed);
  } finally {
    if (!settled) outcome.fail();
    scope.signal.removeEventListener('abort', onAbort);
    scope.dispose();
    reader.release();
  }
}

// Bytes to SSE messages: counted against the answer bound, decoded across chunk edges, parsed by
// eventsource-parser with the client's line bound.
class SSESource {
  ended = false;
  readonly #messages: EventSourceMessage[] = [];
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxBytes: number;
  readonly #parser;
  #size = 0;
  #failure: StreamError | undefined;

  constructor(maxBufferSize: number, maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#parser = createParser({
      maxBufferSize,
      onEvent: (message) => this.#messages.push(message),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') {
          this.#failure ??= new StreamError('buffer-exceeded', `An SSE line or event exceeded ${maxBufferSize} characters`, { cause: error });
        }
        // Unknown fields and bad `retry:` values are ignored, as the SSE spec says.
      },
    });
  }

  /** The messages `chunks` complete (undefined: the body ended); the array is reused by the next call. */
  feed(chunks: Buffer[] | undefined): EventSourceMessage[] {
    this.#messages.length = 0;
    if (chunks === undefined) {
      // An event cut off before its blank line is dropped, as the SSE spec says.
      this.ended = true;
      this.#parser.feed(this.#decoder.end());
    } else {
      for (const chunk of chunks) {
        this.#size += chunk.length;
        if (this.#size > this.#maxBytes) throw new AnswerTooLargeError(this.#maxBytes, 'bytes');
        this.#parser.feed(this.#decoder.write(chunk));
      }
    }
    if (this.#failure) throw this.#failure;
    return this.#messages;
  }
}
