import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import { createClient, RewardgateClient } from '../client/create-client.js';
import { RewardWeightsSchema, ScoredConversationSchema } from '../client/reward-schemas.js';
import { messageText, turnText } from '../content.js';
import { validate } from '../internal/validate.js';
import type { Message, Score } from '../types.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/** NIM reward models accept 4,096 tokens per conversation. */
const NIM_REWARD_MAX_TOKENS = 4_096;

// What nimReward needs from a tokenizer.
type TokenCounter = {
  /** Tokens of the conversation as the reward model counts them. */
  count(messages: Message[]): number;
};

/** The options of {@link nimReward}; the config file's `nim` scorers are made from it. */
export const NimRewardOptionsSchema = z
  .strictObject({
    /** A rewardgate client to call the reward model with. */
    client: z.optional(z.instanceof(RewardgateClient)),
    /** Or the base URL of a NIM (default: hosted NIM, `NVIDIA_API_KEY`). */
    baseURL: z.optional(z.url()),
    /** The key of that server, sent as `Authorization: Bearer`. */
    apiKey: z.optional(z.string().check(z.minLength(1))),
    /** e.g. `nvidia/llama-3.1-nemotron-70b-reward` or `nvidia/nemotron-4-340b-reward`. */
    model: z.string().check(z.minLength(1)),
    /**
     * Attribute weights: `value` of a multi-attribute answer is their weighted sum. The HelpSteer2
     * names (Nemotron-4-340B-Reward) default to the model card's; every other attribute needs one.
     */
    weights: z.optional(RewardWeightsSchema),
    /** Requests in flight at once (default 4). */
    concurrency: z.optional(z.int().check(z.positive(), z.maximum(64))),
    /** Counts tokens to reject an over-long conversation before it is sent. */
    tokenizer: z.optional(z.custom<TokenCounter>((v) => typeof (v as { count?: unknown } | undefined)?.count === 'function', 'expected an object with count(messages)')),
    /** Token limit checked with `tokenizer` (default 4,096). */
    maxTokens: z.optional(z.int().check(z.positive())),
  })
  .check(z.refine((o) => !(o.client && (o.baseURL || o.apiKey)), { message: 'pass either client or baseURL/apiKey, not both', path: ['client'] }));

/**
 * Options of {@link nimReward}: a client, or the `baseURL` / `apiKey` to create one.
 * @example
 * const options: NimRewardOptions = { model: 'nvidia/nemotron-4-340b-reward', concurrency: 8, weights: { verbosity: 0 } };
 * @interface
 */
export type NimRewardOptions = z.input<typeof NimRewardOptionsSchema>;

/**
 * A Scorer backed by a NIM reward model (batch-first, bounded concurrency). The reward NIM takes
 * text turns, so each conversation is sent as text (see `rewardTextTurns`): an answer that
 * calls tools is scored on its text and its calls in the `<tool_call>` form of `turnText`.
 * @example
 * const scorer = nimReward({ model: 'nvidia/llama-3.1-nemotron-70b-reward' });
 * const [a, b] = await scorer.score([[user, answerA], [user, answerB]]);
 */
export function nimReward(options: NimRewardOptions): Scorer {
  const valid = validate(NimRewardOptionsSchema, options, 'nimReward options');
  const client =
    options.client ?? createClient(omitUndefined({ baseURL: valid.baseURL, apiKey: valid.apiKey }));
  const maxTokens = valid.maxTokens ?? NIM_REWARD_MAX_TOKENS;
  return {
    async score(conversations: Message[][], callOptions: CallOptions = {}): Promise<Score[]> {
      const checked = validate(z.array(ScoredConversationSchema), conversations, 'conversations');
      const texts = checked.map(rewardTextTurns);
      if (options.tokenizer) checkTokens(texts, options.tokenizer, maxTokens);
      return client.reward.scoreBatch(
        omitUndefined({ model: valid.model, conversations: texts, weights: valid.weights, concurrency: valid.concurrency }),
        callOptions,
      );
    },
  };
}

function checkTokens(conversations: Message[][], tokenizer: { count(messages: Message[]): number }, maxTokens: number): void {
  const issues = conversations.flatMap((messages, i) => {
    const tokens = tokenizer.count(messages);
    return tokens > maxTokens ? [{ path: `[${i}]`, message: `${tokens} tokens exceed the ${maxTokens}-token limit of NIM reward models` }] : [];
  });
  if (issues.length > 0) throw new ValidationError('conversations', issues, { code: 'context_length_exceeded' });
}

/**
 * A conversation as the text turns a reward NIM takes. Content parts become their text; an
 * assistant turn is its text and then its tool calls, one `<tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>`
 * block each (`turnText`); a tool result becomes a user turn `<tool_response>\n...\n</tool_response>`
 * (the Hermes / Qwen form that goes with `<tool_call>`). The reasoning of the last turn, the answer
 * being scored, is included (first, between `<think>` tags) only when that turn carries it, as
 * the pipeline's `scoreReasoning` asks; earlier turns' reasoning is left out, as chat templates do.
 *
 * @example
 * rewardTextTurns([{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', content: null, tool_calls: [call] }]);
 * // [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', content: '<tool_call>\n{"name": "get_weather", ...}\n</tool_call>' }]
 */
export function rewardTextTurns(conversation: readonly Message[]): Message[] {
  const last = conversation.length - 1;
  return conversation.map((m, i): Message => {
    if (m.role === 'tool') return { role: 'user', content: `<tool_response>\n${messageText(m)}\n</tool_response>` };
    if (m.role === 'assistant') return { role: 'assistant', content: turnText(m, { reasoning: i === last }) };
    // Plain text turns go as they are (no copy): the common case costs nothing.
    return typeof m.content === 'string' && m.name === undefined ? m : { role: m.role, content: messageText(m) };
  });
}
