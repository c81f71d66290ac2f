import * as z from 'zod/mini';
import { validate } from '../../internal/validate.js';
import { SamplingDefaultsSchema, ScorerSchema } from '../../pipeline/option-schemas.js';
import { speculativeRun } from './speculative-run.js';
import type { Middleware } from '../../pipeline/types.js';

const Positive = z.int().check(z.minimum(1));

const CheckpointsSchema = z.union([
  z.strictObject({ everyTokens: Positive }),
  z.strictObject({ everyChars: Positive }),
  z.array(Positive).check(
    z.minLength(1),
    z.refine((xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]!), 'token counts must be strictly increasing'),
  ),
]);

/**
 * When speculativeBestOfN scores partial answers: every so many tokens (answer events: one text,
 * reasoning or tool-call piece counts as one token) or characters, or at the given token counts.
 *
 * @example
 * const every32: SpeculativeCheckpoints = { everyTokens: 32 };
 * const fixed: SpeculativeCheckpoints = [16, 48, 128];
 * @useDeclaredType
 */
export type SpeculativeCheckpoints = z.input<typeof CheckpointsSchema>;

/** The options of {@link speculativeBestOfN}; the config file's `speculativeBestOfN` step is made from it. */
export const SpeculativeBestOfNOptionsSchema = z
  .strictObject({
    /** How many candidates to start (distinct seeds, as bestOfN). */
    n: z.int().check(z.minimum(1), z.maximum(128)),
    /** Scores partial answers at checkpoints and whole answers at the end (higher is better). */
    scorer: ScorerSchema,
    /** When to score and prune (default `{ everyTokens: 32 }`). */
    checkpoints: z.optional(CheckpointsSchema),
    /** Fraction of the candidates kept at each checkpoint (default 0.5: the paper's alpha 0.5), rounded. */
    keep: z.optional(z.number().check(z.gt(0), z.maximum(1))),
    /** Never keep fewer than this many (default 1). With 1, the last one streams live. */
    minSurvivors: z.optional(Positive),
    /**
     * How the winner among the finished survivors is picked: `'rescore'` (default) scores their
     * whole answers once more; `'checkpoint'` ranks them by their last score without another call.
     */
    final: z.optional(z.enum(['rescore', 'checkpoint'])),
    /**
     * When the scorer fails at a checkpoint: `'continue'` (default) prunes nothing there and goes
     * on (the run degrades towards best-of-n; the `checkpoint` event carries the error), `'throw'`
     * stops every candidate and throws. A failed final rescore always throws.
     */
    onScorerError: z.optional(z.enum(['continue', 'throw'])),
    /** Defaults for sampling when the request sets none; `seed` is the first candidate's (as bestOfN). */
    sampling: z.optional(SamplingDefaultsSchema),
    /** Show the scorer each candidate's reasoning too (default false). */
    scoreReasoning: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((o, ctx) => {
      if (o.minSurvivors !== undefined && o.minSurvivors > o.n) ctx.addIssue({ code: 'custom', path: ['minSurvivors'], message: `minSurvivors (${o.minSurvivors}) must not exceed n (${o.n})` });
    }),
  );

/**
 * Options of {@link speculativeBestOfN}.
 *
 * @example
 * const options: SpeculativeBestOfNOptions = { n: 16, scorer, checkpoints: { everyTokens: 32 }, keep: 0.5 };
 * @interface
 */
export type SpeculativeBestOfNOptions = z.input<typeof SpeculativeBestOfNOptionsSchema>;

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
  const opts = validate(SpeculativeBestOfNOptionsSchema, options, 'speculativeBestOfN options');
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
