// The OpenAI chat wire format: request bodies out, completions and stream chunks in.
import { z } from 'zod';
import { StreamError, formatPath } from '../errors.js';
import type { ChatRequest, Completion, FinishReason, Usage } from '../types.js';
import { isWireCompletion } from './wire-check.js';

/** The JSON body for POST /chat/completions. `extra` goes last so callers can set any field. */
export function toWireBody(request: ChatRequest & { model: string }, stream: boolean): Record<string, unknown> {
  const { extra, ...fields } = request;
  return { ...fields, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}), ...extra };
}

const WireUsageSchema = z
  .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional(), total_tokens: z.number().optional() })
  .loose();

export const WireCompletionSchema = z
  .object({
    id: z.string().optional(),
    model: z.string().optional(),
    choices: z
      .array(z.object({ message: z.object({ content: z.string().nullish() }).loose(), finish_reason: z.string().nullish() }).loose())
      .min(1),
    usage: WireUsageSchema.nullish(),
  })
  .loose();

export const WireChunkSchema = z
  .object({
    id: z.string().optional(),
    model: z.string().optional(),
    choices: z
      .array(z.object({ delta: z.object({ content: z.string().nullish() }).loose().nullish(), finish_reason: z.string().nullish() }).loose())
      .optional(),
    usage: WireUsageSchema.nullish(),
  })
  .loose();
export type WireChunk = z.infer<typeof WireChunkSchema>;
export type WireCompletion = z.infer<typeof WireCompletionSchema>;

/** Reads a chat completion body; a body of the wrong shape is a StreamError('malformed'). */
export function parseCompletion(body: unknown): Completion {
  const { id, model, choices, usage } = isWireCompletion(body) ? body : parseWithZod(body);
  const choice = choices[0]!;
  return {
    ...(id !== undefined ? { id } : {}),
    ...(model !== undefined ? { model } : {}),
    text: choice.message.content ?? '',
    finishReason: toFinishReason(choice.finish_reason),
    ...(usage ? { usage: toUsage(usage) } : {}),
  };
}

function parseWithZod(body: unknown): WireCompletion {
  const parsed = WireCompletionSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`).join('; ');
  throw new StreamError('malformed', `Unexpected chat completion shape: ${where}`, { cause: parsed.error });
}

export function toUsage(usage: z.infer<typeof WireUsageSchema>): Usage {
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage.total_tokens ?? promptTokens + completionTokens };
}

export function toFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return reason;
    case 'function_call':
      return 'tool_calls';
    case 'eos':
    case 'stop_sequence':
      return 'stop';
    default:
      return 'other';
  }
}
