import { z } from 'zod';
import { MessageSchema } from '../types.js';

/** The attribute weights a caller may override (strict: a misspelt attribute is an error). */
export const RewardWeightsSchema = z
  .object({
    helpfulness: z.number(),
    correctness: z.number(),
    coherence: z.number(),
    complexity: z.number(),
    verbosity: z.number(),
  })
  .partial()
  .strict();

/** A conversation to score: the last turn is the assistant's answer being judged. */
export const ScoredConversationSchema = z
  .array(MessageSchema)
  .min(1, 'a conversation needs at least one message')
  .superRefine((messages, ctx) => {
    const last = messages.at(-1);
    if (last && last.role !== 'assistant') {
      ctx.addIssue({ code: 'custom', path: [messages.length - 1, 'role'], message: "the last message must be the assistant's answer to score" });
    }
  });

export const RewardRequestSchema = z
  .object({ model: z.string().min(1), messages: ScoredConversationSchema, weights: RewardWeightsSchema.optional() })
  .strict();

export const RewardBatchRequestSchema = z
  .object({
    model: z.string().min(1),
    conversations: z.array(ScoredConversationSchema),
    weights: RewardWeightsSchema.optional(),
    concurrency: z.number().int().positive().max(64).optional(),
  })
  .strict();

/**
 * `client.reward.score` input. `weights` overrides the Nemotron-4-340B-Reward attribute weights.
 * @example
 * const request: RewardRequest = { model: 'nvidia/nemotron-4-340b-reward', messages: [user, assistant], weights: { verbosity: 0 } };
 */
export type RewardRequest = z.input<typeof RewardRequestSchema>;
/**
 * `client.reward.scoreBatch` input; `concurrency` bounds requests in flight (default 4).
 * @example
 * const batch: RewardBatchRequest = { model: 'nvidia/llama-3.1-nemotron-70b-reward', conversations: [[user, a], [user, b]], concurrency: 2 };
 */
export type RewardBatchRequest = z.input<typeof RewardBatchRequestSchema>;
