import * as z from 'zod';
import { candidateRequest } from '../../pipeline/seeds.js';
import type { Scorer } from '../../interfaces.js';
import { validate } from '../../internal/validate.js';
import type { ChatRequest, Completion, Score } from '../../types.js';
import { linkAbortSignals } from '../../internal/merge-abort-signals.js';
import { type Buffered, type BufferedNext, fromGenerateNext, fromStreamNext, replayBuffered } from '../../pipeline/buffered-call.js';
import { ScorerSchema } from '../../pipeline/option-schemas.js';
import { rank, scoreAnswers, scoreKey } from '../../pipeline/scoring.js';
import type { Middleware, PipelineContext } from '../../pipeline/types.js';

const BestOfNSchema = z
  .object({
    n: z.number().int().min(1).max(128),
    scorer: ScorerSchema,
    concurrency: z.number().int().min(1).optional(),
    sampling: z
      .object({ temperature: z.number().min(0).max(2).optional(), top_p: z.number().gt(0).max(1).optional(), seed: z.number().int().optional() })
      .strict()
      .optional(),
    accept: z.object({ min: z.number() }).strict().optional(),
    scoreReasoning: z.boolean().optional(),
  })
  .strict();

/**
 * Options of {@link bestOfN}.
 *
 * @example
 * const options: BestOfNOptions = { n: 8, scorer, concurrency: 4, accept: { min: 2 } };
 */
export interface BestOfNOptions {
  /** How many candidates to generate. */
  n: number;
  /** Ranks the candidates (higher is better). */
  scorer: Scorer;
  /** How many candidates run at once (default: all n). */
  concurrency?: number;
  /**
   * Defaults for sampling when the request sets none. `seed` is the first candidate's seed
   * (shifted by enclosing fan-outs, `ctx.seedOffset`, so that a retry samples new candidates).
   */
  sampling?: { temperature?: number; top_p?: number; seed?: number };
  /** Return the first candidate scoring at least `min` and cancel the others. */
  accept?: { min: number };
  /**
   * Show the scorer each candidate's reasoning too (default false: the scorer sees the answer's
   * text and tool calls, as the assistant turn `withAnswer` builds).
   */
  scoreReasoning?: boolean;
}

/**
 * Best-of-n: generates `n` candidates in parallel (distinct seeds: candidate i gets the first
 * + i, spaced out when a fan-out is nested inside), scores them in one batch as assistant turns
 * (text and tool calls; each distinct answer once) and returns the best. Failed candidates are
 * reported and skipped; when all fail, the first error is thrown. On the stream path the winner streams once chosen.
 *
 * @example
 * const guarded = pipeline(model, [bestOfN({ n: 4, scorer: nimReward({ model: 'nvidia/llama-3.1-nemotron-70b-reward' }) })]);
 */
export function bestOfN(options: BestOfNOptions): Middleware {
  const opts = validate(BestOfNSchema, options, 'bestOfN options');
  return {
    name: 'bestOfN',
    calls: 'many',
    fanOut: opts.n,
    generate: async function bestOfNGenerate(ctx, next) {
      return (await choose(ctx, fromGenerateNext(next), opts)).completion;
    },
    stream: async function* bestOfNStream(ctx, next) {
      yield* replayBuffered(await choose(ctx, fromStreamNext(next), opts));
    },
  };
}

interface Finished extends Buffered {
  index: number;
  value: number;
}

async function choose(ctx: PipelineContext, call: BufferedNext, opts: BestOfNOptions): Promise<Buffered> {
  const scope = linkAbortSignals([ctx.signal]);
  const finished: Finished[] = [];
  const refusals: Buffered[] = [];
  const errors: unknown[] = [];
  let winner: Finished | undefined;
  let scoringError: { error: unknown } | undefined;
  // Candidate i gets firstSeed + i * stride (stride 1 unless a fan-out is nested inside). A request
  // seed already carries the shift of enclosing fan-outs; our own default seed takes it from ctx.
  const ownSeed = opts.sampling?.seed === undefined ? undefined : opts.sampling.seed + ctx.seedOffset;
  const firstSeed = ctx.request.seed ?? ownSeed ?? Math.floor(Math.random() * 2 ** 30);
  let started = 0;
  const messages = ctx.request.messages;
  // Scores this call already knows (an enclosing layer's or an earlier attempt's) are not asked again.
  const scoring = { reasoning: opts.scoreReasoning, cache: ctx.report.scoreCache(opts.scorer, messages), tools: ctx.request.tools };
  // With accept, candidates are scored one by one as they finish; a repeated answer is scored once.
  const scored = new Map<string, Promise<Score | undefined>>();
  const scoreOne = (completion: Completion) => {
    const key = scoreKey(completion, opts.scoreReasoning);
    let pending = scored.get(key);
    if (!pending) scored.set(key, (pending = scoreAnswers(opts.scorer, messages, [completion], { ...scoring, signal: scope.signal }).then(([s]) => s)));
    return pending;
  };
  const one = async (i: number) => {
    let result: Buffered;
    try {
      const request = candidateRequest(ctx.request, opts.sampling, firstSeed + i * ctx.seedStride);
      result = await call(request, { signal: scope.signal, labels: { sample: i }, fanOutIndex: i });
    } catch (error) {
      if (!scope.signal.aborted) errors.push(error);
      return;
    }
    // An inner guardrail refused this candidate: it can only win when nothing else is left.
    if (result.completion.finishReason === 'refused') return void refusals.push(result);
    const entry: Finished = { ...result, index: i, value: Number.NEGATIVE_INFINITY };
    finished.push(entry);
    if (!opts.accept || scope.signal.aborted) return;
    try {
      const score = await scoreOne(result.completion);
      ctx.report.score(result.completion, score!, 'bestOfN');
      entry.value = rank(score);
    } catch (error) {
      if (scope.signal.aborted) return;
      scoringError = { error };
      return scope.abort(error);
    }
    if (!winner && entry.value >= opts.accept.min) {
      winner = entry;
      // Cancel the other candidates: no further tokens are paid for.
      scope.abort(new Error('bestOfN: a candidate was accepted'));
    }
  };
  const worker = async () => {
    while (started < opts.n && !scope.signal.aborted) await one(started++);
  };

  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? opts.n, opts.n) }, worker));
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (scoringError) throw scoringError.error;
    if (winner) return winner;
    if (finished.length === 0) {
      if (refusals[0]) return refusals[0];
      throw errors[0];
    }
    if (!opts.accept) {
      const scores = await scoreAnswers(opts.scorer, messages, finished.map((f) => f.completion), { ...scoring, signal: ctx.signal });
      finished.forEach((f, k) => {
        ctx.report.score(f.completion, scores[k]!, 'bestOfN');
        f.value = rank(scores[k]);
      });
    }
    // Highest score wins; ties go to the lowest candidate number.
    return finished.reduce((best, f) => (f.value > best.value || (f.value === best.value && f.index < best.index) ? f : best));
  } finally {
    scope.dispose();
  }
}
