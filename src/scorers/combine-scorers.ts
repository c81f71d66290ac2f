import * as z from 'zod/mini';
import { RewardgateError } from '../errors.js';
import type { Scorer } from '../interfaces.js';
import { allOrCancel } from '../internal/all-or-cancel.js';
import { validate } from '../internal/validate.js';
import type { Score } from '../types.js';
import { ScorerSchema } from '../pipeline/option-schemas.js';

const ScorersSchema = z.array(ScorerSchema).check(z.minLength(1, 'give at least one scorer'));

/**
 * Any scorer may accept: the value is the highest of the scorers' values, so a threshold passes
 * when any one of them reaches it. Use scorers on one scale. `attributes` holds each value (`s0`, `s1`...).
 *
 * @example
 * scoreThreshold({ scorer: someScorer(strictRubric, lenientRubric), min: 0.8 });
 */
export function someScorer(...scorers: Scorer[]): Scorer {
  return combine('someScorer', scorers, Math.max);
}

/**
 * Every scorer must accept: the value is the lowest of the scorers' values, so a threshold passes
 * only when all of them reach it. Use scorers on one scale.
 *
 * @example
 * scoreThreshold({ scorer: everyScorer(helpfulness, correctness), min: 0.5 });
 */
export function everyScorer(...scorers: Scorer[]): Scorer {
  return combine('everyScorer', scorers, Math.min);
}

function combine(where: string, scorers: Scorer[], pick: (...values: number[]) => number): Scorer {
  validate(ScorersSchema, scorers, `${where} scorers`);
  return {
    async score(conversations, options) {
      // The first failure decides the outcome: the other scorer calls are cancelled, not left running.
      const all = await allOrCancel(options?.signal, scorers.map((s) => (signal: AbortSignal) => s.score(conversations, { ...options, signal })));
      all.forEach((scores, k) => {
        if (!Array.isArray(scores) || scores.length !== conversations.length) {
          const got = Array.isArray(scores) ? scores.length : 'no';
          throw new RewardgateError(`${where}: scorer ${k} returned ${got} scores for ${conversations.length} conversation(s)`);
        }
      });
      return conversations.map((_, i): Score => {
        const values = all.map((scores) => scores[i]!.value);
        return { value: pick(...values), attributes: Object.fromEntries(values.map((v, k) => [`s${k}`, v])) };
      });
    },
  };
}
