import * as z from 'zod/mini';
import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Verdict } from '../types.js';
import { contentSafetyReasoningPrompt, CONTENT_SAFETY_REASONING_POLICY, parseContentSafetyReasoning } from './content-safety-reasoning-prompt.js';
import { GuardModelOptionsSchema, guardChat } from './guard-chat.js';
import { guardCall, ReplyFormat } from './guard-failure.js';
import { lastExchange } from './nemoguard-prompt.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/**
 * The Nemotron-Content-Safety-Reasoning-4B model id (contentSafetyReasoning()'s default; the
 * name vLLM serves it under).
 *
 * @example
 * contentSafetyReasoning({ baseURL: 'http://localhost:8001/v1', model: CONTENT_SAFETY_REASONING_MODEL });
 */
export const CONTENT_SAFETY_REASONING_MODEL = 'nvidia/Nemotron-Content-Safety-Reasoning-4B';

/** The options of {@link contentSafetyReasoning}; the config file's `contentSafetyReasoning` guards are made from it. */
export const ContentSafetyReasoningOptionsSchema = z.extend(GuardModelOptionsSchema, {
  /** The app's own policy: the harmful categories, one per line (default: the model card's 22). */
  policy: z.optional(z.string().check(z.trim(), z.minLength(1, 'give the policy text'))),
  /** `/think` (true: a reasoning trace first, slower, better on novel policies) or `/no_think` (default). */
  reasoning: z._default(z.boolean(), false),
});

/**
 * Options of {@link contentSafetyReasoning}.
 *
 * @example
 * const options: ContentSafetyReasoningOptions = { policy: 'S1: Competitor products.\nS2: Medical advice.', reasoning: true };
 * @interface
 */
export type ContentSafetyReasoningOptions = z.input<typeof ContentSafetyReasoningOptionsSchema>;

/**
 * A Guard on Nemotron-Content-Safety-Reasoning-4B, judging against the app's own `policy`. The
 * reply (`Prompt harm: harmful|unharmful`, `Response harm: ...`, after a `<think>` block when
 * `reasoning` is on) decides: the prompt's rating on the input rail, the response's on the
 * output rail. The model names no category: a harmful verdict is `other`, labelled
 * `Prompt harm` / `Response harm`. The reasoning stays in `raw` and nowhere else. Fails
 * honestly, as {@link nemoguard} does.
 *
 * @example
 * const guard = contentSafetyReasoning({ policy: 'S1: Talking about competitors.', reasoning: true, baseURL: 'http://localhost:8001/v1' });
 */
export function contentSafetyReasoning(options: ContentSafetyReasoningOptions = {}): Guard {
  const opts = validate(ContentSafetyReasoningOptionsSchema, options, 'contentSafetyReasoning options');
  const { chat, model } = guardChat(opts, CONTENT_SAFETY_REASONING_MODEL);
  const policy = opts.policy ?? CONTENT_SAFETY_REASONING_POLICY;
  // NeMo Guardrails allows 400 tokens; without reasoning the two lines need far fewer.
  const maxTokens = opts.maxTokens ?? (opts.reasoning ? 400 : 40);
  const format = new ReplyFormat('contentSafetyReasoning', '`Prompt harm: ...` / `Response harm: ...` lines');
  return {
    async check(input, callOptions = {}) {
      const conversation = validate(ConversationSchema, input, 'guard conversation');
      const prompt = contentSafetyReasoningPrompt(conversation, policy, opts.reasoning);
      const request = omitUndefined({ messages: [{ role: 'user' as const, content: prompt }], model, max_tokens: maxTokens, temperature: 0 });
      const completion = await guardCall('contentSafetyReasoning', () => chat.generate(request, callOptions));
      const reading = parseContentSafetyReasoning(completion.text);
      const judgesResponse = lastExchange(conversation).response !== undefined;
      const harmful = judgesResponse ? reading?.response : reading?.prompt;
      if (reading) format.read();
      if (harmful === undefined || harmful === null) return format.unreadable(completion.text, opts.failMode, completion.finishReason);
      const label = judgesResponse ? 'Response harm' : 'Prompt harm';
      const verdict: Verdict = { safe: !harmful, categories: harmful ? [{ category: 'other', label }] : [], raw: completion.text };
      return verdict;
    },
  };
}
