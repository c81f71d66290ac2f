// Internal: the arithmetic of speculativeBestOfN: where checkpoints fall, how many survive one,
// and what the run spent against full best-of-n.
import type { Measure, SpeculativeCandidate } from './speculative-candidate.js';
import type { SpeculativeCheckpoints } from './speculative-best-of-n.js';
import type { SpeculativeSummary } from '../../pipeline/types.js';

export const DEFAULT_CHECKPOINTS: SpeculativeCheckpoints = { everyTokens: 32 };

export interface Schedule {
  unit: Measure;
  /** The threshold of checkpoint `k` (0-based), or undefined past the last. */
  at(k: number): number | undefined;
}

export function schedule(checkpoints: SpeculativeCheckpoints): Schedule {
  if (Array.isArray(checkpoints)) return { unit: 'tokens', at: (k) => checkpoints[k] };
  if ('everyTokens' in checkpoints) return { unit: 'tokens', at: (k) => (k + 1) * checkpoints.everyTokens };
  return { unit: 'chars', at: (k) => (k + 1) * checkpoints.everyChars };
}

/** How many of `pool` candidates a checkpoint keeps: round(keep × pool), at least minSurvivors. */
export function survivors(pool: number, keep: number, minSurvivors: number): number {
  return Math.min(pool, Math.max(minSurvivors, Math.round(keep * pool), 1));
}

/**
 * Tokens spent, and the estimate for full best-of-n: a finished candidate counts as what it
 * generated, a pruned one as the mean length of the finished ones (at least what it generated).
 */
export function summarize(by: string, candidates: readonly SpeculativeCandidate[], checkpoints: number): SpeculativeSummary {
  const finished = candidates.filter((c) => c.completion);
  const mean = finished.length ? finished.reduce((s, c) => s + c.tokens, 0) / finished.length : Math.max(0, ...candidates.map((c) => c.tokens));
  const tokens = candidates.reduce((s, c) => s + c.tokens, 0);
  const fullEstimate = Math.round(candidates.reduce((s, c) => s + (c.completion ? c.tokens : Math.max(c.tokens, mean)), 0));
  const pruned = candidates.filter((c) => c.state === 'pruned').length;
  return { by, n: candidates.length, checkpoints, pruned, tokens, fullEstimate, ratio: fullEstimate ? Math.round((tokens / fullEstimate) * 1000) / 1000 : 1 };
}
