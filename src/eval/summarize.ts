import { REWARDBENCH_SECTIONS, sectionOf, subsetWeight, type RewardBenchSection } from './sections.js';

/** Accuracy on one subset. `section` is undefined for subsets outside the section mapping. */
export interface SubsetResult {
  correct: number;
  total: number;
  accuracy: number;
  section: RewardBenchSection | undefined;
  /** The weight of this subset inside its section. */
  weight: number;
}

/** The RewardBench summary: per subset, per section (weighted), and the overall score. */
export interface RewardBenchSummary {
  subsets: Record<string, SubsetResult>;
  /** Only the sections that had rows. */
  sections: Partial<Record<RewardBenchSection, number>>;
  /** Plain mean of the sections that had rows (the leaderboard's score when all four have rows); null when none had. */
  overall: number | null;
  /** Rows scored and rows right, over every subset (a plain, unweighted accuracy; null without rows). */
  rows: { correct: number; total: number; accuracy: number | null };
}

/**
 * Turns per-row outcomes into the RewardBench summary: subset accuracies, sections as weighted
 * means of their subsets, overall as the mean of the sections present.
 *
 * @example
 * summarizeRewardBench([{ subset: 'chat', correct: true }, { subset: 'chat', correct: false }]);
 * // { subsets: { chat: { accuracy: 0.5, ... } }, sections: { Chat: 0.5 }, overall: 0.5, ... }
 */
export function summarizeRewardBench(outcomes: Iterable<{ subset: string; correct: boolean }>): RewardBenchSummary {
  const counts = new Map<string, { correct: number; total: number }>();
  let correct = 0;
  let total = 0;
  for (const o of outcomes) {
    const c = counts.get(o.subset) ?? { correct: 0, total: 0 };
    c.total++;
    total++;
    if (o.correct) {
      c.correct++;
      correct++;
    }
    counts.set(o.subset, c);
  }

  const subsets: Record<string, SubsetResult> = {};
  for (const [name, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    subsets[name] = { ...c, accuracy: c.correct / c.total, section: sectionOf(name), weight: subsetWeight(name, c.total) };
  }

  const sections: Partial<Record<RewardBenchSection, number>> = {};
  for (const section of REWARDBENCH_SECTIONS) {
    const members = Object.values(subsets).filter((s) => s.section === section);
    const weight = members.reduce((sum, s) => sum + s.weight, 0);
    if (weight > 0) sections[section] = members.reduce((sum, s) => sum + s.accuracy * s.weight, 0) / weight;
  }
  const present = Object.values(sections);
  const overall = present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
  return { subsets, sections, overall, rows: { correct, total, accuracy: total ? correct / total : null } };
}
