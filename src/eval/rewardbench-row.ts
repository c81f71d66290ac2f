import { z } from 'zod';

/**
 * One RewardBench row: a prompt, a chosen and a rejected answer, and the subset it belongs to.
 * Extra columns (`chosen_model`, `rejected_model`, ...) are kept.
 *
 * @example
 * const row = RewardBenchRowSchema.parse(JSON.parse(line));
 */
export const RewardBenchRowSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  prompt: z.string(),
  chosen: z.string(),
  rejected: z.string(),
  subset: z.string().min(1),
});
export type RewardBenchRow = z.infer<typeof RewardBenchRowSchema>;
