// Internal: the two rails' shared steps (options schema, judging, refusing).
import { z } from 'zod';
import { GuardrailError } from '../errors.js';
import { CategorySchema } from '../guards/taxonomy.js';
import type { Completion, Message, Verdict } from '../types.js';
import { GuardSchema } from './option-schemas.js';
import { DEFAULT_REFUSAL, refusalCompletion } from './refusal.js';
import type { PipelineContext } from './types.js';

export const SafetySchema = z
  .object({
    guard: GuardSchema,
    input: z.boolean().default(true),
    output: z.boolean().default(true),
    refusal: z.string().min(1).default(DEFAULT_REFUSAL),
    categories: z.array(CategorySchema).min(1).optional(),
    failMode: z.enum(['closed', 'open']).default('closed'),
    throwOnRefusal: z.boolean().default(false),
    holdBack: z.union([z.number().int().positive(), z.literal('sentence'), z.literal('all')]).default('sentence'),
  })
  .strict()
  .refine((o) => o.input || o.output, { message: 'enable at least one of input and output', path: ['input'] });

/** The validated options of safety(). */
export type SafetyConfig = z.output<typeof SafetySchema>;

/** Runs the guard; returns the blocking verdict's description, or undefined when the text passes. */
export async function judge(ctx: PipelineContext, opts: SafetyConfig, conversation: Message[], rail: 'input' | 'output', completion?: Completion): Promise<string | undefined> {
  let verdict: Verdict;
  let guardError: unknown;
  try {
    verdict = await opts.guard.check(conversation, { signal: ctx.signal });
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    guardError = error;
    verdict = { safe: opts.failMode === 'open', categories: [] };
  }
  ctx.report.verdict(rail, 'safety', verdict, completion, guardError);
  if (verdict.safe) return undefined;
  const hits = opts.categories ? verdict.categories.filter((c) => opts.categories!.includes(c.category)) : verdict.categories;
  // With a category filter, an unsafe verdict naming only other categories passes.
  if (opts.categories && verdict.categories.length > 0 && hits.length === 0) return undefined;
  if (guardError !== undefined) return `the guard failed (${guardError instanceof Error ? guardError.message : String(guardError)}); failing closed`;
  const labels = hits.map((h) => (h.label === h.category ? h.category : `${h.category} (${h.label})`)).join(', ');
  const parse = verdict.failedToParse ? 'the guard reply could not be parsed; failing closed' : '';
  return [labels ? `unsafe: ${labels}` : 'unsafe', parse].filter(Boolean).join('; ');
}

/**
 * Records the refusal (on the blocked candidate too: its `completion`, or its index) and returns
 * it as a completion, or throws when asked to.
 */
export function refuse(ctx: PipelineContext, opts: SafetyConfig, rail: 'input' | 'output', why: string, blocked?: Completion | number): Completion {
  const reason = `${rail} blocked: ${why}`;
  const about = typeof blocked === 'number' ? { candidate: blocked } : blocked ? { completion: blocked } : {};
  ctx.report.reject('safety', reason, { refused: true, ...about });
  if (opts.throwOnRefusal) {
    // The exception is the answer: its report says refused.
    ctx.report.data.refused = true;
    throw new GuardrailError('refused', `safety: ${reason}`, ctx.report.data);
  }
  return refusalCompletion(opts.refusal, typeof blocked === 'object' ? blocked.model : undefined);
}
