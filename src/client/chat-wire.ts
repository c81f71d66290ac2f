// The client's side of the OpenAI chat wire: request bodies out, completions in. The shapes and
// the finish-reason / usage / tool-call maps live in src/wire, shared with the server side.
import { ResponseError, formatPath } from '../errors.js';
import { toWireMessage } from '../content.js';
import type { ChatRequest, Completion, Logprobs } from '../types.js';
import { WireChunkSchema, WireCompletionSchema, type WireChunk, type WireCompletion, type WireToolCall, type WireToolCallDelta } from '../wire/openai-shape.js';
import { toFinishReason, toToolCall, toUsage } from '../wire/openai-maps.js';
import { tryParse } from '../internal/validate.js';
import { isWireCompletion } from './wire-check.js';

export { WireChunkSchema, WireCompletionSchema, toFinishReason, toToolCall, toUsage };
export type { WireChunk, WireCompletion, WireToolCall, WireToolCallDelta };

/**
 * The JSON body for POST /chat/completions. `extra` goes last so callers can set any field.
 * Assistant `reasoning` is not sent back: OpenAI-style servers reject or ignore it.
 */
export function toWireBody(request: ChatRequest & { model: string }, stream: boolean): Record<string, unknown> {
  const { extra, ...fields } = request;
  if (fields.messages.some((m) => m.reasoning !== undefined)) fields.messages = fields.messages.map(toWireMessage);
  const streaming = stream ? { stream: true, stream_options: { include_usage: true } } : undefined;
  return { ...fields, ...streaming, ...extra };
}

/** Reads a chat completion body; a body of the wrong shape is a ResponseError('unexpected-shape'). */
export function parseCompletion(body: unknown): Completion {
  const { id, model, choices, usage } = isWireCompletion(body) ? body : parseWithZod(body);
  const choice = choices[0]!;
  const { message } = choice;
  const completion: Completion = { text: message.content ?? '', finishReason: toFinishReason(choice.finish_reason) };
  if (id !== undefined) completion.id = id;
  if (model !== undefined) completion.model = model;
  if (message.tool_calls?.length) completion.toolCalls = message.tool_calls.map(toToolCall);
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning) completion.reasoning = reasoning;
  if (choice.logprobs) completion.logprobs = choice.logprobs as Logprobs;
  if (usage) completion.usage = toUsage(usage);
  return completion;
}

function parseWithZod(body: unknown): WireCompletion {
  const parsed = tryParse(WireCompletionSchema, body);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`).join('; ');
  throw new ResponseError('unexpected-shape', `Unexpected chat completion shape: ${where}`, { cause: parsed.error });
}
