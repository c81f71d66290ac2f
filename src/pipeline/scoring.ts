// Internal: scores answers to one prompt in one batch, each distinct text once.
import { RewardgateError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import type { Message, Score } from '../types.js';

/** Scores of `texts` as answers after `messages`, in the order given. */
export async function scoreAnswers(scorer: Scorer, messages: readonly Message[], texts: readonly string[], options?: CallOptions): Promise<Score[]> {
  const unique = [...new Set(texts)];
  const conversations = unique.map((content) => [...messages, { role: 'assistant' as const, content }]);
  const scores = await scorer.score(conversations, options);
  if (!Array.isArray(scores) || scores.length !== unique.length) {
    throw new RewardgateError(`The scorer returned ${Array.isArray(scores) ? scores.length : 'no'} scores for ${unique.length} conversations`);
  }
  const byText = new Map(unique.map((t, i) => [t, scores[i]!]));
  return texts.map((t) => byText.get(t)!);
}

/** A score usable for ranking: NaN ranks last. */
export function rank(score: Score | undefined): number {
  const v = score?.value;
  return typeof v === 'number' && !Number.isNaN(v) ? v : Number.NEGATIVE_INFINITY;
}
