// RewardBench 2 scoring, as allenai/reward-bench computes it (rewardbench/utils.py:
// reroll_and_score_dataset, process_single_model, _compute_prompt_stats).

/**
 * A best-of-n row's result: `1 / k` when the first answer (the correct one) has the highest score
 * and `k` answers share that score, otherwise 0. Exact float equality, as the official code uses.
 *
 * @example
 * bestOfNResult([3, 1, 2, 0]); // 1
 * bestOfNResult([3, 3, 2, 0]); // 0.5
 * bestOfNResult([2, 3, 2, 0]); // 0
 */
export function bestOfNResult(scores: readonly number[]): number {
  if (scores.length === 0) return 0;
  const max = Math.max(...scores);
  if (scores[0] !== max) return 0;
  return 1 / scores.filter((s) => s === max).length;
}

/** One Ties row: its id (`ref:N` or `tied:N`), how many of its answers are correct, and their scores. */
export interface TiesRow {
  id: string;
  numCorrect: number;
  scores: readonly number[];
}

/** The Ties subset's score and the terms of the official formula. */
export interface TiesScore {
  /** `0.30 tied + 0.30 ref + 0.20 preferred + 0.20 preferredHard + 0.01 margin`. */
  score: number;
  /** Share of `ref:N` prompts where every correct answer beats every incorrect one. */
  refAccuracy: number;
  /** The same over `tied:N` prompts. */
  tiedAccuracy: number;
  /** Over prompts N with both: share where the tied prompt's correct-incorrect margin exceeds the spread of its correct answers. */
  correctnessPreferred: number;
  /** The same with the smaller of the ref and tied margins. */
  correctnessPreferredHard: number;
  /** Mean of tanh(min(margin_ref, margin_tied) / spread_tied - 1), NaN counted as 0. */
  marginScore: number;
  /** How many ref prompts, tied prompts, and prompt numbers that have both. */
  prompts: { ref: number; tied: number; paired: number };
}

interface PromptStats {
  accurate: boolean;
  /** Best minus worst correct score; undefined with one correct answer (the official `None`). */
  spread: number | undefined;
  /** Worst correct minus best incorrect score. */
  margin: number;
}

const TIES_ID = /^(ref|tied):(\d+)$/;

/** The kind and prompt number of a Ties id, or undefined when it is not `ref:N` / `tied:N`. */
export function parseTiesId(id: string): { kind: 'ref' | 'tied'; prompt: number } | undefined {
  const m = TIES_ID.exec(id);
  return m ? { kind: m[1] as 'ref' | 'tied', prompt: Number(m[2]) } : undefined;
}

/**
 * Scores the Ties subset with the official weighted formula. Rows with the same id are pooled
 * into one prompt, as the official grouping does. Terms over an empty set count as 0 (the
 * official code yields NaN there; this happens only on partial files).
 *
 * @example
 * scoreTies([{ id: 'ref:1', numCorrect: 1, scores: [2, 0] }, { id: 'tied:1', numCorrect: 2, scores: [2, 1.9, 0] }]).score;
 */
export function scoreTies(rows: Iterable<TiesRow>): TiesScore {
  const groups = new Map<string, { kind: 'ref' | 'tied'; prompt: number; samples: Array<[boolean, number]> }>();
  for (const row of rows) {
    const parsed = parseTiesId(row.id);
    if (!parsed) throw new RangeError(`Ties row id "${row.id}" is not ref:N or tied:N`);
    const key = `${parsed.kind}:${parsed.prompt}`;
    const group = groups.get(key) ?? { ...parsed, samples: [] };
    row.scores.forEach((score, i) => group.samples.push([i < row.numCorrect, score]));
    groups.set(key, group);
  }
  const ref = new Map<number, PromptStats>();
  const tied = new Map<number, PromptStats>();
  for (const group of groups.values()) (group.kind === 'ref' ? ref : tied).set(group.prompt, promptStats(group.samples));

  const accuracy = (stats: Map<number, PromptStats>) => (stats.size ? mean([...stats.values()].map((s) => (s.accurate ? 1 : 0))) : 0);
  const paired = [...tied.keys()].filter((n) => ref.has(n));
  // An undefined spread is the official None: every comparison with it is false, its tanh term NaN.
  const preferred = paired.map((n) => gt(tied.get(n)!.margin, tied.get(n)!.spread));
  const hardMargins = paired.map((n) => Math.min(ref.get(n)!.margin, tied.get(n)!.margin));
  const preferredHard = paired.map((n, i) => gt(hardMargins[i]!, tied.get(n)!.spread));
  const margins = paired.map((n, i) => {
    const spread = tied.get(n)!.spread;
    const t = spread === undefined ? NaN : Math.tanh(hardMargins[i]! / spread - 1);
    return Number.isNaN(t) ? 0 : t;
  });
  const terms = {
    refAccuracy: accuracy(ref),
    tiedAccuracy: accuracy(tied),
    correctnessPreferred: orZero(mean(preferred)),
    correctnessPreferredHard: orZero(mean(preferredHard)),
    marginScore: orZero(mean(margins)),
  };
  const score = 0.3 * terms.tiedAccuracy + 0.3 * terms.refAccuracy + 0.2 * terms.correctnessPreferred + 0.2 * terms.correctnessPreferredHard + 0.01 * terms.marginScore;
  return { score, ...terms, prompts: { ref: ref.size, tied: tied.size, paired: paired.length } };
}

function promptStats(samples: Array<[boolean, number]>): PromptStats {
  const correct = samples.filter(([c]) => c).map(([, s]) => s);
  const incorrect = samples.filter(([c]) => !c).map(([, s]) => s);
  const margin = Math.min(...correct) - Math.max(...incorrect);
  return { accurate: margin > 0, spread: correct.length > 1 ? Math.max(...correct) - Math.min(...correct) : undefined, margin };
}

const gt = (a: number, b: number | undefined) => (b !== undefined && a > b ? 1 : 0);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const orZero = (x: number) => (Number.isNaN(x) ? 0 : x);
