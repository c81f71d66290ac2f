import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { ChatRequest, Message } from '../../types.js';

// OpenAI content parts: only text parts can become our string content.
const TextPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const ContentSchema = z.union([z.string(), z.array(TextPartSchema), z.null()]);

const WireMessageSchema = z.looseObject({
  // `developer` is OpenAI's newer name for the system turn.
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: ContentSchema.optional(),
});

/**
 * The body of an OpenAI `POST /v1/chat/completions` request, as far as rewardgate reads it.
 * Unknown fields are tolerated (see {@link toChatRequest} for what happens to them).
 *
 * @example
 * const ok = OpenAIChatBodySchema.safeParse(body).success;
 */
export const OpenAIChatBodySchema = z.looseObject({
  messages: z.array(WireMessageSchema).min(1, 'a conversation needs at least one message'),
  model: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  // One chosen answer per request: fan-out belongs to bestOfN, not to the wire.
  n: z.literal(1, { error: 'n > 1 is not supported: the pipeline answers with one chosen completion (use bestOfN to sample several)' }).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  // Tool calls cannot be represented in a text completion: refuse them instead of dropping them.
  tools: z.array(z.unknown()).max(0, 'tool calling is not supported through rewardgate').optional(),
  functions: z.array(z.unknown()).max(0, 'function calling is not supported through rewardgate').optional(),
});
export type OpenAIChatBody = z.infer<typeof OpenAIChatBodySchema>;

/** What a wire request asks for besides the ChatRequest itself. */
export interface WireRequest {
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

// Fields handled here; everything else is forwarded to the model in `extra`.
const HANDLED = new Set([
  'messages', 'model', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'n',
  'stream', 'stream_options', 'tools', 'functions', 'tool_choice', 'function_call', 'parallel_tool_calls',
]);

/**
 * Turns an OpenAI chat-completions body into a ChatRequest. `developer` turns become `system`,
 * text content parts are joined, `max_completion_tokens` wins over `max_tokens`, nulls count as
 * absent, and unknown fields (`nvext`, `top_k`, `user`...) are forwarded in `extra`.
 * Throws a ValidationError naming each bad path (`messages[0].content[1].type`).
 *
 * @example
 * const { request, stream } = toChatRequest(await req.json());
 */
export function toChatRequest(body: unknown, options: { forwardUnknown?: boolean } = {}): WireRequest {
  const parsed = OpenAIChatBodySchema.safeParse(body);
  if (!parsed.success) throw ValidationError.fromZod('chat completion request', parsed.error);
  const b = parsed.data;
  const messages: Message[] = b.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join(''),
  }));
  const request: ChatRequest = { messages };
  if (b.model !== undefined) request.model = b.model;
  if (b.temperature != null) request.temperature = b.temperature;
  if (b.top_p != null) request.top_p = b.top_p;
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (maxTokens != null) request.max_tokens = maxTokens;
  if (b.seed != null) request.seed = b.seed;
  if (b.stop != null) request.stop = b.stop;
  if (options.forwardUnknown !== false) {
    let extra: Record<string, unknown> | undefined;
    for (const key of Object.keys(b)) {
      if (HANDLED.has(key)) continue;
      (extra ??= {})[key] = (b as Record<string, unknown>)[key];
    }
    if (extra) request.extra = extra;
  }
  // The body schema holds every bound of ChatRequestSchema, so the result needs no second parse.
  return { request, stream: b.stream === true, includeUsage: b.stream_options?.include_usage === true };
}
