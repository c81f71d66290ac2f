import type { Scorer } from '../interfaces.js';
import type { Completion, Message, Score, ToolCall, Verdict } from '../types.js';
import type { CandidateReport, PipelineEvent, RailVerdict, Report, SpeculativeSummary, ToolViolation } from './types.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/** What a verdict is on besides the answer: a tool turn, tool calls, the reasoning. */
export type VerdictAbout = Pick<RailVerdict, 'tool_call_id' | 'toolCalls' | 'reasoning'>;

// A completion from the model carries the candidate it came from under this key. The property is
// enumerable, so the copies middleware make (`{ ...completion, text }`, Object.assign) keep it,
// while JSON, Object.keys and for-in do not see it (a symbol key). The tag names its recorder, so
// a completion passed from one pipeline call into another is not mistaken for a candidate there.
const CANDIDATE = Symbol('rewardgate.candidate');
interface CandidateTag {
  readonly recorder: ReportRecorder;
  readonly index: number;
}
type Tagged = Completion & { [CANDIDATE]?: CandidateTag };

/** @internal The completion without its candidate tag (what the caller gets). */
export function untagged<C extends Completion>(completion: C): C {
  if (!(CANDIDATE in completion)) return completion;
  const { [CANDIDATE]: _tag, ...rest } = completion as C & Tagged;
  return rest as unknown as C;
}

/**
 * Collects the report of one pipeline call. Middleware record scores, verdicts and decisions
 * here; each record also emits the matching event.
 *
 * @example
 * const c = await next();
 * ctx.report.score(c, { value: 1.5 }, 'myScorer');
 */
export class ReportRecorder {
  /** The report being built; plain JSON. */
  readonly data: Report = { candidates: [], verdicts: [], chosen: null, refused: false, rejected: false, reasons: [] };
  // Scores already computed in this call, per scorer and conversation: an answer that an inner
  // best-of-n scored is not scored again by an outer threshold with the same scorer.
  // Both made at first use: most calls (a proxy's plain pass-through) need neither.
  #scores: WeakMap<Scorer, WeakMap<readonly Message[], Map<string, Score>>> | undefined;
  // Reasons entries that refused one candidate: facts about the answer only if it is a refusal.
  #candidateRefusals: WeakSet<object> | undefined;
  readonly #emit: (event: PipelineEvent) => void;

  constructor(emit: (event: PipelineEvent) => void) {
    this.#emit = emit;
  }

  /**
   * Index of the candidate a completion came from, also through copies made with spread or
   * `Object.assign` (undefined for refusals and completions built from scratch).
   */
  candidateOf(completion: Completion): number | undefined {
    const tag = (completion as Tagged)[CANDIDATE];
    return tag?.recorder === this ? tag.index : undefined;
  }

  /** @internal The scores known in this call for answers after `messages` by `scorer`, by answer key. */
  scoreCache(scorer: Scorer, messages: readonly Message[]): Map<string, Score> {
    const scores = (this.#scores ??= new WeakMap());
    let byConversation = scores.get(scorer);
    if (!byConversation) scores.set(scorer, (byConversation = new WeakMap()));
    let cache = byConversation.get(messages);
    if (!cache) byConversation.set(messages, (cache = new Map()));
    return cache;
  }

  /** Records `score` for the candidate behind `completion` (or for none: a reference answer). */
  score(completion: Completion | null, score: Score, by: string): void {
    const index = completion ? this.candidateOf(completion) : undefined;
    if (index !== undefined) this.data.candidates[index]!.score = score;
    this.#emit({ type: 'score', by, candidate: index ?? null, score });
  }

  /**
   * Records a guard verdict on a rail; `completion` is the judged answer on the output rail,
   * `about` says what else the verdict is on (a tool turn, tool calls, the reasoning).
   */
  verdict(rail: RailVerdict['rail'], by: string, verdict: Verdict, completion?: Completion, guardError?: unknown, about: VerdictAbout = {}): void {
    const index = completion ? this.candidateOf(completion) : undefined;
    const entry: RailVerdict = { rail, by, verdict, ...about };
    if (index !== undefined) {
      entry.candidate = index;
      // A candidate's verdict is the one on its answer; one on its reasoning only when it blocked.
      if (!about.reasoning || !verdict.safe) this.data.candidates[index]!.verdict = verdict;
    }
    if (guardError !== undefined) {
      entry.guardError = describeError(guardError);
      const code = (guardError as { code?: unknown }).code;
      entry.guardError.code = typeof code === 'string' ? code : 'guard_unavailable';
    }
    this.data.verdicts.push(entry);
    this.#emit({ type: 'verdict', verdict: entry });
  }

  /** Records a tool-policy violation of the candidate behind `completion` (see `toolPolicy`). */
  toolViolation(completion: Completion, violation: Omit<ToolViolation, 'candidate'>): ToolViolation {
    const entry: ToolViolation = { candidate: this.candidateOf(completion) ?? null, ...violation };
    (this.data.toolViolations ??= []).push(entry);
    return entry;
  }

  /** Records tool calls an output rail blocked (ids and names only: the arguments never go out). */
  blockedToolCalls(by: string, reason: string, calls: readonly ToolCall[], candidate: number | undefined): void {
    const list = (this.data.blockedToolCalls ??= []);
    for (const c of calls) list.push(omitUndefined({ by, reason, id: c.id, name: c.function.name, candidate }));
  }

  /** Records a tool result the tool rail replaced with a notice. */
  redactedToolResult(by: string, reason: string, toolCallId: string): void {
    (this.data.redactedToolResults ??= []).push({ by, reason, tool_call_id: toolCallId });
  }

  /**
   * Records a refusal or rejection, on the candidate it names too (`completion`, or its index as
   * `candidate`). `refused`: this layer answers with a refusal instead; otherwise the answer is
   * returned but marked rejected (or the middleware will try again). Whether the caller gets a
   * refusal is decided by the final answer alone: an outer best-of-n may still pick another
   * candidate, and then this refusal stays a fact about its candidate only.
   */
  reject(by: string, reason: string, options: { refused: boolean; rejected?: boolean; completion?: Completion; candidate?: number; code?: string }): void {
    if (options.rejected) this.data.rejected = true;
    const entry: { by: string; reason: string; code?: string } = options.code ? { by, reason, code: options.code } : { by, reason };
    this.data.reasons.push(entry);
    const index = options.candidate ?? (options.completion ? this.candidateOf(options.completion) : undefined);
    const candidate = index === undefined ? undefined : this.data.candidates[index];
    if (candidate) {
      (candidate.reasons ??= []).push({ ...entry });
      if (options.refused) (this.#candidateRefusals ??= new WeakSet()).add(entry);
    }
    this.#emit({ type: 'rejection', by, reason, candidate: candidate ? index! : null, refused: options.refused });
  }

  /** Records a speculative checkpoint's scores on their candidates (`checkpoints`) and emits `checkpoint`. */
  checkpoint(event: Extract<PipelineEvent, { type: 'checkpoint' }>): void {
    for (const s of event.scores) {
      const entry = s.candidate === null ? undefined : this.data.candidates[s.candidate];
      if (entry) (entry.checkpoints ??= []).push({ checkpoint: event.checkpoint, tokens: s.tokens, score: s.score, finished: s.finished });
    }
    this.#emit(event);
  }

  /** Records that a speculative checkpoint pruned a candidate (`prunedAt`) and emits `pruned`. */
  pruned(event: Extract<PipelineEvent, { type: 'pruned' }>): void {
    const entry = event.candidate === null ? undefined : this.data.candidates[event.candidate];
    if (entry) entry.prunedAt = event.checkpoint;
    this.#emit(event);
  }

  /** Records what a speculative run spent: each candidate's `tokens` and the run's summary. */
  spent(summary: SpeculativeSummary, tokens: ReadonlyArray<{ candidate: number | undefined; tokens: number }>): void {
    for (const t of tokens) {
      const entry = t.candidate === undefined ? undefined : this.data.candidates[t.candidate];
      if (entry) entry.tokens = t.tokens;
    }
    (this.data.speculative ??= []).push(summary);
  }

  /**
   * @internal The one candidate started at or after `since` whose labels include all of
   * `labels`, if exactly one: the call behind a stream that ended before its finish event.
   */
  candidateUnder(labels: Readonly<Record<string, number>>, since: number): number | undefined {
    const keys = Object.keys(labels);
    const found = this.data.candidates.slice(since).filter((c) => keys.every((k) => c.labels[k] === labels[k]));
    return found.length === 1 ? found[0]!.index : undefined;
  }

  /**
   * @internal Settles the report on the answer returned to the caller: `chosen` is its candidate,
   * `refused` says whether it is a refusal. When it is not, refusals of other candidates leave
   * `reasons` (they stay on those candidates). Returns `refused`.
   */
  settle(completion: Completion): boolean {
    const refused = completion.finishReason === 'refused';
    this.data.chosen = this.candidateOf(completion) ?? null;
    this.data.refused = refused;
    const candidateRefusals = this.#candidateRefusals;
    if (!refused && candidateRefusals) this.data.reasons = this.data.reasons.filter((r) => !candidateRefusals.has(r));
    return refused;
  }

  /** @internal Opens the record of one upstream call. */
  startCandidate(labels: Record<string, number>): CandidateReport {
    const entry: CandidateReport = { index: this.data.candidates.length, labels, text: '', latencyMs: 0, finishReason: null, cancelled: false };
    this.data.candidates.push(entry);
    this.#emit({ type: 'candidate-start', candidate: entry.index, labels });
    return entry;
  }

  /**
   * @internal Closes the record of one upstream call. Returns the completion to pass on: a copy
   * tagged with its candidate (see `candidateOf`).
   */
  finishCandidate(entry: CandidateReport, startedAt: number, completion: Completion, error?: unknown, cancelled?: boolean): Completion;
  /** @internal */
  finishCandidate(entry: CandidateReport, startedAt: number, completion: undefined, error?: unknown, cancelled?: boolean): undefined;
  finishCandidate(entry: CandidateReport, startedAt: number, completion: Completion | undefined, error?: unknown, cancelled = false): Completion | undefined {
    entry.latencyMs = round(performance.now() - startedAt);
    let tagged: Tagged | undefined;
    if (completion) {
      entry.text = completion.text;
      if (completion.toolCalls?.length) entry.toolCalls = completion.toolCalls;
      entry.finishReason = completion.finishReason;
      if (completion.usage) entry.usage = completion.usage;
      // A copy, so that a model returning one object for several calls still gets each its own tag.
      tagged = { ...completion, [CANDIDATE]: { recorder: this, index: entry.index } };
    }
    if (cancelled) entry.cancelled = true;
    if (error !== undefined && !cancelled) entry.error = describeError(error);
    this.#emit({ type: 'candidate', candidate: entry });
    return tagged;
  }
}

/** `{ name, message }` of anything thrown, for the JSON report. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
