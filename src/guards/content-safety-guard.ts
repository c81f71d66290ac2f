// Internal: the NemoGuard content-safety family (NemoGuard 8B, Nemotron Safety Guard 8B v3):
// one instruction, the same JSON reply keys, and honest failures.
import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema } from '../types.js';
import { GuardModelOptionsSchema, guardChat, type GuardModelOptions } from './guard-chat.js';
import { guardCall, ReplyFormat } from './guard-failure.js';
import { parseNemoguard } from './nemoguard-parse.js';
import { lastExchange, nemoguardPrompt } from './nemoguard-prompt.js';
import type { CategoryVendor } from './taxonomy-maps.js';
import { omitUndefined } from '../internal/omit-undefined.js';

export interface ContentSafetySpec {
  /** The guard's name in errors and option paths, e.g. `nemoguard`. */
  guard: string;
  defaultModel: string;
  vendor: CategoryVendor;
}

/** A Guard for one model of the family: the last turn is judged (the user's, or the answer). */
export function contentSafetyGuard(spec: ContentSafetySpec, options: GuardModelOptions): Guard {
  const opts = validate(GuardModelOptionsSchema, options, `${spec.guard} options`);
  const { chat, model } = guardChat(opts, spec.defaultModel);
  const maxTokens = opts.maxTokens ?? 50; // NeMo Guardrails' cap for this call
  const format = new ReplyFormat(spec.guard, 'the JSON ratings of NemoGuard content safety ("User Safety", "Response Safety")');
  return {
    async check(input, callOptions = {}) {
      const conversation = validate(ConversationSchema, input, 'guard conversation');
      const request = omitUndefined({ messages: [{ role: 'user' as const, content: nemoguardPrompt(conversation) }], model, max_tokens: maxTokens, temperature: 0 });
      const completion = await guardCall(spec.guard, () => chat.generate(request, callOptions));
      const reading = parseNemoguard(completion.text, spec.vendor);
      const judgesResponse = lastExchange(conversation).response !== undefined;
      const safe = reading && (judgesResponse ? reading.responseSafe : reading.userSafe);
      // A reply in the format, only lacking the rating needed here, shows the model speaks it.
      if (reading) format.read();
      if (!reading || safe === undefined) return format.unreadable(completion.text, opts.failMode, completion.finishReason);
      return { safe, categories: safe ? [] : reading.categories, raw: completion.text };
    },
  };
}
