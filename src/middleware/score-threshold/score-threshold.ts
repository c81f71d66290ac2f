import * as z from 'zod/mini';
import { GuardrailError } from '../../errors.js';
import { answerTurn } from '../../content.js';
import { validate } from '../../internal/validate.js';
import type { ChatRequest, Completion, Message } from '../../types.js';
import { type Buffered, type BufferedNext, bufferedLayer } from '../../pipeline/buffered-call.js';
import { functionSchema, ScorerSchema } from '../../pipeline/option-schemas.js';
import { DEFAULT_REFUSAL, refusalCompletion } from '../../pipeline/refusal.js';
import { rank, scoreAnswers } from '../../pipeline/scoring.js';
import type { Middleware, PipelineContext } from '../../pipeline/types.js';

/** The options of {@link scoreThreshold}; the config file's `scoreThreshold` step is made from it. */
export const ScoreThresholdOptionsSchema = z
  .strictObject({
    /** Scores the answer (higher is better). */
    scorer: ScorerSchema,
    /** Absolute bar: the answer's score must be at least this. */
    min: z.optional(z.number()),
    /**
     * Relative bar: the answer must beat the reference answer to the same prompt by this much.
     * Reward scores are comparable only between answers to one prompt, so this is the portable form.
     */
    minMargin: z.optional(z.number()),
    /** The reference answer for `minMargin` (default: the refusal text, i.e. "better than refusing"). */
    reference: z.optional(z.union([z.string(), functionSchema<(request: ChatRequest) => string | Promise<string>>()])),
    /**
     * Attempts in all, the first included (default 2). Attempt k of a seeded request uses
     * `seed + (k - 1)`, so retries differ and a rerun repeats them (times the seeds an attempt
     * spans when a best-of-n is nested inside: `seed + (k - 1) * n`).
     */
    maxAttempts: z._default(z.int().check(z.minimum(1), z.maximum(20)), 2),
    /** When every attempt is below the bar: a refusal (default), the best attempt, or a GuardrailError. */
    onReject: z._default(z.enum(['refuse', 'best', 'throw']), 'refuse'),
    /** The refusal text for `onReject: 'refuse'` (and the default reference). */
    refusal: z._default(z.string().check(z.minLength(1)), DEFAULT_REFUSAL),
    /** A user turn appended (after the rejected answer, with its tool calls) when retrying. */
    feedback: z.optional(z.union([z.string().check(z.minLength(1)), functionSchema<(attempt: { text: string; score: number; attempt: number }) => string>()])),
    /**
     * Show the scorer the answer's reasoning too (default false: the scorer sees the answer's text
     * and tool calls, as the assistant turn `withAnswer` builds).
     */
    scoreReasoning: z.optional(z.boolean()),
  })
  .check(
    z.refine((o) => (o.min === undefined) !== (o.minMargin === undefined), { message: 'give exactly one of min and minMargin', path: ['min'] }),
    z.refine((o) => o.reference === undefined || o.minMargin !== undefined, { message: 'reference is only used with minMargin', path: ['reference'] }),
  );

/**
 * Options of {@link scoreThreshold}.
 *
 * @example
 * const options: ScoreThresholdOptions = { scorer, minMargin: 0.5, maxAttempts: 3, onReject: 'best' };
 * @interface
 */
export type ScoreThresholdOptions = z.input<typeof ScoreThresholdOptionsSchema>;

type Opts = z.output<typeof ScoreThresholdOptionsSchema>;

/**
 * Scores the answer (as the assistant turn: text and tool calls) and retries below the bar, up to
 * `maxAttempts` calls in all. An answer an inner best-of-n already scored with the same scorer is
 * not scored again. Retries of a seeded request get seeds of their own (`seed + attempt - 1`, or
 * `+ (attempt - 1) * n` over a best-of-n).
 *
 * @example
 * pipeline(model, [scoreThreshold({ scorer, minMargin: 0.5, maxAttempts: 3, onReject: 'best' })]);
 */
export function scoreThreshold(options: ScoreThresholdOptions): Middleware {
  const opts = validate(ScoreThresholdOptionsSchema, options, 'scoreThreshold options');
  return bufferedLayer({ name: 'scoreThreshold', calls: 'many', fanOut: opts.maxAttempts }, (ctx, call) => attempt(ctx, call, opts));
}

async function attempt(ctx: PipelineContext, call: BufferedNext, opts: Opts): Promise<Buffered> {
  const messages = ctx.request.messages;
  let referenceScore: number | undefined;
  let best: { result: Buffered; value: number } | undefined;
  let request = ctx.request;
  const scoring = { reasoning: opts.scoreReasoning, cache: ctx.report.scoreCache(opts.scorer, messages), signal: ctx.signal, tools: ctx.request.tools };
  for (let n = 1; n <= opts.maxAttempts; n++) {
    // The engine gives each retry of a seeded request a seed of its own: reproducible, and new.
    const result = await call(request, { labels: { attempt: n }, fanOutIndex: n - 1 });
    const { completion } = result;
    // A refusal from an inner guardrail is final: there is nothing to score.
    if (completion.finishReason === 'refused') return result;
    let value: number;
    if (opts.min !== undefined) {
      const [score] = await scoreAnswers(opts.scorer, messages, [completion], scoring);
      ctx.report.score(completion, score!, 'scoreThreshold');
      value = rank(score);
    } else {
      // The reference is scored once per request, in the same batch as the first answer.
      const answers = referenceScore === undefined ? [completion, { text: await referenceText(ctx.request, opts) }] : [completion];
      const scores = await scoreAnswers(opts.scorer, messages, answers, scoring);
      if (referenceScore === undefined) {
        referenceScore = rank(scores[1]);
        ctx.report.score(null, scores[1]!, 'scoreThreshold.reference');
      }
      ctx.report.score(completion, scores[0]!, 'scoreThreshold');
      value = rank(scores[0]) - referenceScore;
    }
    const bar = opts.min ?? opts.minMargin!;
    if (value >= bar) return result;
    if (!best || value > best.value) best = { result, value };
    const what = opts.min !== undefined ? `score ${fmt(value)} is below min ${bar}` : `margin ${fmt(value)} over the reference is below minMargin ${bar}`;
    ctx.report.reject('scoreThreshold', `attempt ${n}: ${what}`, { refused: false, completion });
    if (opts.feedback && n < opts.maxAttempts) request = withFeedback(ctx.request, completion, value, n, opts.feedback);
  }
  const reason = `no answer reached the bar in ${opts.maxAttempts} attempt(s)`;
  if (opts.onReject === 'best') {
    ctx.report.reject('scoreThreshold', `${reason}; returning the best attempt`, { refused: false, rejected: true, completion: best!.result.completion });
    return best!.result;
  }
  if (opts.onReject === 'throw') {
    ctx.report.reject('scoreThreshold', reason, { refused: false, rejected: true });
    throw new GuardrailError('rejected', `scoreThreshold: ${reason}`, ctx.report.data);
  }
  ctx.report.reject('scoreThreshold', `${reason}; refusing`, { refused: true, rejected: true });
  return { completion: refusalCompletion(opts.refusal, best?.result.completion.model) };
}

async function referenceText(request: ChatRequest, opts: Opts): Promise<string> {
  const ref = opts.reference ?? opts.refusal;
  return typeof ref === 'string' ? ref : await (ref as (r: ChatRequest) => string | Promise<string>)(request);
}

function withFeedback(request: ChatRequest, rejected: Completion, score: number, attempt: number, feedback: Opts['feedback']): ChatRequest {
  const text = typeof feedback === 'string' ? feedback : (feedback as (a: { text: string; score: number; attempt: number }) => string)({ text: rejected.text, score, attempt });
  // OpenAI-style servers reject tool calls left unanswered: each gets a tool turn saying it did not run.
  const unrun = (rejected.toolCalls ?? []).map((call): Message => ({ role: 'tool', tool_call_id: call.id, content: NOT_RUN }));
  return { ...request, messages: [...request.messages, answerTurn(rejected), ...unrun, { role: 'user', content: text }] };
}

/** The result of a tool call of a rejected answer, in the retry's conversation. */
const NOT_RUN = 'Not run: this answer was rejected.';

const fmt = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : String(v));
