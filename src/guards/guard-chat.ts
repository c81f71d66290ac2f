// Internal: the shared options of LLM-backed guards (NemoGuard, Llama Guard) and how they find
// their ChatModel: a given `chat`, a given `client`, or a client made from baseURL / apiKey.
import * as z from 'zod';
import { createClient, RewardgateClient } from '../client/create-client.js';
import type { ChatModel } from '../interfaces.js';

export const GuardModelOptionsSchema = z
  .object({
    client: z.instanceof(RewardgateClient).optional(),
    baseURL: z.url().optional(),
    apiKey: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    chat: z.custom<ChatModel>((v) => typeof v === 'object' && v !== null && typeof (v as ChatModel).generate === 'function', 'expected a ChatModel').optional(),
    failMode: z.enum(['closed', 'open']).default('closed'),
    maxTokens: z.number().int().positive().optional(),
  })
  .strict()
  .refine((o) => [o.chat, o.client, o.baseURL ?? o.apiKey].filter((x) => x !== undefined).length <= 1, {
    message: 'pass one of chat, client, or baseURL/apiKey',
    path: ['chat'],
  });

/**
 * Options every LLM-backed guard takes.
 *
 * @example
 * const options: GuardModelOptions = { chat: fromOpenAI(openai, { model: 'llama-guard' }) };
 */
export interface GuardModelOptions {
  /** A rewardgate client to call the guard model with. */
  client?: RewardgateClient;
  /** Or the base URL and key of a NIM / OpenAI-compatible server (default: hosted NIM, `NVIDIA_API_KEY`). */
  baseURL?: string;
  apiKey?: string;
  /** The guard model's id. */
  model?: string;
  /** Or any ChatModel that serves the guard model (a local one, `fromOpenAI`...). */
  chat?: ChatModel;
  /**
   * A reply that cannot be parsed, once this guard has read one: `'closed'` (default) judges it
   * unsafe, `'open'` safe, both with `failedToParse: true`. While no reply was ever readable, an
   * unreadable one throws GuardConfigurationError (the model does not speak the guard's format).
   */
  failMode?: 'closed' | 'open';
  /** Cap on the guard's reply tokens. */
  maxTokens?: number;
}

/** The ChatModel to call and the model id to put in requests (none for a user's own `chat`). */
export function guardChat(opts: z.output<typeof GuardModelOptionsSchema>, defaultModel: string): { chat: ChatModel; model: string | undefined } {
  if (opts.chat) return { chat: opts.chat, model: opts.model };
  const client = opts.client ?? createClient({ ...(opts.baseURL ? { baseURL: opts.baseURL } : {}), ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) });
  const model = opts.model ?? defaultModel;
  return { chat: client.chatModel(model), model };
}

/** Removes a leading reasoning block (`<think>...</think>`); an unclosed one leaves nothing. */
export function stripThink(reply: string): string {
  const open = reply.indexOf('<think>');
  if (open === -1) return reply.trim();
  const close = reply.indexOf('</think>', open);
  if (close === -1) return '';
  return (reply.slice(0, open) + reply.slice(close + '</think>'.length)).trim();
}
