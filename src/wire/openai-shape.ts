// The OpenAI chat-completions wire shape, in one place for both directions: the client reads
// completions and chunks with these schemas, and the server side (createChatHandler, Express,
// Next, the guard proxy) reads request messages with them and writes the types below.
// The client's hand-written fast checks (src/client/wire-check.ts) accept exactly what the read
// schemas accept; test/client/wire-check.test.ts fuzzes the two against each other.
import * as z from 'zod/mini';
import { ContentSchema, LogprobsSchema, ToolCallSchema, type Logprobs } from '../types.js';

// ── reading what a server answers (lenient: many servers speak dialects) ─────────────

export const WireUsageSchema = z.looseObject({ prompt_tokens: z.optional(z.number()), completion_tokens: z.optional(z.number()), total_tokens: z.optional(z.number()) });

/** A whole tool call in a message; `arguments` may arrive as an object from lenient servers. */
export const WireToolCallSchema = z.looseObject({
  id: z.nullish(z.string()),
  type: z.nullish(z.string()),
  function: z.looseObject({ name: z.string(), arguments: z.nullish(z.union([z.string(), z.record(z.string(), z.unknown())])) }),
});

/** A piece of a streamed tool call, keyed by `index` (id, type and name first, arguments in pieces). */
export const WireToolCallDeltaSchema = z.looseObject({
  index: z.optional(z.int().check(z.nonnegative())),
  id: z.nullish(z.string()),
  type: z.nullish(z.string()),
  function: z.nullish(z.looseObject({ name: z.nullish(z.string()), arguments: z.nullish(z.string()) })),
});

const WireMessageSchema = z.looseObject({
  content: z.nullish(z.string()),
  tool_calls: z.nullish(z.array(WireToolCallSchema)),
  reasoning_content: z.nullish(z.string()),
  reasoning: z.nullish(z.string()),
});
const WireDeltaSchema = z.looseObject({
  content: z.nullish(z.string()),
  tool_calls: z.nullish(z.array(WireToolCallDeltaSchema)),
  reasoning_content: z.nullish(z.string()),
  reasoning: z.nullish(z.string()),
});

/** A `chat.completion` body as the client reads it. */
export const WireCompletionSchema = z.looseObject({
  id: z.optional(z.string()),
  model: z.optional(z.string()),
  choices: z.array(z.looseObject({ message: WireMessageSchema, finish_reason: z.nullish(z.string()), logprobs: z.nullish(LogprobsSchema) })).check(z.minLength(1)),
  usage: z.nullish(WireUsageSchema),
});

/** A `chat.completion.chunk` as the client reads it. */
export const WireChunkSchema = z.looseObject({
  id: z.optional(z.string()),
  model: z.optional(z.string()),
  choices: z.optional(z.array(z.looseObject({ delta: z.nullish(WireDeltaSchema), finish_reason: z.nullish(z.string()), logprobs: z.nullish(LogprobsSchema) }))),
  usage: z.nullish(WireUsageSchema),
});

export type WireUsage = z.infer<typeof WireUsageSchema>;
export type WireToolCall = z.infer<typeof WireToolCallSchema>;
export type WireToolCallDelta = z.infer<typeof WireToolCallDeltaSchema>;
export type WireChunk = z.infer<typeof WireChunkSchema>;
export type WireCompletion = z.infer<typeof WireCompletionSchema>;

// ── reading what a client sends ──────────────────────────────────────────────────────

/**
 * One turn of a request body, the way OpenAI clients write it: `developer` is OpenAI's newer name
 * for `system`; assistant turns may carry `tool_calls` (and `reasoning_content`, echoed back by
 * some clients); `tool` turns carry `tool_call_id`. Other fields (`refusal`, `audio`) are dropped.
 */
export const WireRequestMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.optional(ContentSchema),
    name: z.optional(z.string()),
    tool_calls: z.nullish(z.array(ToolCallSchema)),
    tool_call_id: z.optional(z.string()),
    reasoning_content: z.nullish(z.string()),
    reasoning: z.nullish(z.string()),
  })
  .check(
    z.superRefine((m, ctx) => {
      if (m.tool_calls?.length && m.role !== 'assistant') ctx.addIssue({ code: 'custom', path: ['tool_calls'], message: 'only assistant turns carry tool_calls' });
      if (m.tool_call_id !== undefined && m.role !== 'tool') ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'only tool turns carry tool_call_id' });
      if (m.role === 'tool' && m.tool_call_id === undefined) ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'a tool turn needs the tool_call_id of the call it answers' });
      if (m.content == null && m.role !== 'assistant') ctx.addIssue({ code: 'custom', path: ['content'], message: `content is required on a ${m.role} turn` });
    }),
  );
export type WireRequestMessage = z.infer<typeof WireRequestMessageSchema>;

// ── writing OpenAI's exact answer shape ──────────────────────────────────────────────

/** OpenAI finish reasons. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** OpenAI `usage`. */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A tool call in an answer message. */
export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A piece of a streamed tool call: the first piece of a call has id, type and name. */
export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

/** The assistant message of a `chat.completion`. `content` is null when the turn only calls tools. */
export interface OpenAIAssistantMessage {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  tool_calls?: OpenAIToolCall[];
  /** The model's reasoning, as NIM, vLLM and DeepSeek send it. */
  reasoning_content?: string;
}

/** The delta of a `chat.completion.chunk`. */
export interface OpenAIDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: OpenAIToolCallDelta[];
}

/** `choice.logprobs` as OpenAI writes it. */
export type OpenAILogprobs = Logprobs;

/** An OpenAI-style error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
