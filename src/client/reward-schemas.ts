import * as z from 'zod/mini';
import { MessageSchema } from '../types.js';

/**
 * Attribute weights by name: the HelpSteer2 names override the model card's, any other name
 * (a multi-label model's) adds its own. A name the answer lacks is an error when it is read.
 */
// (zod numbers are finite: Infinity and NaN are rejected.)
export const RewardWeightsSchema = z.record(z.string().check(z.minLength(1)), z.number()).check(
  z.superRefine((weights, ctx) => {
    // A near miss of a HelpSteer2 name is a typo, caught now rather than at every score.
    for (const name of Object.keys(weights)) {
      const near = HELPSTEER.find((h) => h !== name && distance(h, name.toLowerCase()) <= 2);
      if (near) ctx.addIssue({ code: 'custom', path: [name], message: `not an attribute: did you mean "${near}"?` });
    }
  }),
);

const HELPSTEER = ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity'];

// Levenshtein distance (the names are short).
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

/** A conversation to score: the last turn is the assistant's answer being judged. */
export const ScoredConversationSchema = z.array(MessageSchema).check(
  z.minLength(1, 'a conversation needs at least one message'),
  z.superRefine((messages, ctx) => {
    const last = messages.at(-1);
    if (last && last.role !== 'assistant') {
      ctx.addIssue({ code: 'custom', path: [messages.length - 1, 'role'], message: "the last message must be the assistant's answer to score" });
    }
  }),
);

export const RewardRequestSchema = z.strictObject({ model: z.string().check(z.minLength(1)), messages: ScoredConversationSchema, weights: z.optional(RewardWeightsSchema) });

export const RewardBatchRequestSchema = z.strictObject({
  model: z.string().check(z.minLength(1)),
  conversations: z.array(ScoredConversationSchema),
  weights: z.optional(RewardWeightsSchema),
  concurrency: z.optional(z.int().check(z.positive(), z.maximum(64))),
});

/**
 * `client.reward.score` input. `weights` sets attribute weights (HelpSteer2 defaults, or any attribute's name).
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
