// RewardBench evaluation with any Scorer.
export { evaluateRewardBench } from './evaluate.js';
export type { EvaluateOptions, RowOutcome, RewardBenchResult } from './evaluate.js';
export { summarizeRewardBench } from './summarize.js';
export type { RewardBenchSummary, SubsetResult } from './summarize.js';
export { RewardBenchRowSchema } from './rewardbench-row.js';
export type { RewardBenchRow } from './rewardbench-row.js';
export { REWARDBENCH_SECTIONS, sectionOf, subsetWeight } from './sections.js';
export type { RewardBenchSection } from './sections.js';
