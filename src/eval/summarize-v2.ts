import { bestOfNResult, scoreTies, type TiesScore } from './rewardbench2-scoring.js';
import { REWARDBENCH2_SUBSETS, rewardBench2Subset, type RewardBench2Subset } from './rewardbench2-subsets.js';

/** What the summary needs of one scored RewardBench 2 row. */
export interface RewardBench2Scored {
  id: string | number | undefined;
  subset: string;
  /** One score per answer, chosen answers first. */
  scores: readonly number[];
  numCorrect: number;
}

/** One RewardBench 2 subset's score. */
export interface RewardBench2SubsetResult {
  rows: number;
  /** Best-of-n: the mean of the row results (1/k on a k-way tie at the top). Ties: the weighted formula. */
  score: number;
  /** Whether this is one of the six official subsets (counted in `overall`). */
  official: boolean;
  /** Ties only: the terms of the formula. */
  ties?: TiesScore;
}

/** The RewardBench 2 summary: per subset, and the overall score. */
export interface RewardBench2Summary {
  format: 'rb2';
  /** Keyed by the official name for the six (whatever case the file used), else by the file's name. */
  subsets: Record<string, RewardBench2SubsetResult>;
  /** Plain mean of the official subsets present (the leaderboard's score when all six are); null when none is. */
  overall: number | null;
  /** Rows scored. */
  rows: number;
}

/**
 * Turns scored RewardBench 2 rows into the summary: best-of-n results per subset (1/k on ties
 * at the top), the Ties subset by its own formula, overall as the mean of the official subsets.
 *
 * @example
 * summarizeRewardBench2([{ id: '1', subset: 'Math', scores: [2, 2, 1, 0], numCorrect: 1 }]).subsets.Math.score; // 0.5
 */
export function summarizeRewardBench2(rows: Iterable<RewardBench2Scored>): RewardBench2Summary {
  const groups = new Map<string, RewardBench2Scored[]>();
  let total = 0;
  for (const row of rows) {
    const name = rewardBench2Subset(row.subset) ?? row.subset;
    const group = groups.get(name);
    if (group) group.push(row);
    else groups.set(name, [row]);
    total++;
  }
  const order = (name: string) => {
    const i = REWARDBENCH2_SUBSETS.indexOf(name as RewardBench2Subset);
    return i < 0 ? REWARDBENCH2_SUBSETS.length : i;
  };
  const subsets: Record<string, RewardBench2SubsetResult> = {};
  for (const [name, members] of [...groups].sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))) {
    const official = rewardBench2Subset(name) !== undefined;
    if (name === 'Ties') {
      const ties = scoreTies(members.map((r) => ({ id: String(r.id), numCorrect: r.numCorrect, scores: r.scores })));
      subsets[name] = { rows: members.length, score: ties.score, official, ties };
    } else {
      const points = members.reduce((sum, r) => sum + bestOfNResult(r.scores), 0);
      subsets[name] = { rows: members.length, score: points / members.length, official };
    }
  }
  const present = Object.values(subsets).filter((s) => s.official);
  const overall = present.length ? present.reduce((sum, s) => sum + s.score, 0) / present.length : null;
  return { format: 'rb2', subsets, overall, rows: total };
}
