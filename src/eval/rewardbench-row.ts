import * as z from 'zod';
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
  id: z.union([z.string(), z.number()]).optional(),
  prompt: PromptSchema,
  chosen: z.string(),
  rejected: z.string(),
  subset: z.string().min(1).optional(),
});
/** One RewardBench (v1) row. */
export type RewardBenchRow = z.infer<typeof RewardBenchRowSchema>;
