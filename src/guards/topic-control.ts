import * as z from 'zod/mini';
import { turnText } from '../content.js';
import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Message, type Verdict } from '../types.js';
import { GuardModelOptionsSchema, guardChat, stripThink } from './guard-chat.js';
import { guardCall, ReplyFormat } from './guard-failure.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/**
 * The hosted Llama-3.1-NemoGuard-8B-TopicControl model id (topicControl()'s default).
 *
 * @example
 * topicControl({ rules, model: TOPIC_CONTROL_MODEL });
 */
export const TOPIC_CONTROL_MODEL = 'nvidia/llama-3.1-nemoguard-8b-topic-control';

/** The sentence the model was trained to see at the end of its system prompt. */
export const TOPIC_CONTROL_INSTRUCTION =
  'If any of the above conditions are violated, please respond with "off-topic". Otherwise, respond with "on-topic". You must respond with "on-topic" or "off-topic".';

/** The options of {@link topicControl}; the config file's `topicControl` guards are made from it. */
export const TopicControlOptionsSchema = z.extend(GuardModelOptionsSchema, {
  /** The app's topic rules (the system prompt); the model's fixed instruction sentence is appended. */
  rules: z.string().check(z.trim(), z.minLength(1, 'give the topic rules')),
});

/**
 * Options of {@link topicControl}.
 *
 * @example
 * const options: TopicControlOptions = { rules: 'You are a banking assistant. Only discuss accounts and cards.' };
 * @interface
 */
export type TopicControlOptions = z.input<typeof TopicControlOptionsSchema>;

/**
 * A Guard on Llama-3.1-NemoGuard-8B-TopicControl: the rules as the system prompt, ending with the
 * model's instruction sentence, then the conversation; the model answers `on-topic` or
 * `off-topic` (category `off_topic`). Called at temperature 0.01 and max_tokens 10, as NVIDIA's
 * rails call it. It judges the user's turns: use it on the input rail (on the output rail the
 * answer is part of what it reads). Fails honestly, as {@link nemoguard} does.
 *
 * @example
 * const guard = topicControl({ rules: 'You are a cooking assistant. Do not discuss politics.', apiKey });
 * await guard.check([{ role: 'user', content: 'Who should I vote for?' }]); // { safe: false, categories: [{ category: 'off_topic', label: 'off-topic' }] }
 */
export function topicControl(options: TopicControlOptions): Guard {
  // No options at all reads as missing rules, the one option without a default.
  const opts = validate(TopicControlOptionsSchema, options ?? {}, 'topicControl options');
  const { rules } = opts;
  const { chat, model } = guardChat(opts, TOPIC_CONTROL_MODEL);
  const system = topicControlSystemPrompt(rules);
  const format = new ReplyFormat('topicControl', '`on-topic` or `off-topic`');
  return {
    async check(input, callOptions = {}) {
      const conversation = validate(ConversationSchema, input, 'guard conversation');
      const messages: Message[] = [{ role: 'system', content: system }, ...asTextTurns(conversation)];
      const request = omitUndefined({ messages, model, max_tokens: opts.maxTokens ?? 10, temperature: 0.01 });
      const completion = await guardCall('topicControl', () => chat.generate(request, callOptions));
      const onTopic = parseTopicControl(completion.text);
      if (onTopic === undefined) return format.unreadable(completion.text, opts.failMode, completion.finishReason);
      format.read();
      const verdict: Verdict = { safe: onTopic, categories: onTopic ? [] : [{ category: 'off_topic', label: 'off-topic' }], raw: completion.text };
      return verdict;
    },
  };
}

/** The rules with the instruction sentence at the end (not repeated when the rules end with it). */
export function topicControlSystemPrompt(rules: string): string {
  const trimmed = rules.trim();
  return trimmed.endsWith(TOPIC_CONTROL_INSTRUCTION) ? trimmed : `${trimmed}\n\n${TOPIC_CONTROL_INSTRUCTION}`;
}

/** true for `on-topic`, false for `off-topic` (quotes, fences, case, a `<think>` block tolerated); else undefined. */
export function parseTopicControl(reply: string): boolean | undefined {
  const body = stripThink(reply).replace(/```[a-z]*/gi, ' ');
  const match = /^[\s"'`*.]*(on|off)[\s_-]?topic\b/i.exec(body);
  if (!match) return undefined;
  return match[1]!.toLowerCase() === 'on';
}

// The app's system prompt is replaced by the rules; tool calls become text (turnText).
function asTextTurns(conversation: readonly Message[]): Message[] {
  return conversation.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => ({ role: m.role, content: turnText(m) }));
}
