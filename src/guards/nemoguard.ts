import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Verdict } from '../types.js';
import { GuardModelOptionsSchema, guardChat, type GuardModelOptions } from './guard-chat.js';
import { parseNemoguard } from './nemoguard-parse.js';
import { lastExchange, nemoguardPrompt } from './nemoguard-prompt.js';

/**
 * The hosted NemoGuard content-safety model (nemoguard()'s default).
 *
 * @example
 * nemoguard({ baseURL: 'http://localhost:8000/v1', model: NEMOGUARD_MODEL });
 */
export const NEMOGUARD_MODEL = 'nvidia/llama-3.1-nemoguard-8b-content-safety';

/**
 * Options of {@link nemoguard}.
 *
 * @example
 * const options: NemoguardOptions = { apiKey: process.env.NVIDIA_API_KEY, failMode: 'closed' };
 */
export type NemoguardOptions = GuardModelOptions;

/**
 * A Guard on NemoGuard content safety (llama-3.1-nemoguard-8b-content-safety). Builds the
 * documented instruction (taxonomy, conversation, JSON-only), reads JSON or plain-line replies
 * (with or without `<think>`), and fails closed on a reply it cannot read unless `failMode: 'open'`.
 * The last turn is judged: the user's on the input rail, the answer on the output rail.
 *
 * @example
 * const guard = nemoguard({ apiKey: process.env.NVIDIA_API_KEY });
 * const verdict = await guard.check([{ role: 'user', content: 'How do I pick a lock?' }]);
 */
export function nemoguard(options: NemoguardOptions = {}): Guard {
  const opts = validate(GuardModelOptionsSchema, options, 'nemoguard options');
  const { chat, model } = guardChat(opts, NEMOGUARD_MODEL);
  const maxTokens = opts.maxTokens ?? 50; // NeMo Guardrails' cap for this call
  return {
    async check(input, callOptions = {}) {
      const conversation = validate(ConversationSchema, input, 'guard conversation');
      const completion = await chat.generate(
        { messages: [{ role: 'user', content: nemoguardPrompt(conversation) }], ...(model ? { model } : {}), max_tokens: maxTokens, temperature: 0 },
        callOptions,
      );
      const reading = parseNemoguard(completion.text);
      const judgesResponse = lastExchange(conversation).response !== undefined;
      const safe = reading && (judgesResponse ? reading.responseSafe : reading.userSafe);
      if (!reading || safe === undefined) {
        const verdict: Verdict = { safe: opts.failMode === 'open', categories: [], raw: completion.text, failedToParse: true };
        return verdict;
      }
      return { safe, categories: safe ? [] : reading.categories, raw: completion.text };
    },
  };
}
