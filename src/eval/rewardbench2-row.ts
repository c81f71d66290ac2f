import * as z from 'zod/mini';
import { PromptSchema } from './prompt.js';

/**
 * One RewardBench 2 row (allenai/reward-bench-2): a prompt, the correct answers (`chosen`), the
 * incorrect ones (`rejected`), how many answers are correct (`num_correct`, default the length
 * of `chosen`), and the subset. Answers are scored in the order chosen, then rejected; the first
 * `num_correct` of them are the correct ones. Extra columns (`models`, `additional_metadata`, ...)
 * are kept.
 *
 * @example
 * const row = RewardBench2RowSchema.parse({ id: '7', prompt: 'q', chosen: ['a'], rejected: ['b', 'c', 'd'], num_correct: 1, subset: 'Math' });
 */
export const RewardBench2RowSchema = z
  .looseObject({
    id: z.optional(z.union([z.string(), z.number()])),
    prompt: PromptSchema,
    chosen: z.array(z.string()).check(z.minLength(1, 'needs at least one answer')),
    rejected: z.array(z.string()),
    num_correct: z.optional(z.int().check(z.minimum(1))),
    total_completions: z.optional(z.int().check(z.minimum(1))),
    subset: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.superRefine((row, ctx) => {
      const total = row.chosen.length + row.rejected.length;
      if (row.total_completions !== undefined && row.total_completions !== total) {
        ctx.addIssue({ code: 'custom', path: ['total_completions'], message: `is ${row.total_completions}, but chosen and rejected hold ${total} answers` });
      }
      if (row.num_correct !== undefined && row.num_correct > total) {
        ctx.addIssue({ code: 'custom', path: ['num_correct'], message: `is ${row.num_correct}, more than the ${total} answers` });
      }
    }),
  );
/** One RewardBench 2 row. */
export type RewardBench2Row = z.infer<typeof RewardBench2RowSchema>;
