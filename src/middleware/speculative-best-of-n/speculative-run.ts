// Internal: one speculativeBestOfN call. All candidates advance to a checkpoint (each then waits
// with no read pending), are scored in one batch, and the weakest are closed; repeat until one
// is left (it streams live) or all survivors have finished (rescored, the best is replayed).
import { candidateRequest } from '../../pipeline/seeds.js';
import { RewardgateError, UserAbortError } from '../../errors.js';
import { raceAbort } from '../../internal/abortable-sleep.js';
import { linkAbortSignals } from '../../internal/merge-abort-signals.js';
import type { ChatRequest, Score } from '../../types.js';
import { describeError } from '../../pipeline/report.js';
import { rank, scoreAnswers } from '../../pipeline/scoring.js';
import type { SpeculativeBestOfNOptions } from './speculative-best-of-n.js';
import { SpeculativeCandidate } from './speculative-candidate.js';
import { DEFAULT_CHECKPOINTS, schedule, summarize, survivors } from './speculative-plan.js';
import type { LayerEvent, PipelineContext, StreamNext } from '../../pipeline/types.js';

const BY = 'speculativeBestOfN';

export async function* speculativeRun(ctx: PipelineContext, next: StreamNext, opts: SpeculativeBestOfNOptions): AsyncGenerator<LayerEvent> {
  const scope = linkAbortSignals([ctx.signal]);
  const since = ctx.report.data.candidates.length;
  const messages = ctx.request.messages;
  const scoring = { reasoning: opts.scoreReasoning, cache: ctx.report.scoreCache(opts.scorer, messages) };
  const plan = schedule(opts.checkpoints ?? DEFAULT_CHECKPOINTS);
  const keep = opts.keep ?? 0.5;
  const minSurvivors = opts.minSurvivors ?? 1;
  // The engine seeds candidate i: the request's seed, else sampling.seed, else a random base; plus i.
  const baseSeed = opts.sampling?.seed ?? 'random';
  const all = Array.from({ length: opts.n }, (_, i) => {
    const link = linkAbortSignals([scope.signal]);
    const request = candidateRequest(ctx.request, opts.sampling);
    return new SpeculativeCandidate(i, next(request, { signal: link.signal, labels: { sample: i }, fanOutIndex: i, baseSeed }), link);
  });
  // Candidates still in the race: running, or finished with an answer that is not a refusal.
  const pool = () => all.filter((c) => c.state === 'running' || (c.state === 'finished' && c.completion!.finishReason !== 'refused'));
  const indexOf = (c: SpeculativeCandidate) => (c.index ??= ctx.report.candidateUnder({ ...ctx.labels, sample: c.sample }, since));
  // A refusal from an inner layer (toolPolicy, safety) carries no usage, yet its model calls
  // generated tokens: their usage in the report (every attempt under this sample) is what it cost.
  const generatedUnder = (c: SpeculativeCandidate): number | undefined => {
    const labels: Record<string, number> = { ...ctx.labels, sample: c.sample };
    const calls = ctx.report.data.candidates.slice(since).filter((e) => Object.keys(labels).every((k) => e.labels[k] === labels[k]));
    return calls.some((e) => e.usage) ? calls.reduce((sum, e) => sum + (e.usage?.completionTokens ?? 0), 0) : undefined;
  };
  const abortCheck = () => {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? new UserAbortError('aborted');
  };
  let checkpoints = 0;
  let done = false;

  try {
    for (let k = 0; ; k++) {
      const live = pool();
      if (live.length <= 1 || !live.some((c) => c.state === 'running')) break;
      const at = plan.at(k);
      // Past the last checkpoint the survivors run to the end.
      await Promise.all(live.map((c) => c.advance(plan.unit, at ?? Number.POSITIVE_INFINITY)));
      abortCheck();
      // Everyone finished before this checkpoint: the final choice scores them once.
      if (at === undefined || !pool().some((c) => c.state === 'running')) break;
      if (await checkpoint(k + 1, at)) checkpoints++;
    }
    const left = pool();
    let winner: SpeculativeCandidate;
    if (left.length === 1 && left[0]!.state === 'running') {
      // The last one streams live: what it buffered, then each event as it is read.
      winner = left[0]!;
      let sent = 0;
      for (;;) {
        while (sent < winner.events.length) yield winner.events[sent++]!;
        if (winner.state !== 'running') break;
        await winner.step();
      }
      abortCheck();
      if (winner.state === 'failed') throw winner.failure;
      if (opts.final !== 'checkpoint') await rescore([winner]);
    } else {
      winner = await choose(left);
      yield* winner.events;
    }
    for (const c of all) if (c.completion && !c.completion.usage) c.generated = generatedUnder(c);
    ctx.report.spent(summarize(BY, all, checkpoints), all.map((c) => ({ candidate: indexOf(c), tokens: c.tokens })));
    done = true;
    yield { type: 'finish', completion: winner.completion! };
  } finally {
    // Whatever ended the call (the answer, an abort, an error, a consumer that stopped reading),
    // no candidate is left running.
    const reason = done ? new RewardgateError(`${BY}: decided`) : (ctx.signal?.reason ?? new UserAbortError(`${BY}: stopped`));
    scope.abort(reason);
    await Promise.all(all.map((c) => (c.state === 'running' || c.state === 'pruned' ? c.close(reason) : (c.release(), undefined))));
    scope.dispose();
  }

  /** Scores the pool, prunes the weakest; false when the scorer failed and `onScorerError` is 'continue'. */
  async function checkpoint(number: number, at: number): Promise<boolean> {
    const live = pool();
    let scores: Score[];
    try {
      // Raced with the signal: a scorer that ignores it still cannot hold the call.
      scores = await raceAbort(scoreAnswers(opts.scorer, messages, live.map((c) => c.partial()), { ...scoring, signal: scope.signal }), scope.signal);
    } catch (error) {
      abortCheck();
      if (opts.onScorerError === 'throw') throw error;
      ctx.report.checkpoint({ type: 'checkpoint', by: BY, checkpoint: number, at, scores: [], kept: live.map((c) => c.sample), error: describeError(error) });
      return false;
    }
    live.forEach((c, i) => {
      c.score = scores[i]!;
      if (c.completion && !c.finalScored) {
        c.finalScored = true;
        ctx.report.score(c.completion, c.score, BY);
      }
    });
    const ranked = [...live].sort(byScore);
    const kept = ranked.slice(0, survivors(live.length, keep, minSurvivors));
    const entries = live.map((c) => ({ candidate: indexOf(c) ?? null, sample: c.sample, checkpoint: number, tokens: c.tokens, score: c.score!, finished: c.completion !== undefined }));
    ctx.report.checkpoint({ type: 'checkpoint', by: BY, checkpoint: number, at, scores: entries, kept: kept.map((c) => c.sample).sort((a, b) => a - b) });
    for (const c of ranked.slice(kept.length)) {
      const wasRunning = c.state === 'running';
      c.state = 'pruned';
      ctx.report.pruned({ type: 'pruned', by: BY, candidate: indexOf(c) ?? null, sample: c.sample, checkpoint: number, score: c.score!, tokens: c.tokens });
      // Aborted now, so no further tokens are paid for; the stream unwinds in the background.
      if (wasRunning) void c.close(new RewardgateError(`${BY}: pruned at checkpoint ${number}`));
    }
    return true;
  }

  async function rescore(finished: SpeculativeCandidate[]): Promise<void> {
    const todo = finished.filter((c) => !c.finalScored);
    if (!todo.length) return;
    const scores = await raceAbort(scoreAnswers(opts.scorer, messages, todo.map((c) => c.completion!), { ...scoring, signal: scope.signal }), scope.signal);
    todo.forEach((c, i) => {
      c.score = scores[i]!;
      c.finalScored = true;
      ctx.report.score(c.completion!, c.score, BY);
    });
  }

  async function choose(left: SpeculativeCandidate[]): Promise<SpeculativeCandidate> {
    if (left.length === 0) {
      const refusal = all.find((c) => c.state === 'finished');
      if (refusal) return refusal; // every answer was refused by an inner rail
      throw all.find((c) => c.state === 'failed')?.failure ?? new RewardgateError(`${BY}: no candidate finished`);
    }
    // 'checkpoint' ranks by the last score; candidates never scored (no checkpoint ran) are scored now.
    await rescore(opts.final === 'checkpoint' ? left.filter((c) => !c.score) : left);
    return [...left].sort(byScore)[0]!;
  }
}

// Highest score first; ties go to the lowest sample.
function byScore(a: SpeculativeCandidate, b: SpeculativeCandidate): number {
  return rank(b.score) - rank(a.score) || a.sample - b.sample;
}
