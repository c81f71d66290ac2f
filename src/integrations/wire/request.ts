import * as z from 'zod/mini';
import { ValidationError } from '../../errors.js';
import { ResponseFormatSchema, ToolChoiceSchema, ToolSchema, type ChatRequest, type Message } from '../../types.js';
import { WireRequestMessageSchema, type WireRequestMessage } from '../../wire/openai-shape.js';
import { tryParse } from '../../internal/validate.js';
import { isPlainChatBody } from './request-check.js';

/**
 * The body of an OpenAI `POST /v1/chat/completions` request, as far as rewardgate reads it:
 * messages with content parts and tool calls, tools, and the sampling fields. Unknown fields are
 * tolerated (see {@link toChatRequest} for what happens to them). Built once at load: parsing a
 * body is the proxy's hot path, the schema is never rebuilt per request.
 *
 * @example
 * const ok = OpenAIChatBodySchema.safeParse(body).success;
 */
export const OpenAIChatBodySchema = z.looseObject({
  messages: z.array(WireRequestMessageSchema).check(z.minLength(1, 'a conversation needs at least one message')),
  model: z.optional(z.string().check(z.minLength(1))),
  temperature: z.nullish(z.number().check(z.minimum(0), z.maximum(2))),
  top_p: z.nullish(z.number().check(z.gt(0), z.maximum(1))),
  max_tokens: z.nullish(z.int().check(z.positive())),
  max_completion_tokens: z.nullish(z.int().check(z.positive())),
  seed: z.nullish(z.int()),
  stop: z.nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(16))])),
  // One chosen answer per request: fan-out belongs to bestOfN, not to the wire.
  n: z.nullish(z.literal(1, { error: 'n > 1 is not supported: the pipeline answers with one chosen completion (use bestOfN to sample several)' })),
  stream: z.nullish(z.boolean()),
  stream_options: z.nullish(z.looseObject({ include_usage: z.nullish(z.boolean()) })),
  tools: z.nullish(z.array(ToolSchema)),
  tool_choice: z.nullish(ToolChoiceSchema),
  parallel_tool_calls: z.nullish(z.boolean()),
  response_format: z.nullish(ResponseFormatSchema),
  logprobs: z.nullish(z.boolean()),
  top_logprobs: z.nullish(z.int().check(z.minimum(0), z.maximum(20))),
  reasoning_effort: z.nullish(z.enum(['none', 'minimal', 'low', 'medium', 'high'])),
  // The legacy function-calling fields: answers would come back in `function_call`, which no layer reads.
  functions: z.nullish(z.array(z.unknown()).check(z.maxLength(0, 'legacy function calling is not supported: use `tools`'))),
});
/** An OpenAI chat-completions request body, as parsed by {@link OpenAIChatBodySchema}. */
export type OpenAIChatBody = z.infer<typeof OpenAIChatBodySchema>;

/** What a wire request asks for besides the ChatRequest itself. */
export interface WireRequest {
  request: ChatRequest;
  stream: boolean;
  includeUsage: boolean;
}

// Fields read into the ChatRequest as they are (nulls count as absent).
const COPIED = [
  'model', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'tools', 'tool_choice',
  'parallel_tool_calls', 'response_format', 'logprobs', 'top_logprobs', 'reasoning_effort',
] as const;
// Fields handled here; everything else is forwarded to the model in `extra`.
const HANDLED = new Set<string>([...COPIED, 'messages', 'n', 'stream', 'stream_options', 'functions', 'function_call']);

/**
 * Turns an OpenAI chat-completions body into a ChatRequest, faithfully: content parts, tool calls,
 * `tool_call_id`, `name`, tools and every sampling field are kept as sent (`max_completion_tokens`
 * stays apart from `max_tokens`). `developer` turns become `system`, an assistant turn's
 * `reasoning_content` becomes its `reasoning`, nulls count as absent, and unknown fields (`nvext`,
 * `top_k`, `user`...) are forwarded in `extra`. Throws a ValidationError naming each bad path
 * (`messages[0].content[1].image_url.url`).
 *
 * @example
 * const { request, stream } = toChatRequest(await req.json());
 */
export function toChatRequest(body: unknown, options: { forwardUnknown?: boolean } = {}): WireRequest {
  return fromChatBody(isPlainChatBody(body) ? body : parseChatBody(body), options);
}

// With our English issue messages (zod/mini loads no locale): 'expected string, received number'.
function parseChatBody(body: unknown): OpenAIChatBody {
  const parsed = tryParse(OpenAIChatBodySchema, body);
  if (!parsed.success) throw ValidationError.fromZod('chat completion request', parsed.error);
  return parsed.data;
}

/** @internal The WireRequest of a body the schema accepts (zod's output, or a body {@link isPlainChatBody} passed as it is). */
export function fromChatBody(b: OpenAIChatBody, options: { forwardUnknown?: boolean } = {}): WireRequest {
  const request: ChatRequest = { messages: b.messages.map(toMessage) };
  const into = request as Record<string, unknown>;
  for (const key of COPIED) if (b[key] != null) into[key] = b[key];
  // zod's output holds its own copy of the list; a body passed as it is keeps the caller's.
  if (Array.isArray(request.stop)) request.stop = [...request.stop];
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

// A wire turn as a Message. An assistant turn with neither text nor calls gets '' (some clients
// send null there); an empty `tool_calls` list asks for nothing and is dropped.
function toMessage(m: WireRequestMessage): Message {
  const role = m.role === 'developer' ? 'system' : m.role;
  const calls = m.tool_calls?.length ? m.tool_calls : undefined;
  const message: Message = { role, content: m.content ?? (calls ? null : '') };
  if (m.name !== undefined) message.name = m.name;
  if (calls) message.tool_calls = calls;
  if (m.tool_call_id !== undefined) message.tool_call_id = m.tool_call_id;
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (role === 'assistant' && reasoning) message.reasoning = reasoning;
  return message;
}
