// Guards and scorers of a config, timed for /metrics: the same calls, their latency observed by
// config name and outcome. Only `check` / `score` are kept: it is all the pipeline calls.
import type { Guard, Scorer } from '../interfaces.js';
import type { GuardOutcome, ScorerOutcome, ServerMetrics } from './metrics.js';

const seconds = (started: number) => (performance.now() - started) / 1000;

/** `guard` with each call's latency in `rewardgate_guard_duration_seconds{guard=name}`. */
export function timedGuard(name: string, guard: Guard, metrics: ServerMetrics): Guard {
  return {
    async check(conversation, options) {
      const started = performance.now();
      let outcome: GuardOutcome = 'error';
      try {
        const verdict = await guard.check(conversation, options);
        outcome = verdict.safe ? 'safe' : 'unsafe';
        return verdict;
      } catch (error) {
        if (options?.signal?.aborted) outcome = 'cancelled';
        throw error;
      } finally {
        metrics.guardCall(name, outcome, seconds(started));
      }
    },
  };
}

/** `scorer` with each batch call's latency in `rewardgate_scorer_duration_seconds{scorer=name}`. */
export function timedScorer(name: string, scorer: Scorer, metrics: ServerMetrics): Scorer {
  return {
    async score(conversations, options) {
      const started = performance.now();
      let outcome: ScorerOutcome = 'error';
      try {
        const scores = await scorer.score(conversations, options);
        outcome = 'ok';
        return scores;
      } catch (error) {
        if (options?.signal?.aborted) outcome = 'cancelled';
        throw error;
      } finally {
        metrics.scorerCall(name, outcome, seconds(started));
      }
    },
  };
}
