import * as z from 'zod';
import type { Scorer } from '../../interfaces.js';
import { validate } from '../../internal/validate.js';
import { ScorerSchema } from '../../pipeline/option-schemas.js';
import { speculativeRun } from './speculative-run.js';
import type { Middleware } from '../../pipeline/types.js';

const Positive = z.number().int().min(1);

const CheckpointsSchema = z.union([
  z.object({ everyTokens: Positive }).strict(),
  z.object({ everyChars: Positive }).strict(),
  z
    .array(Positive)
    .min(1)
    .refine((xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]!), 'token counts must be strictly increasing'),
]);

const SpeculativeBestOfNSchema = z
  .object({
    n: z.number().int().min(1).max(128),
    scorer: ScorerSchema,
    checkpoints: CheckpointsSchema.optional(),
    keep: z.number().gt(0).max(1).optional(),
    minSurvivors: Positive.optional(),
    final: z.enum(['rescore', 'checkpoint']).optional(),
    onScorerError: z.enum(['continue', 'throw']).optional(),
    sampling: z
      .object({ temperature: z.number().min(0).max(2).optional(), top_p: z.number().gt(0).max(1).optional(), seed: z.number().int().optional() })
      .strict()
      .optional(),
    scoreReasoning: z.boolean().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.minSurvivors !== undefined && o.minSurvivors > o.n) ctx.addIssue({ code: 'custom', path: ['minSurvivors'], message: `minSurvivors (${o.minSurvivors}) must not exceed n (${o.n})` });
  });

/**
 * When speculativeBestOfN scores partial answers: every so many tokens (answer events: one text,
 * reasoning or tool-call piece counts as one token) or characters, or at the given token counts.
 *
 * @example
 * const every32: SpeculativeCheckpoints = { everyTokens: 32 };
 * const fixed: SpeculativeCheckpoints = [16, 48, 128];
 */
export type SpeculativeCheckpoints = { everyTokens: number } | { everyChars: number } | number[];

/**
 * Options of {@link speculativeBestOfN}.
 *
 * @example
 * const options: SpeculativeBestOfNOptions = { n: 16, scorer, checkpoints: { everyTokens: 32 }, keep: 0.5 };
 */
export interface SpeculativeBestOfNOptions {
  /** How many candidates to start (distinct seeds, as bestOfN). */
  n: number;
  /** Scores partial answers at checkpoints and whole answers at the end (higher is better). */
  scorer: Scorer;
  /** When to score and prune (default `{ everyTokens: 32 }`). */
  checkpoints?: SpeculativeCheckpoints;
  /** Fraction of the candidates kept at each checkpoint (default 0.5: the paper's alpha 0.5), rounded. */
  keep?: number;
  /** Never keep fewer than this many (default 1). With 1, the last one streams live. */
  minSurvivors?: number;
  /**
   * How the winner among the finished survivors is picked: `'rescore'` (default) scores their
   * whole answers once more; `'checkpoint'` ranks them by their last score without another call.
   */
  final?: 'rescore' | 'checkpoint';
  /**
   * When the scorer fails at a checkpoint: `'continue'` (default) prunes nothing there and goes
   * on (the run degrades towards best-of-n; the `checkpoint` event carries the error), `'throw'`
   * stops every candidate and throws. A failed final rescore always throws.
   */
  onScorerError?: 'continue' | 'throw';
  /** Defaults for sampling when the request sets none; `seed` is the first candidate's (as bestOfN). */
  sampling?: { temperature?: number; top_p?: number; seed?: number };
  /** Show the scorer each candidate's reasoning too (default false). */
  scoreReasoning?: boolean;
}

/**
 * Speculative best-of-n ("Fast Best-of-N Decoding via Speculative Rejection", Sun et al. 2024):
 * starts `n` streams, scores every live candidate's partial answer at each checkpoint in one
 * batched scorer call, and aborts the lowest-scoring ones so that a `keep` fraction survives
 * (never fewer than `minSurvivors`); candidates that finished early (tool calls, short answers)
 * compete with their final score. Once one candidate is left it streams to the caller live: the
 * text it buffered first, then its deltas as they come. Survivors that all finish are rescored on
 * whole answers and the best is returned. The report has each candidate's checkpoint scores,
 * `prunedAt` and `tokens`, and `report.speculative` the tokens spent against full best-of-n.
 *
 * It needs streaming inner layers (the generate path runs on streams too): partial scores must
 * predict final scores for pruning to keep the best answer.
 *
 * @example
 * const guarded = pipeline(model, [speculativeBestOfN({ n: 8, scorer, checkpoints: { everyTokens: 32 } })]);
 * for await (const e of guarded.stream(request)) if (e.type === 'pruned') console.log('pruned', e.sample);
 */
export function speculativeBestOfN(options: SpeculativeBestOfNOptions): Middleware {
  const opts = validate(SpeculativeBestOfNSchema, options, 'speculativeBestOfN options');
  return {
    name: 'speculativeBestOfN',
    calls: 'many',
    fanOut: opts.n,
    // No generate: the generate path collects this stream, since pruning needs partial answers.
    stream: function speculativeBestOfNStream(ctx, next) {
      return speculativeRun(ctx, next, opts);
    },
  };
}
