// Internal: the shared options of LLM-backed guards (NemoGuard, Llama Guard) and how they find
// their ChatModel: a given `chat`, a given `client`, or a client made from baseURL / apiKey.
import * as z from 'zod/mini';
import { createClient, RewardgateClient } from '../client/create-client.js';
import type { ChatModel } from '../interfaces.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/** The options every LLM-backed guard takes; each guard's own schema extends it. */
export const GuardModelOptionsSchema = z
  .strictObject({
    /** A rewardgate client to call the guard model with. */
    client: z.optional(z.instanceof(RewardgateClient)),
    /** Or the base URL of a NIM / OpenAI-compatible server (default: hosted NIM, `NVIDIA_API_KEY`). */
    baseURL: z.optional(z.url()),
    /** The key of that server, sent as `Authorization: Bearer`. */
    apiKey: z.optional(z.string().check(z.minLength(1))),
    /** The guard model's id. */
    model: z.optional(z.string().check(z.minLength(1))),
    /** Or any ChatModel that serves the guard model (a local one, `fromOpenAI`...). */
    chat: z.optional(z.custom<ChatModel>((v) => typeof v === 'object' && v !== null && typeof (v as ChatModel).generate === 'function', 'expected a ChatModel')),
    /**
     * A reply that cannot be parsed, once this guard has read one: `'closed'` (default) judges it
     * unsafe, `'open'` safe, both with `failedToParse: true`. While no reply was ever readable, an
     * unreadable one throws GuardConfigurationError (the model does not speak the guard's format).
     */
    failMode: z._default(z.enum(['closed', 'open']), 'closed'),
    /** Cap on the guard's reply tokens. */
    maxTokens: z.optional(z.int().check(z.positive())),
  })
  .check(
    z.refine((o) => [o.chat, o.client, o.baseURL ?? o.apiKey].filter((x) => x !== undefined).length <= 1, {
      message: 'pass one of chat, client, or baseURL/apiKey',
      path: ['chat'],
    }),
  );

/**
 * Options every LLM-backed guard takes.
 *
 * @example
 * const options: GuardModelOptions = { chat: fromOpenAI(openai, { model: 'llama-guard' }) };
 * @interface
 */
export type GuardModelOptions = z.input<typeof GuardModelOptionsSchema>;

/** The ChatModel to call and the model id to put in requests (none for a user's own `chat`). */
export function guardChat(opts: z.output<typeof GuardModelOptionsSchema>, defaultModel: string): { chat: ChatModel; model: string | undefined } {
  if (opts.chat) return { chat: opts.chat, model: opts.model };
  const client = opts.client ?? createClient(omitUndefined({ baseURL: opts.baseURL, apiKey: opts.apiKey }));
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
