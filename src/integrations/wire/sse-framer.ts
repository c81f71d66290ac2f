import { StreamError } from '../../errors.js';
import type { FinishEvent, ReasoningDeltaEvent, TextDeltaEvent, ToolCallDeltaEvent, ToolCallEvent } from '../../interfaces.js';
import type { ToolCall } from '../../types.js';
import type { OpenAIToolCallDelta } from '../../wire/openai-shape.js';
import { AnswerTooLargeError } from './answer-limit.js';
import { CHUNK_TAIL, chunkHead, finishChunks, toolCallChunk } from './chunks.js';
import type { ResponseMeta, WireCompletion, WireReportOptions } from './completion.js';

/** Options of {@link SSEFramer}. */
export interface SSEFramerOptions extends WireReportOptions {
  /** Longest answer text (content, reasoning, tool arguments) passed on; past it `push` throws AnswerTooLargeError. */
  maxChars?: number | undefined;
}

/**
 * Frames one answer's model events as OpenAI SSE text, synchronously: `head()` is the role chunk,
 * `push(event)` the chunks an event adds ('' for events that add nothing, e.g. a pipeline's
 * progress events), `end()` checks the stream finished. A synchronous framer lets a caller write
 * every event of one socket read in one go (see toSSE for the wire rules it keeps).
 *
 * @example
 * const framer = new SSEFramer(meta, false);
 * let out = framer.head();
 * for (const event of events) out += framer.push(event);
 * framer.end();
 */
export class SSEFramer {
  readonly #meta: ResponseMeta;
  readonly #head: string;
  readonly #includeUsage: boolean;
  readonly #options: SSEFramerOptions;
  #streamed = '';
  #reasoned = '';
  // Argument text sent so far per call index; a call is started once its index is here.
  readonly #calls: string[] = [];
  // Characters passed on so far, against `maxChars` (the upstream call is cancelled past it).
  #budget: number;
  #finished = false;

  constructor(meta: ResponseMeta, includeUsage: boolean, options: SSEFramerOptions = {}) {
    this.#meta = meta;
    this.#head = chunkHead(meta);
    this.#includeUsage = includeUsage;
    this.#options = options;
    this.#budget = options.maxChars ?? Infinity;
  }

  /** Whether the finish event went out (later events are drained, not sent). */
  get finished(): boolean {
    return this.#finished;
  }

  /** The first chunk: the assistant role with empty content (what OpenAI sends first). */
  head(): string {
    return `${this.#head}{"role":"assistant","content":""}${CHUNK_TAIL}`;
  }

  /** The SSE text `event` adds; throws AnswerTooLargeError past `maxChars`. */
  push(event: { type: string }): string {
    if (this.#finished) return ''; // drain, so the model stream ends on its own
    switch (event.type) {
      case 'text-delta':
        return this.#text((event as TextDeltaEvent).text);
      case 'reasoning-delta':
        return this.#reasoning((event as ReasoningDeltaEvent).text);
      case 'tool-call-delta': {
        this.#spend((event as ToolCallDeltaEvent).argumentsDelta.length);
        const piece = callDelta(this.#calls, event as ToolCallDeltaEvent);
        return piece ? toolCallChunk(this.#meta, [piece]) : '';
      }
      case 'tool-call': {
        const { index, toolCall } = event as ToolCallEvent;
        return this.#callPieces(index, toolCall);
      }
      case 'finish':
        return this.#finish((event as FinishEvent<WireCompletion>).completion);
      default:
        return '';
    }
  }

  /** Throws a truncated StreamError when the events ended without a finish. */
  end(): void {
    if (!this.#finished) throw new StreamError('truncated', 'The model stream ended without a finish event');
  }

  #spend(n: number): void {
    this.#budget -= n;
    if (this.#budget < 0) throw new AnswerTooLargeError(this.#options.maxChars!, 'characters');
  }

  #text(text: string): string {
    if (text === '') return '';
    this.#spend(text.length);
    this.#streamed += text;
    return `${this.#head}{"content":${JSON.stringify(text)}}${CHUNK_TAIL}`;
  }

  #reasoning(text: string): string {
    if (text === '') return '';
    this.#spend(text.length);
    this.#reasoned += text;
    return `${this.#head}{"reasoning_content":${JSON.stringify(text)}}${CHUNK_TAIL}`;
  }

  #callPieces(index: number, call: ToolCall): string {
    let out = '';
    for (const piece of callRest(this.#calls, index, call)) out += toolCallChunk(this.#meta, [piece]);
    return out;
  }

  // When the final completion extends what was streamed (a middleware that buffers, or a
  // refusal), the rest of its reasoning, text and tool calls goes out before the finish chunks,
  // so the streamed pieces always add up to the completion.
  #finish(completion: WireCompletion): string {
    let out = '';
    const reasoning = completion.reasoning ?? '';
    if (reasoning.length > this.#reasoned.length && reasoning.startsWith(this.#reasoned)) {
      out += `${this.#head}{"reasoning_content":${JSON.stringify(reasoning.slice(this.#reasoned.length))}}${CHUNK_TAIL}`;
    }
    if (completion.text.length > this.#streamed.length && completion.text.startsWith(this.#streamed)) {
      out += `${this.#head}{"content":${JSON.stringify(completion.text.slice(this.#streamed.length))}}${CHUNK_TAIL}`;
    }
    const toolCalls = completion.toolCalls ?? [];
    for (let i = 0; i < toolCalls.length; i++) out += this.#callPieces(i, toolCalls[i]!);
    this.#finished = true;
    return out + finishChunks(this.#meta, completion, this.#includeUsage, this.#options);
  }
}

// A live piece of a call: the first one at an index opens the call (id, type, name), later ones
// only add argument text; an empty later piece adds nothing and is not sent.
function callDelta(calls: string[], event: ToolCallDeltaEvent): OpenAIToolCallDelta | undefined {
  const { index, argumentsDelta } = event;
  if (calls[index] === undefined) {
    calls[index] = argumentsDelta;
    return { index, id: event.id ?? `call_${index}`, type: 'function', function: { name: event.name ?? '', arguments: argumentsDelta } };
  }
  if (argumentsDelta === '') return undefined;
  calls[index] += argumentsDelta;
  return { index, function: { arguments: argumentsDelta } };
}

// What a whole call still needs on the wire: all of it when nothing was sent (its opening piece,
// then its arguments), else the rest of its arguments when they extend what was sent.
function callRest(calls: string[], index: number, call: ToolCall): OpenAIToolCallDelta[] {
  const sent = calls[index];
  const args = call.function.arguments;
  const pieces: OpenAIToolCallDelta[] = [];
  if (sent === undefined) {
    pieces.push({ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } });
    if (args !== '') pieces.push({ index, function: { arguments: args } });
  } else if (args.length > sent.length && args.startsWith(sent)) {
    pieces.push({ index, function: { arguments: args.slice(sent.length) } });
  }
  calls[index] = sent === undefined || args.startsWith(sent) ? args : sent;
  return pieces;
}
