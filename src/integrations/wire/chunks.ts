import { StreamError } from '../../errors.js';
import type { FinishEvent, TextDeltaEvent } from '../../interfaces.js';
import { rewardgateField, toOpenAIFinishReason, toOpenAIUsage, type OpenAIFinishReason, type OpenAIUsage, type ResponseMeta, type RewardgateField, type WireCompletion, type WireReportOptions } from './completion.js';

/** A `chat.completion.chunk` stream body. */
export interface OpenAIChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    delta: { role?: 'assistant'; content?: string };
    finish_reason: OpenAIFinishReason | null;
    logprobs: null;
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

/**
 * The closing chunks: the finish reason (with the `rewardgate` field on pipeline results), the
 * usage chunk with empty `choices` when the client asked `stream_options.include_usage`, and
 * `data: [DONE]`.
 *
 * @example
 * res.write(finishChunks(meta, completion, true));
 */
export function finishChunks(meta: ResponseMeta, completion: WireCompletion, includeUsage: boolean, options: WireReportOptions = {}): string {
  const base = { id: meta.id, object: 'chat.completion.chunk' as const, created: meta.created, model: meta.model };
  const last: OpenAIChatCompletionChunk = { ...base, choices: [{ index: 0, delta: {}, finish_reason: toOpenAIFinishReason(completion.finishReason), logprobs: null }] };
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
  /** Turns a failure into a last line (an SSE error event) instead of throwing it. */
  onFailure?: (error: unknown) => string;
}

/**
 * Turns a model's event stream into OpenAI SSE text, one string per chunk. Events other than
 * `text-delta` and `finish` (a pipeline's progress events) are skipped. When the final text
 * extends what was streamed (a middleware that buffers, or a refusal), the rest is sent as one
 * delta before the finish, so the streamed text always adds up to the completion's text. Ends
 * with `data: [DONE]`; a stream that ends without `finish` fails with a StreamError (truncated).
 * Closing the generator early closes the model stream (which aborts the model call).
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
    let finished = false;
    // One generator for reading, framing and failure handling: each extra layer costs a hop per delta.
    for (let r = options.first ?? (await iterator.next()); !r.done; r = await iterator.next()) {
      const event = r.value;
      if (finished) continue; // drain, so the model stream ends on its own
      if (event.type === 'text-delta') {
        const text = (event as TextDeltaEvent).text;
        if (text === '') continue;
        streamed += text;
        yield `${head}{"content":${JSON.stringify(text)}}${TAIL}`;
      } else if (event.type === 'finish') {
        const completion = (event as FinishEvent<WireCompletion>).completion;
        if (completion.text.length > streamed.length && completion.text.startsWith(streamed)) {
          yield `${head}{"content":${JSON.stringify(completion.text.slice(streamed.length))}}${TAIL}`;
        }
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
