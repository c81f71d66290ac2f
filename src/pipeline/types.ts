import type { CallOptions, ChatModel, FinishEvent, TextDeltaEvent } from '../interfaces.js';
import type { ChatRequest, Completion, FinishReason, Score, Usage, Verdict } from '../types.js';
import type { ReportRecorder } from './report.js';

/**
 * One upstream model call as the report tells it: a best-of-n candidate or a retry attempt.
 *
 * @example
 * for (const c of report.candidates) console.log(c.index, c.labels, c.score?.value, c.cancelled);
 */
export interface CandidateReport {
  /** Position in `report.candidates`, in the order the calls started. */
  index: number;
  /** Where the call came from, e.g. `{ attempt: 1, sample: 3 }` (set by the middleware that fanned out). */
  labels: Record<string, number>;
  text: string;
  score?: Score;
  verdict?: Verdict;
  usage?: Usage;
  latencyMs: number;
  /** `null` while running, or when the call failed. */
  finishReason: FinishReason | null;
  /** Cut short by an abort (a loser of `accept`, the caller's signal, a blocked stream). */
  cancelled: boolean;
  /** Why the call failed, when it did. */
  error?: { name: string; message: string };
  /** Rejections and refusals of this candidate (below a score bar, blocked by an inner rail). */
  reasons?: Array<{ by: string; reason: string }>;
}

/**
 * A guard verdict on one rail. `candidate` is the judged answer's index (output rail).
 *
 * @example
 * const blocked = report.verdicts.filter((v) => !v.verdict.safe).map((v) => v.rail);
 */
export interface RailVerdict {
  rail: 'input' | 'output';
  by: string;
  verdict: Verdict;
  candidate?: number;
  /** Set when the guard itself failed and the fail mode decided. */
  guardError?: { name: string; message: string };
}

/**
 * Why a result is what it is: every candidate, every verdict, and the decision. Plain JSON.
 *
 * @example
 * const { report } = await guarded.generate(request);
 * if (report.refused) console.log(report.reasons.map((r) => r.reason));
 */
export interface Report {
  candidates: CandidateReport[];
  verdicts: RailVerdict[];
  /** Index of the candidate returned; `null` for a refusal. */
  chosen: number | null;
  /**
   * The answer returned is a refusal (as the completion's `refused`). A candidate that an inner
   * rail blocked but that lost to another does not make it one: see that candidate's `reasons`.
   */
  refused: boolean;
  /** A score threshold was not met (the result is a refusal, or the best attempt with `onReject: 'best'`). */
  rejected: boolean;
  /**
   * Human-readable reasons for the refusal or rejection of the result and for the retries along
   * the way, outermost decision last. Refusals of candidates that lost to another answer are not
   * listed here but on those candidates (`candidates[i].reasons`).
   */
  reasons: Array<{ by: string; reason: string }>;
}

/**
 * A pipeline's result: the completion plus the report that explains it.
 *
 * @example
 * const { text, refused, report } = await guarded.generate(request);
 */
export type GuardedCompletion = Completion & { report: Report; refused: boolean };

/**
 * Events of a pipeline stream: text for the caller, what happens along the way as it happens,
 * and `finish` last.
 *
 * @example
 * for await (const e of guarded.stream(request)) {
 *   if (e.type === 'text-delta') process.stdout.write(e.text);
 *   else if (e.type === 'verdict') console.log(e.verdict.rail, e.verdict.verdict.safe);
 * }
 */
export type PipelineEvent =
  | TextDeltaEvent
  | FinishEvent<GuardedCompletion>
  | { type: 'candidate-start'; candidate: number; labels: Record<string, number> }
  | { type: 'candidate'; candidate: CandidateReport }
  | { type: 'score'; by: string; candidate: number | null; score: Score }
  | { type: 'verdict'; verdict: RailVerdict }
  /** `refused`: that layer answered with a refusal; the caller's answer may still be another candidate. */
  | { type: 'rejection'; by: string; reason: string; candidate: number | null; refused: boolean };

/**
 * What a middleware's stream path yields: text deltas, then one `finish` with the completion.
 *
 * @example
 * async function* upper(events: AsyncIterable<LayerEvent>) { for await (const e of events) yield e.type === 'text-delta' ? { ...e, text: e.text.toUpperCase() } : e; }
 */
export type LayerEvent = TextDeltaEvent | FinishEvent;

/**
 * What `next` accepts besides a changed request: a signal or labels for this one call.
 *
 * @example
 * await next(ctx.request, { signal: mySignal, labels: { attempt: 2 } });
 */
export interface NextOptions extends CallOptions {
  /** Merged into the report labels of every candidate this call produces. */
  labels?: Record<string, number>;
  /**
   * Which of the layer's `fanOut` calls this is (0-based): a candidate, an attempt. The inner
   * layers' `ctx.seedOffset` moves by `fanOutIndex * ctx.seedStride`. Shift the request's own
   * seed by the same amount yourself.
   */
  fanOutIndex?: number;
}

/**
 * Calls the rest of the pipeline (inner middleware, then the model).
 *
 * @example
 * const completion = await next({ ...ctx.request, temperature: 0 });
 */
export type GenerateNext = (request?: ChatRequest, options?: NextOptions) => Promise<Completion>;
/**
 * Streams the rest of the pipeline. Breaking out of the loop aborts it.
 *
 * @example
 * for await (const e of next()) yield e;
 */
export type StreamNext = (request?: ChatRequest, options?: NextOptions) => AsyncIterable<LayerEvent>;

/**
 * What every middleware sees for one request.
 *
 * @example
 * async generate(ctx, next) { ctx.emit({ type: 'rejection', by: 'me', reason: 'why', candidate: null, refused: false }); return next(); }
 */
export interface PipelineContext {
  /** The request as this layer received it. */
  readonly request: ChatRequest;
  /** Aborts when the caller aborts (or breaks out of the stream). */
  readonly signal: AbortSignal | undefined;
  /** Labels of the enclosing fan-outs. */
  readonly labels: Readonly<Record<string, number>>;
  /**
   * How far the enclosing fan-outs have shifted the seed (0 outside any). `request.seed` is
   * already shifted; a middleware that supplies a default seed of its own adds this to it.
   */
  readonly seedOffset: number;
  /**
   * How many seeds one call of `next` spans: the product of the `fanOut` of the layers inside
   * (1 when none fans out). Call `j` of a fan-out uses `seed + j * seedStride`.
   */
  readonly seedStride: number;
  /** Records scores, verdicts and decisions, and emits the matching events. */
  readonly report: ReportRecorder;
  /** Sends an event to `onEvent` and to the stream consumer. */
  emit(event: PipelineEvent): void;
}

/**
 * A middleware: onion composition, first in the list is outermost. Give `generate`, `stream` or
 * both (a missing `generate` collects `stream`; a missing `stream` yields `generate`'s text).
 *
 * @example
 * const logger: Middleware = {
 *   name: 'logger',
 *   async generate(ctx, next) { const c = await next(); console.log(c.text); return c; },
 * };
 */
export interface Middleware {
  readonly name: string;
  /** `'many'` lets the middleware call `next` more than once per request (fan-out, retry). */
  readonly calls?: 'once' | 'many';
  /**
   * The most `next` calls per request (best-of-n: `n`; retries: `maxAttempts`), so that seeds
   * are spaced to never repeat across nested fan-outs (see `ctx.seedStride`). Default 1.
   */
  readonly fanOut?: number;
  generate?(ctx: PipelineContext, next: GenerateNext): Promise<Completion>;
  stream?(ctx: PipelineContext, next: StreamNext): AsyncIterable<LayerEvent>;
}

/**
 * A ChatModel whose completions carry a report and whose stream carries pipeline events.
 *
 * @example
 * const guarded: GuardedModel = pipeline(model, [bestOfN({ n: 4, scorer })]);
 */
export type GuardedModel = ChatModel<GuardedCompletion, PipelineEvent>;

/**
 * Options of `pipeline()`.
 *
 * @example
 * pipeline(model, middleware, { onEvent: (e) => logger.debug(e), modelName: 'llama-3.1-8b' });
 */
export interface PipelineOptions {
  /** Called with every event, for logging (also for `generate`). Exceptions are swallowed. */
  onEvent?: (event: PipelineEvent) => void;
  /** Name of the model for telemetry (`gen_ai.request.model`) when requests name none. */
  modelName?: string;
}
