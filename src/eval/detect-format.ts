import { ValidationError } from '../errors.js';

/** The two RewardBench row formats: v1 pairs (`chosen` a string) and v2 best-of-n (`chosen` a list). */
export type RewardBenchFormat = 'rb1' | 'rb2';

/**
 * The format of a file's rows, from the first row: `chosen` as a list of answers is RewardBench 2,
 * a string is RewardBench 1. Rows that disagree are then reported by the format's own validation.
 *
 * @example
 * detectRewardBenchFormat([{ prompt: 'q', chosen: ['a'], rejected: ['b', 'c', 'd'] }]); // 'rb2'
 */
export function detectRewardBenchFormat(rows: readonly unknown[], where = 'rows'): RewardBenchFormat {
  const first = rows[0];
  const chosen = first && typeof first === 'object' ? (first as { chosen?: unknown }).chosen : undefined;
  if (Array.isArray(chosen)) return 'rb2';
  if (typeof chosen === 'string') return 'rb1';
  throw new ValidationError(`${where}[0]`, [{ path: 'chosen', message: 'expected a string (RewardBench) or a list of answers (RewardBench 2); cannot tell the format' }]);
}
