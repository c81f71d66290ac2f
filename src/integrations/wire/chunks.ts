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
/** @internal The text every chunk of one answer starts with, up to its delta. */
export function chunkHead(meta: ResponseMeta): string {
  return `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"choices":[{"index":0,"delta":`;
}
/** @internal What follows the delta of every chunk before the finish. */
export const CHUNK_TAIL = ',"finish_reason":null,"logprobs":null}]}\n\n';

/** The first chunk: the assistant role with empty content (what OpenAI sends first). */
export function roleChunk(meta: ResponseMeta): string {
  return `${chunkHead(meta)}{"role":"assistant","content":""}${CHUNK_TAIL}`;
}

/** A text delta as a chunk. */
export function deltaChunk(meta: ResponseMeta, text: string): string {
  return `${chunkHead(meta)}{"content":${JSON.stringify(text)}}${CHUNK_TAIL}`;
}

/** A delta carrying pieces of tool calls (`delta.tool_calls`) as a chunk. */
export function toolCallChunk(meta: ResponseMeta, pieces: OpenAIToolCallDelta[]): string {
  return `${chunkHead(meta)}{"tool_calls":${JSON.stringify(pieces)}}${CHUNK_TAIL}`;
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
