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
   * Records a refusal or rejection. `refused`: the result is replaced by a refusal; otherwise the
   * answer is returned but marked rejected (or the middleware will try again).
   */
  reject(by: string, reason: string, options: { refused: boolean; rejected?: boolean; completion?: Completion }): void {
    if (options.refused) this.data.refused = true;
    if (options.rejected) this.data.rejected = true;
    this.data.reasons.push({ by, reason });
    const index = options.completion ? this.candidateOf(options.completion) : undefined;
    this.#emit({ type: 'rejection', by, reason, candidate: index ?? null, refused: options.refused });
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
