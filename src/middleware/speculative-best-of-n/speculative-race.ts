// Internal: the state of one speculativeBestOfN call: its candidates, the checkpoints that prune
// them, and the choice of the winner. speculative-run.ts drives it as a stream.
import { candidateRequest } from '../../pipeline/seeds.js';
import { RewardgateError, UserAbortError } from '../../errors.js';
import { raceAbort } from '../../internal/abortable-sleep.js';
import { linkAbortSignals } from '../../internal/merge-abort-signals.js';
import type { Score } from '../../types.js';
import { describeError } from '../../pipeline/report.js';
import { rank, scoreAnswers } from '../../pipeline/scoring.js';
import type { SpeculativeBestOfNOptions } from './speculative-best-of-n.js';
import { SpeculativeCandidate } from './speculative-candidate.js';
import { DEFAULT_CHECKPOINTS, schedule, summarize, survivors } from './speculative-plan.js';
import type { LayerEvent, PipelineContext, StreamNext } from '../../pipeline/types.js';

export const BY = 'speculativeBestOfN';

export class SpeculativeRace {
  readonly #ctx: PipelineContext;
  readonly #opts: SpeculativeBestOfNOptions;
  readonly #scope: ReturnType<typeof linkAbortSignals>;
  readonly #since: number;
  readonly #scoring: { reasoning: boolean | undefined; cache: ReturnType<PipelineContext['report']['scoreCache']> };
  readonly #all: SpeculativeCandidate[];
  #checkpoints = 0;

  constructor(ctx: PipelineContext, next: StreamNext, opts: SpeculativeBestOfNOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#scope = linkAbortSignals([ctx.signal]);
    this.#since = ctx.report.data.candidates.length;
    this.#scoring = { reasoning: opts.scoreReasoning, cache: ctx.report.scoreCache(opts.scorer, ctx.request.messages) };
    // The engine seeds candidate i: the request's seed, else sampling.seed, else a random base; plus i.
    const baseSeed = opts.sampling?.seed ?? 'random';
    this.#all = Array.from({ length: opts.n }, (_, i) => {
      const link = linkAbortSignals([this.#scope.signal]);
      const request = candidateRequest(ctx.request, opts.sampling);
      return new SpeculativeCandidate(i, next(request, { signal: link.signal, labels: { sample: i }, fanOutIndex: i, baseSeed }), link);
    });
  }

  /** Advances all candidates checkpoint by checkpoint, pruning, until one is left or all have finished. */
  async runCheckpoints(): Promise<void> {
    const plan = schedule(this.#opts.checkpoints ?? DEFAULT_CHECKPOINTS);
    for (let k = 0; ; k++) {
      const live = this.#pool();
      if (live.length <= 1 || !live.some((c) => c.state === 'running')) return;
      const at = plan.at(k);
      // Past the last checkpoint the survivors run to the end.
      await Promise.all(live.map((c) => c.advance(plan.unit, at ?? Number.POSITIVE_INFINITY)));
      this.#abortCheck();
      // Everyone finished before this checkpoint: the final choice scores them once.
      if (at === undefined || !this.#pool().some((c) => c.state === 'running')) return;
      if (await this.#checkpoint(k + 1, at)) this.#checkpoints++;
    }
  }

  /** Yields the winner's events: the last runner live (what it buffered, then each event as read), else the best finished one. */
  async *deliverWinner(): AsyncGenerator<LayerEvent, SpeculativeCandidate> {
    const left = this.#pool();
    if (left.length !== 1 || left[0]!.state !== 'running') {
      const winner = await this.#choose(left);
      yield* winner.events;
      return winner;
    }
    const winner = left[0]!;
    let sent = 0;
    for (;;) {
      while (sent < winner.events.length) yield winner.events[sent++]!;
      if (winner.state !== 'running') break;
      await winner.step();
    }
    this.#abortCheck();
    if (winner.state === 'failed') throw winner.failure;
    if (this.#opts.final !== 'checkpoint') await this.#rescore([winner]);
    return winner;
  }

  /** Records the tokens every candidate spent against full best-of-n. */
  recordSpent(): void {
    for (const c of this.#all) if (c.completion && !c.completion.usage) c.generated = this.#generatedUnder(c);
    this.#ctx.report.spent(summarize(BY, this.#all, this.#checkpoints), this.#all.map((c) => ({ candidate: this.#indexOf(c), tokens: c.tokens })));
  }

  /** Closes every candidate still open, whatever ended the call: nothing is left running. */
  async close(decided: boolean): Promise<void> {
    const reason = decided ? new RewardgateError(`${BY}: decided`) : (this.#ctx.signal?.reason ?? new UserAbortError(`${BY}: stopped`));
    this.#scope.abort(reason);
    await Promise.all(this.#all.map((c) => (c.state === 'running' || c.state === 'pruned' ? c.close(reason) : (c.release(), undefined))));
    this.#scope.dispose();
  }

  // Candidates still in the race: running, or finished with an answer that is not a refusal.
  #pool(): SpeculativeCandidate[] {
    return this.#all.filter((c) => c.state === 'running' || (c.state === 'finished' && c.completion!.finishReason !== 'refused'));
  }

  #indexOf(c: SpeculativeCandidate): number | undefined {
    return (c.index ??= this.#ctx.report.candidateUnder({ ...this.#ctx.labels, sample: c.sample }, this.#since));
  }

  // A refusal from an inner layer (toolPolicy, safety) carries no usage, yet its model calls
  // generated tokens: their usage in the report (every attempt under this sample) is what it cost.
  #generatedUnder(c: SpeculativeCandidate): number | undefined {
    const labels: Record<string, number> = { ...this.#ctx.labels, sample: c.sample };
    const calls = this.#ctx.report.data.candidates.slice(this.#since).filter((e) => Object.keys(labels).every((k) => e.labels[k] === labels[k]));
    return calls.some((e) => e.usage) ? calls.reduce((sum, e) => sum + (e.usage?.completionTokens ?? 0), 0) : undefined;
  }

  #abortCheck(): void {
    const signal = this.#ctx.signal;
    if (signal?.aborted) throw signal.reason ?? new UserAbortError('aborted');
  }

  #score(answers: Parameters<typeof scoreAnswers>[2]): Promise<Score[]> {
    // Raced with the signal: a scorer that ignores it still cannot hold the call.
    const signal = this.#scope.signal;
    return raceAbort(scoreAnswers(this.#opts.scorer, this.#ctx.request.messages, answers, { ...this.#scoring, signal }), signal);
  }

  /** Scores the pool, prunes the weakest; false when the scorer failed and `onScorerError` is 'continue'. */
  async #checkpoint(number: number, at: number): Promise<boolean> {
    const live = this.#pool();
    let scores: Score[];
    try {
      scores = await this.#score(live.map((c) => c.partial()));
    } catch (error) {
      this.#abortCheck();
      if (this.#opts.onScorerError === 'throw') throw error;
      this.#ctx.report.checkpoint({ type: 'checkpoint', by: BY, checkpoint: number, at, scores: [], kept: live.map((c) => c.sample), error: describeError(error) });
      return false;
    }
    live.forEach((c, i) => this.#setScore(c, scores[i]!, c.completion !== undefined));
    const ranked = [...live].sort(byScore);
    const kept = ranked.slice(0, survivors(live.length, this.#opts.keep ?? 0.5, this.#opts.minSurvivors ?? 1));
    const entries = live.map((c) => ({ candidate: this.#indexOf(c) ?? null, sample: c.sample, checkpoint: number, tokens: c.tokens, score: c.score!, finished: c.completion !== undefined }));
    this.#ctx.report.checkpoint({ type: 'checkpoint', by: BY, checkpoint: number, at, scores: entries, kept: kept.map((c) => c.sample).sort((a, b) => a - b) });
    for (const c of ranked.slice(kept.length)) this.#prune(c, number);
    return true;
  }

  // A finished candidate's checkpoint score is its final score: reported once.
  #setScore(c: SpeculativeCandidate, score: Score, final: boolean): void {
    c.score = score;
    if (!final || c.finalScored) return;
    c.finalScored = true;
    this.#ctx.report.score(c.completion!, score, BY);
  }

  #prune(c: SpeculativeCandidate, checkpoint: number): void {
    const wasRunning = c.state === 'running';
    c.state = 'pruned';
    this.#ctx.report.pruned({ type: 'pruned', by: BY, candidate: this.#indexOf(c) ?? null, sample: c.sample, checkpoint, score: c.score!, tokens: c.tokens });
    // Aborted now, so no further tokens are paid for; the stream unwinds in the background.
    if (wasRunning) void c.close(new RewardgateError(`${BY}: pruned at checkpoint ${checkpoint}`));
  }

  async #rescore(finished: SpeculativeCandidate[]): Promise<void> {
    const todo = finished.filter((c) => !c.finalScored);
    if (!todo.length) return;
    const scores = await this.#score(todo.map((c) => c.completion!));
    todo.forEach((c, i) => this.#setScore(c, scores[i]!, true));
  }

  async #choose(left: SpeculativeCandidate[]): Promise<SpeculativeCandidate> {
    if (left.length === 0) {
      const refusal = this.#all.find((c) => c.state === 'finished');
      if (refusal) return refusal; // every answer was refused by an inner rail
      throw this.#all.find((c) => c.state === 'failed')?.failure ?? new RewardgateError(`${BY}: no candidate finished`);
    }
    // 'checkpoint' ranks by the last score; candidates never scored (no checkpoint ran) are scored now.
    await this.#rescore(this.#opts.final === 'checkpoint' ? left.filter((c) => !c.score) : left);
    return [...left].sort(byScore)[0]!;
  }
}

// Highest score first; ties go to the lowest sample.
function byScore(a: SpeculativeCandidate, b: SpeculativeCandidate): number {
  return rank(b.score) - rank(a.score) || a.sample - b.sample;
}
