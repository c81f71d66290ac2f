import { StreamError } from '../../errors.js';
import { AnswerTooLargeError } from './answer-limit.js';
import type { FinishEvent, ReasoningDeltaEvent, TextDeltaEvent, ToolCallDeltaEvent, ToolCallEvent } from '../../interfaces.js';
import type { ToolCall } from '../../types.js';
import type { OpenAIDelta, OpenAILogprobs, OpenAIToolCallDelta } from '../../wire/openai-shape.js';
import { rewardgateField, toOpenAIFinishReason, toOpenAIUsage, type OpenAIFinishReason, type OpenAIUsage, type ResponseMeta, type RewardgateField, type WireCompletion, type WireReportOptions } from './completion.js';

/** A `chat.completion.chunk` stream body. */
export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    delta: OpenAIDelta;
    finish_reason: OpenAIFinishReason | null;
    logprobs: OpenAILogprobs | null;
  }>;
  usage?: OpenAIUsage | null;
  rewardgate?: RewardgateField;
}

/** The SSE line that ends every OpenAI stream. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** One SSE event carrying `data` as JSON. */
export function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

// Every chunk of one answer starts alike: serialize that head once, then only the delta text
// (the hot path of a stream). The output is byte for byte JSON.stringify of the chunk object.
function chunkHead(meta: ResponseMeta): string {
  return `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":[{"index":0,"delta":`;
}
const TAIL = ',"finish_reason":null,"logprobs":null}]}\n\n';

/** The first chunk: the assistant role with empty content (what OpenAI sends first). */
export function roleChunk(meta: ResponseMeta): string {
  return `${chunkHead(meta)}{"role":"assistant","content":""}${TAIL}`;
}

/** A text delta as a chunk. */
export function deltaChunk(meta: ResponseMeta, text: string): string {
  return `${chunkHead(meta)}{"content":${JSON.stringify(text)}}${TAIL}`;
}

/** A delta carrying pieces of tool calls (`delta.tool_calls`) as a chunk. */
export function toolCallChunk(meta: ResponseMeta, pieces: OpenAIToolCallDelta[]): string {
  return `${chunkHead(meta)}{"tool_calls":${JSON.stringify(pieces)}}${TAIL}`;
}

/**
 * The closing chunks: the finish reason and the answer's logprobs (with the `rewardgate` field on
 * pipeline results; OpenAI clients join logprobs across chunks, so one chunk may carry them all), the
 * usage chunk with empty `choices` when the client asked `stream_options.include_usage`, and
 * `data: [DONE]`.
 *
 * @example
 * res.write(finishChunks(meta, completion, true));
 */
export function finishChunks(meta: ResponseMeta, completion: WireCompletion, includeUsage: boolean, options: WireReportOptions = {}): string {
  const base = { id: meta.id, object: 'chat.completion.chunk' as const, created: meta.created, model: meta.model };
  const last: OpenAIChatCompletionChunk = { ...base, choices: [{ index: 0, delta: {}, finish_reason: toOpenAIFinishReason(completion.finishReason), logprobs: completion.logprobs ?? null }] };
  const field = rewardgateField(completion, options);
  if (field) last.rewardgate = field;
  let out = sseData(last);
  if (includeUsage) out += sseData({ ...base, choices: [], usage: completion.usage ? toOpenAIUsage(completion.usage) : null });
  return out + SSE_DONE;
}

/** Options of {@link toSSE}. */
export interface ToSSEOptions extends WireReportOptions {
  /** An event already read from `events` (a handler reads one before answering, to catch early failures). */
  first?: IteratorResult<{ type: string }>;
  /** Longest answer text (content, reasoning, tool arguments) passed on; past it the stream fails with AnswerTooLargeError. */
  maxChars?: number | undefined;
  /** Turns a failure into a last line (an SSE error event) instead of throwing it. */
  onFailure?: (error: unknown) => string;
}

/**
 * Turns a model's event stream into OpenAI SSE text, one string per chunk: `text-delta` as
 * `delta.content`, `reasoning-delta` as `delta.reasoning_content`, tool calls as
 * `delta.tool_calls` (a call's first piece carries its index, id, type and name, later pieces
 * argument text; a model that only emits whole `tool-call` events gets the call sent as a first
 * piece and then its arguments). Other events (a pipeline's progress events) are skipped. When the
 * final completion extends what was streamed (a middleware that buffers, or a refusal), the rest
 * of its text, reasoning and tool calls is sent before the finish, so the streamed pieces always
 * add up to the completion. Ends with `data: [DONE]`; a stream that ends without `finish` fails
 * with a StreamError (truncated). Closing the generator early closes the model stream (which
 * aborts the model call).
 *
 * @example
 * for await (const line of toSSE(model.stream(request), createResponseMeta(request.model), false)) res.write(line);
 */
export async function* toSSE(events: AsyncIterable<{ type: string }>, meta: ResponseMeta, includeUsage: boolean, options: ToSSEOptions = {}): AsyncGenerator<string, void, undefined> {
  const iterator = events[Symbol.asyncIterator]();
  const head = chunkHead(meta);
  let done = false;
  try {
    yield `${head}{"role":"assistant","content":""}${TAIL}`;
    let streamed = '';
    let reasoned = '';
    // Argument text sent so far per call index; a call is started once its index is here.
    let calls: string[] | undefined;
    let finished = false;
    // Characters passed on so far, against `maxChars` (the upstream call is cancelled past it).
    let budget = options.maxChars ?? Infinity;
    const spend = (n: number) => {
      budget -= n;
      if (budget < 0) throw new AnswerTooLargeError(options.maxChars!, 'characters');
    };
    // One generator for reading, framing and failure handling: each extra layer costs a hop per delta.
    for (let r = options.first ?? (await iterator.next()); !r.done; r = await iterator.next()) {
      const event = r.value;
      if (finished) continue; // drain, so the model stream ends on its own
      if (event.type === 'text-delta') {
        const text = (event as TextDeltaEvent).text;
        if (text === '') continue;
        spend(text.length);
        streamed += text;
        yield `${head}{"content":${JSON.stringify(text)}}${TAIL}`;
      } else if (event.type === 'reasoning-delta') {
        const text = (event as ReasoningDeltaEvent).text;
        if (text === '') continue;
        spend(text.length);
        reasoned += text;
        yield `${head}{"reasoning_content":${JSON.stringify(text)}}${TAIL}`;
      } else if (event.type === 'tool-call-delta') {
        spend((event as ToolCallDeltaEvent).argumentsDelta.length);
        const piece = callDelta((calls ??= []), event as ToolCallDeltaEvent);
        if (piece) yield toolCallChunk(meta, [piece]);
      } else if (event.type === 'tool-call') {
        const { index, toolCall } = event as ToolCallEvent;
        for (const piece of callRest((calls ??= []), index, toolCall)) yield toolCallChunk(meta, [piece]);
      } else if (event.type === 'finish') {
        const completion = (event as FinishEvent<WireCompletion>).completion;
        const reasoning = completion.reasoning ?? '';
        if (reasoning.length > reasoned.length && reasoning.startsWith(reasoned)) {
          yield `${head}{"reasoning_content":${JSON.stringify(reasoning.slice(reasoned.length))}}${TAIL}`;
        }
        if (completion.text.length > streamed.length && completion.text.startsWith(streamed)) {
          yield `${head}{"content":${JSON.stringify(completion.text.slice(streamed.length))}}${TAIL}`;
        }
        const toolCalls = completion.toolCalls ?? [];
        for (let i = 0; i < toolCalls.length; i++) for (const piece of callRest((calls ??= []), i, toolCalls[i]!)) yield toolCallChunk(meta, [piece]);
        finished = true;
        yield finishChunks(meta, completion, includeUsage, options);
      }
    }
    done = true;
    if (!finished) throw new StreamError('truncated', 'The model stream ended without a finish event');
  } catch (error) {
    if (!options.onFailure) throw error;
    yield options.onFailure(error);
  } finally {
    if (!done) await iterator.return?.();
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
