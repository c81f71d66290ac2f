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
  const { upstream, call, outcome } = init;
  const { scope } = call;
  const reader = new ChunkReader(call.answer);
  const source = new SSESource(upstream.maxBufferSize ?? DEFAULT_MAX_SSE_BUFFER, upstream.maxAnswerBytes);
  const folder = new ChunkFolder(init);
  let settled = false;
  scope.arm('first-chunk', upstream.timeouts.firstChunkMs);
  try {
    for (;;) {
      const sawDone = folder.take(source.feed(await reader.read()));
      if (sawDone || source.ended) {
        settled = true;
        return yield folder.finish(sawDone);
      }
      const text = folder.flush();
      if (text !== '') yield text;
      // Armed after the yield: a slow client is not an idle upstream.
      scope.arm('idle', upstream.timeouts.idleMs);
    }
  } catch (error) {
    const typed = toTransportError(error, scope.signal, upstream.url);
    settled = true;
    outcome.fail(typed);
    if (!folder.started) throw typed;
    yield folder.flush() + init.onFailure(typed);
  } finally {
    if (!settled) outcome.fail();
    call.close();
    reader.release();
  }
}

// SSE messages to the client's text: each message parsed and folded into events as the client
// does, each event framed; the text waits until the first output is in (see directFrames).
class ChunkFolder {
  /** Whether the first output (text, reasoning, a tool call or the finish) is in. */
  started = false;
  readonly #init: DirectFramesInit;
  readonly #acc = new StreamAccumulator();
  readonly #events: StreamEvent[] = [];
  #text: string;

  constructor(init: DirectFramesInit) {
    this.#init = init;
    this.#text = init.framer.head();
  }

  /** Folds `messages` in; true at `[DONE]` (what follows it is not read). */
  take(messages: readonly EventSourceMessage[]): boolean {
    const { call, upstream } = this.#init;
    for (const message of messages) {
      call.scope.disarm();
      if (message.data.trim() === '[DONE]') return true;
      this.#acc.add(parseChunk(message, call.requestId, upstream.redact), this.#events);
      this.#frame();
    }
    return false;
  }

  /** The text framed since the last flush, once started ('' before). */
  flush(): string {
    if (!this.started) return '';
    const text = this.#text;
    this.#text = '';
    return text;
  }

  /** The end of the stream: the calls and the finish, its completion with the answer's report. */
  finish(sawDone: boolean): string {
    const { call, upstream, outcome } = this.#init;
    call.scope.disarm();
    const finish = this.#acc.finish(sawDone, upstream.url, this.#events);
    finish.completion = outcome.succeed(finish.completion);
    this.#frame();
    return this.flush();
  }

  #frame(): void {
    const events = this.#events;
    if (events.length > 0) this.started = true;
    for (const event of events) this.#text += this.#init.framer.push(event);
    events.length = 0;
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
