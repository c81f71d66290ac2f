import * as z from 'zod/mini';
import { candidateRequest } from '../../pipeline/seeds.js';
import { validate } from '../../internal/validate.js';
import type { ChatRequest, Completion, Score } from '../../types.js';
import { type LinkedAbort, linkAbortSignals } from '../../internal/merge-abort-signals.js';
import { type Buffered, type BufferedNext, bufferedLayer } from '../../pipeline/buffered-call.js';
import { SamplingDefaultsSchema, ScorerSchema } from '../../pipeline/option-schemas.js';
import { rank, type ScoreAnswersOptions, scoreAnswers, scoreKey } from '../../pipeline/scoring.js';
import type { Middleware, PipelineContext } from '../../pipeline/types.js';

/** The options of {@link bestOfN}; the config file's `bestOfN` step is made from it. */
export const BestOfNOptionsSchema = z.strictObject({
  /** How many candidates to generate. */
  n: z.int().check(z.minimum(1), z.maximum(128)),
  /** Ranks the candidates (higher is better). */
  scorer: ScorerSchema,
  /** How many candidates run at once (default: all n). */
  concurrency: z.optional(z.int().check(z.minimum(1))),
  /**
   * Defaults for sampling when the request sets none. `seed` is the first candidate's seed
   * (shifted by the engine for enclosing fan-outs, so that a retry samples new candidates).
   */
  sampling: z.optional(SamplingDefaultsSchema),
  /** Return the first candidate scoring at least `min` and cancel the others. */
  accept: z.optional(z.strictObject({ min: z.number() })),
  /**
   * Show the scorer each candidate's reasoning too (default false: the scorer sees the answer's
   * text and tool calls, as the assistant turn `withAnswer` builds).
   */
  scoreReasoning: z.optional(z.boolean()),
});

/**
 * Options of {@link bestOfN}.
 *
 * @example
 * const options: BestOfNOptions = { n: 8, scorer, concurrency: 4, accept: { min: 2 } };
 * @interface
 */
export type BestOfNOptions = z.input<typeof BestOfNOptionsSchema>;

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
  const opts = validate(BestOfNOptionsSchema, options, 'bestOfN options');
  return bufferedLayer({ name: 'bestOfN', calls: 'many', fanOut: opts.n }, (ctx, call) => choose(ctx, call, opts));
}

interface Finished extends Buffered {
  index: number;
  value: number;
}

/** One bestOfN call: its candidates as they end, and what decided it. */
interface Race {
  readonly ctx: PipelineContext;
  readonly call: BufferedNext;
  readonly opts: BestOfNOptions;
  /** Aborts the candidates still running (a winner was accepted, scoring failed, the caller left). */
  readonly scope: LinkedAbort;
  readonly scoring: ScoreAnswersOptions;
  /** Scores asked for one by one (with accept), by answer: a repeated answer is scored once. */
  readonly scored: Map<string, Promise<Score | undefined>>;
  readonly finished: Finished[];
  readonly refusals: Buffered[];
  readonly errors: unknown[];
  started: number;
  winner?: Finished;
  scoringError?: { error: unknown };
}

async function choose(ctx: PipelineContext, call: BufferedNext, opts: BestOfNOptions): Promise<Buffered> {
  const race = startRace(ctx, call, opts);
  try {
    const workers = Math.min(opts.concurrency ?? opts.n, opts.n);
    await Promise.all(Array.from({ length: workers }, () => runWorker(race)));
    return await decide(race);
  } finally {
    race.scope.dispose();
  }
}

function startRace(ctx: PipelineContext, call: BufferedNext, opts: BestOfNOptions): Race {
  // Scores this call already knows (an enclosing layer's or an earlier attempt's) are not asked again.
  const scoring = { reasoning: opts.scoreReasoning, cache: ctx.report.scoreCache(opts.scorer, ctx.request.messages), tools: ctx.request.tools };
  return { ctx, call, opts, scope: linkAbortSignals([ctx.signal]), scoring, scored: new Map(), finished: [], refusals: [], errors: [], started: 0 };
}

async function runWorker(race: Race): Promise<void> {
  while (race.started < race.opts.n && !race.scope.signal.aborted) await runCandidate(race, race.started++);
}

async function runCandidate(race: Race, i: number): Promise<void> {
  const { ctx, opts, scope } = race;
  let result: Buffered;
  try {
    // The engine seeds candidate i: the request's seed, else sampling.seed, else a random base; plus i.
    const options = { signal: scope.signal, labels: { sample: i }, fanOutIndex: i, baseSeed: opts.sampling?.seed ?? ('random' as const) };
    result = await race.call(candidateRequest(ctx.request, opts.sampling), options);
  } catch (error) {
    if (!scope.signal.aborted) race.errors.push(error);
    return;
  }
  // An inner guardrail refused this candidate: it can only win when nothing else is left.
  if (result.completion.finishReason === 'refused') return void race.refusals.push(result);
  const entry: Finished = { ...result, index: i, value: Number.NEGATIVE_INFINITY };
  race.finished.push(entry);
  if (opts.accept && !scope.signal.aborted) await scoreForAccept(race, entry, opts.accept.min);
}

// With accept, candidates are scored one by one as they finish; the first at `min` wins.
async function scoreForAccept(race: Race, entry: Finished, min: number): Promise<void> {
  try {
    const score = await scoreOnce(race, entry.completion);
    race.ctx.report.score(entry.completion, score!, 'bestOfN');
    entry.value = rank(score);
  } catch (error) {
    if (race.scope.signal.aborted) return;
    race.scoringError = { error };
    return race.scope.abort(error);
  }
  if (!race.winner && entry.value >= min) {
    race.winner = entry;
    // Cancel the other candidates: no further tokens are paid for.
    race.scope.abort(new Error('bestOfN: a candidate was accepted'));
  }
}

function scoreOnce(race: Race, completion: Completion): Promise<Score | undefined> {
  const { opts, scored } = race;
  const key = scoreKey(completion, opts.scoreReasoning);
  let pending = scored.get(key);
  if (!pending) {
    pending = scoreAnswers(opts.scorer, race.ctx.request.messages, [completion], { ...race.scoring, signal: race.scope.signal }).then(([s]) => s);
    scored.set(key, pending);
  }
  return pending;
}

/** The result once every candidate ended: the accepted one, else the best scored, else a refusal, else the first error. */
async function decide(race: Race): Promise<Buffered> {
  const { ctx, finished } = race;
  if (ctx.signal?.aborted) throw ctx.signal.reason;
  if (race.scoringError) throw race.scoringError.error;
  if (race.winner) return race.winner;
  if (finished.length === 0) {
    if (race.refusals[0]) return race.refusals[0];
    throw race.errors[0];
  }
  if (!race.opts.accept) await scoreAll(race);
  // Highest score wins; ties go to the lowest candidate number.
  return finished.reduce((best, f) => (f.value > best.value || (f.value === best.value && f.index < best.index) ? f : best));
}

// Without accept, the finished candidates are scored in one batch.
async function scoreAll(race: Race): Promise<void> {
  const { ctx, opts, finished } = race;
  const scores = await scoreAnswers(opts.scorer, ctx.request.messages, finished.map((f) => f.completion), { ...race.scoring, signal: ctx.signal });
  finished.forEach((f, k) => {
    ctx.report.score(f.completion, scores[k]!, 'bestOfN');
    f.value = rank(scores[k]);
  });
}
