// RewardBench 2's six subsets, as the dataset names them; the leaderboard score is their plain mean.

/**
 * The six RewardBench 2 subsets, in the leaderboard's order.
 *
 * @example
 * for (const subset of REWARDBENCH2_SUBSETS) console.log(subset, result.subsets[subset]?.score);
 */
export const REWARDBENCH2_SUBSETS = ['Factuality', 'Precise IF', 'Math', 'Safety', 'Focus', 'Ties'] as const;
/** One of RewardBench 2's six subsets. */
export type RewardBench2Subset = (typeof REWARDBENCH2_SUBSETS)[number];

const normalize = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');
const BY_NAME = new Map<string, RewardBench2Subset>(REWARDBENCH2_SUBSETS.map((s) => [normalize(s), s]));

/**
 * The official subset a name stands for, ignoring case and separators (`precise_if`, `Precise IF`,
 * `ties`), or undefined for any other name (reported on its own, outside the overall score).
 *
 * @example
 * rewardBench2Subset('precise-if'); // 'Precise IF'
 * rewardBench2Subset('my-subset');  // undefined
 */
export function rewardBench2Subset(name: string): RewardBench2Subset | undefined {
  return BY_NAME.get(normalize(name));
}
