import type { Completion, Score, Verdict } from '../types.js';
import type { CandidateReport, PipelineEvent, RailVerdict, Report } from './types.js';

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
  readonly #links = new WeakMap<Completion, number>();
  // Reasons entries that refused one candidate: facts about the answer only if it is a refusal.
  readonly #candidateRefusals = new WeakSet<object>();
  readonly #emit: (event: PipelineEvent) => void;

  constructor(emit: (event: PipelineEvent) => void) {
    this.#emit = emit;
  }

  /** Index of the candidate a completion came from (undefined for refusals and synthetic results). */
  candidateOf(completion: Completion): number | undefined {
    return this.#links.get(completion);
  }

  /** Records `score` for the candidate behind `completion` (or for none: a reference answer). */
  score(completion: Completion | null, score: Score, by: string): void {
    const index = completion ? this.candidateOf(completion) : undefined;
    if (index !== undefined) this.data.candidates[index]!.score = score;
    this.#emit({ type: 'score', by, candidate: index ?? null, score });
  }

  /** Records a guard verdict on a rail; `completion` is the judged answer on the output rail. */
  verdict(rail: 'input' | 'output', by: string, verdict: Verdict, completion?: Completion, guardError?: unknown): void {
    const index = completion ? this.candidateOf(completion) : undefined;
    const entry: RailVerdict = { rail, by, verdict };
    if (index !== undefined) {
      entry.candidate = index;
      this.data.candidates[index]!.verdict = verdict;
    }
    if (guardError !== undefined) entry.guardError = describeError(guardError);
    this.data.verdicts.push(entry);
    this.#emit({ type: 'verdict', verdict: entry });
  }

  /**
   * Records a refusal or rejection, on the candidate it names too (`completion`, or its index as
   * `candidate`). `refused`: this layer answers with a refusal instead; otherwise the answer is
   * returned but marked rejected (or the middleware will try again). Whether the caller gets a
   * refusal is decided by the final answer alone: an outer best-of-n may still pick another
   * candidate, and then this refusal stays a fact about its candidate only.
   */
  reject(by: string, reason: string, options: { refused: boolean; rejected?: boolean; completion?: Completion; candidate?: number }): void {
    if (options.rejected) this.data.rejected = true;
    const entry = { by, reason };
    this.data.reasons.push(entry);
    const index = options.candidate ?? (options.completion ? this.candidateOf(options.completion) : undefined);
    const candidate = index === undefined ? undefined : this.data.candidates[index];
    if (candidate) {
      (candidate.reasons ??= []).push({ by, reason });
      if (options.refused) this.#candidateRefusals.add(entry);
    }
    this.#emit({ type: 'rejection', by, reason, candidate: candidate ? index! : null, refused: options.refused });
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
    if (!refused) this.data.reasons = this.data.reasons.filter((r) => !this.#candidateRefusals.has(r));
    return refused;
  }

  /** @internal Opens the record of one upstream call. */
  startCandidate(labels: Record<string, number>): CandidateReport {
    const entry: CandidateReport = { index: this.data.candidates.length, labels, text: '', latencyMs: 0, finishReason: null, cancelled: false };
    this.data.candidates.push(entry);
    this.#emit({ type: 'candidate-start', candidate: entry.index, labels });
    return entry;
  }

  /** @internal Closes the record of one upstream call. */
  finishCandidate(entry: CandidateReport, startedAt: number, completion: Completion | undefined, error?: unknown, cancelled = false): void {
    entry.latencyMs = round(performance.now() - startedAt);
    if (completion) {
      entry.text = completion.text;
      entry.finishReason = completion.finishReason;
      if (completion.usage) entry.usage = completion.usage;
      this.#links.set(completion, entry.index);
    }
    if (cancelled) entry.cancelled = true;
    if (error !== undefined && !cancelled) entry.error = describeError(error);
    this.#emit({ type: 'candidate', candidate: entry });
  }
}

/** `{ name, message }` of anything thrown, for the JSON report. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
