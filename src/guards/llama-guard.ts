import * as z from 'zod/mini';
import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type CategoryHit, type Message, type Verdict } from '../types.js';
import { GuardModelOptionsSchema, guardChat, stripThink } from './guard-chat.js';
import { guardCall, ReplyFormat } from './guard-failure.js';
import { llamaGuardPrompt, llamaGuardTurns } from './llama-guard-prompt.js';
import { mapCategory } from './taxonomy-maps.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/**
 * The hosted Llama Guard 3 model id (llamaGuard()'s default).
 *
 * @example
 * llamaGuard({ apiKey, model: LLAMA_GUARD_MODEL });
 */
export const LLAMA_GUARD_MODEL = 'meta/llama-guard-3-8b';

/** The options of {@link llamaGuard}; the config file's `llamaGuard` guards are made from it. */
export const LlamaGuardOptionsSchema = z.extend(GuardModelOptionsSchema, {
  /**
   * `'chat-template'` (default): send the conversation; the server's Llama Guard chat template
   * builds the prompt (NIM, vLLM). `'instruction'`: send the documented instruction as one message.
   */
  prompt: z._default(z.enum(['chat-template', 'instruction']), 'chat-template'),
});

/**
 * Options of {@link llamaGuard}.
 *
 * @example
 * const options: LlamaGuardOptions = { baseURL: 'http://localhost:8000/v1', prompt: 'instruction' };
 * @interface
 */
export type LlamaGuardOptions = z.input<typeof LlamaGuardOptionsSchema>;

/**
 * A Guard on Llama Guard 3: the reply's first line is `safe` or `unsafe`, the next the S-codes
 * (`unsafe\nS1,S10`), mapped onto the taxonomy with the code kept as the label. Fails honestly
 * (GuardConfigurationError / GuardUnavailableError); a rare unreadable reply follows `failMode`.
 *
 * @example
 * const guard = llamaGuard({ baseURL: 'http://localhost:8000/v1', model: 'meta-llama/Llama-Guard-3-8B' });
 */
export function llamaGuard(options: LlamaGuardOptions = {}): Guard {
  const opts = validate(LlamaGuardOptionsSchema, options, 'llamaGuard options');
  const { chat, model } = guardChat(opts, LLAMA_GUARD_MODEL);
  const format = new ReplyFormat('llamaGuard', "Llama Guard's `safe` / `unsafe` lines");
  return {
    async check(input, callOptions = {}) {
      const conversation = validate(ConversationSchema, input, 'guard conversation');
      const messages: Message[] =
        opts.prompt === 'instruction' ? [{ role: 'user', content: llamaGuardPrompt(conversation) }] : asTextTurns(conversation);
      const request = omitUndefined({ messages, model, max_tokens: opts.maxTokens ?? 20, temperature: 0 });
      const completion = await guardCall('llamaGuard', () => chat.generate(request, callOptions));
      const parsed = parseLlamaGuard(completion.text);
      if (!parsed) return format.unreadable(completion.text, opts.failMode, completion.finishReason);
      format.read();
      return { ...parsed, raw: completion.text } satisfies Verdict;
    },
  };
}

/** `safe`, or `unsafe` plus codes; undefined when the first line is neither. */
export function parseLlamaGuard(reply: string): { safe: boolean; categories: CategoryHit[] } | undefined {
  const lines = stripThink(reply).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const first = lines[0]?.toLowerCase();
  if (first === 'safe') return { safe: true, categories: [] };
  if (first !== 'unsafe') return undefined;
  const codes = (lines[1] ?? '').match(/S\d+/gi) ?? [];
  return { safe: false, categories: codes.map((c) => mapCategory('llama-guard', c.toUpperCase())) };
}

// The server applies Llama Guard's template to plain text turns: tool calls become text (turnText),
// a last tool result a user turn (see llamaGuardTurns).
const asTextTurns = llamaGuardTurns;
