import * as z from 'zod';
import { GuardrailError } from '../../errors.js';
import type { Scorer } from '../../interfaces.js';
import { answerTurn } from '../../content.js';
import { validate } from '../../internal/validate.js';
import type { ChatRequest, Completion, Message } from '../../types.js';
import { type Buffered, type BufferedNext, fromGenerateNext, fromStreamNext, replayBuffered } from '../../pipeline/buffered-call.js';
import { FunctionSchema, ScorerSchema } from '../../pipeline/option-schemas.js';
import { DEFAULT_REFUSAL, refusalCompletion } from '../../pipeline/refusal.js';
import { rank, scoreAnswers } from '../../pipeline/scoring.js';
import type { Middleware, PipelineContext } from '../../pipeline/types.js';

const ScoreThresholdSchema = z
  .object({
    scorer: ScorerSchema,
    min: z.number().optional(),
    minMargin: z.number().optional(),
    reference: z.union([z.string(), FunctionSchema]).optional(),
    maxAttempts: z.number().int().min(1).max(20).default(2),
    onReject: z.enum(['refuse', 'best', 'throw']).default('refuse'),
    refusal: z.string().min(1).default(DEFAULT_REFUSAL),
    feedback: z.union([z.string().min(1), FunctionSchema]).optional(),
    scoreReasoning: z.boolean().optional(),
  })
  .strict()
  .refine((o) => (o.min === undefined) !== (o.minMargin === undefined), { message: 'give exactly one of min and minMargin', path: ['min'] })
  .refine((o) => o.reference === undefined || o.minMargin !== undefined, { message: 'reference is only used with minMargin', path: ['reference'] });

/**
 * Options of {@link scoreThreshold}.
 *
 * @example
 * const options: ScoreThresholdOptions = { scorer, minMargin: 0.5, maxAttempts: 3, onReject: 'best' };
 */
export interface ScoreThresholdOptions {
  scorer: Scorer;
  /** Absolute bar: the answer's score must be at least this. */
  min?: number;
  /**
   * Relative bar: the answer must beat the reference answer to the same prompt by this much.
   * Reward scores are comparable only between answers to one prompt, so this is the portable form.
   */
  minMargin?: number;
  /** The reference answer for `minMargin` (default: the refusal text, i.e. "better than refusing"). */
  reference?: string | ((request: ChatRequest) => string | Promise<string>);
  /**
   * Attempts in all, the first included (default 2). Attempt k of a seeded request uses
   * `seed + (k - 1)`, so retries differ and a rerun repeats them (times the seeds an attempt
   * spans when a best-of-n is nested inside: `seed + (k - 1) * n`).
   */
  maxAttempts?: number;
  /** When every attempt is below the bar: a refusal (default), the best attempt, or a GuardrailError. */
  onReject?: 'refuse' | 'best' | 'throw';
  /** The refusal text for `onReject: 'refuse'` (and the default reference). */
  refusal?: string;
  /** A user turn appended (after the rejected answer, with its tool calls) when retrying. */
  feedback?: string | ((attempt: { text: string; score: number; attempt: number }) => string);
  /**
   * Show the scorer the answer's reasoning too (default false: the scorer sees the answer's text
   * and tool calls, as the assistant turn `withAnswer` builds).
   */
  scoreReasoning?: boolean;
}

type Opts = z.output<typeof ScoreThresholdSchema>;

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
  const opts = validate(ScoreThresholdSchema, options, 'scoreThreshold options');
  return {
    name: 'scoreThreshold',
    calls: 'many',
    fanOut: opts.maxAttempts,
    generate: async function scoreThresholdGenerate(ctx, next) {
      return (await attempt(ctx, fromGenerateNext(next), opts)).completion;
    },
    stream: async function* scoreThresholdStream(ctx, next) {
      yield* replayBuffered(await attempt(ctx, fromStreamNext(next), opts));
    },
  };
}

async function attempt(ctx: PipelineContext, call: BufferedNext, opts: Opts): Promise<Buffered> {
  const messages = ctx.request.messages;
  let referenceScore: number | undefined;
  let best: { result: Buffered; value: number } | undefined;
  let request = ctx.request;
  const scoring = { reasoning: opts.scoreReasoning, cache: ctx.report.scoreCache(opts.scorer, messages), signal: ctx.signal, tools: ctx.request.tools };
  for (let n = 1; n <= opts.maxAttempts; n++) {
    // A seeded request stays reproducible, but each retry samples with a seed of its own.
    const shift = (n - 1) * ctx.seedStride;
    const seeded = request.seed === undefined || shift === 0 ? request : { ...request, seed: request.seed + shift };
    const result = await call(seeded, { labels: { attempt: n }, fanOutIndex: n - 1 });
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
