import * as z from 'zod/mini';
import { PromptSchema } from './prompt.js';

/**
 * One RewardBench (v1) row: a prompt (a string or a messages array), a chosen and a rejected
 * answer, and the subset it belongs to (rows without one are counted under the evaluation's
 * default subset). Extra columns (`chosen_model`, `rejected_model`, ...) are kept.
 *
 * @example
 * const row = RewardBenchRowSchema.parse(JSON.parse(line));
 */
export const RewardBenchRowSchema = z.looseObject({
  id: z.optional(z.union([z.string(), z.number()])),
  prompt: PromptSchema,
  chosen: z.string(),
  rejected: z.string(),
  subset: z.optional(z.string().check(z.minLength(1))),
});
/** One RewardBench (v1) row. */
export type RewardBenchRow = z.infer<typeof RewardBenchRowSchema>;
