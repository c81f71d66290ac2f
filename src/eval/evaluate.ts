import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { detectRewardBenchFormat, type RewardBenchFormat } from './detect-format.js';
import { answerConversation } from './prompt.js';
import { RewardBenchRowSchema, type RewardBenchRow } from './rewardbench-row.js';
import { RewardBench2RowSchema, type RewardBench2Row } from './rewardbench2-row.js';
import { bestOfNResult, parseTiesId } from './rewardbench2-scoring.js';
import { rewardBench2Subset } from './rewardbench2-subsets.js';
import { scoreRows, type RowConversations } from './score-batches.js';
import { summarizeRewardBench, type RewardBenchSummary } from './summarize.js';
import { summarizeRewardBench2, type RewardBench2Summary } from './summarize-v2.js';

/** Options of {@link evaluateRewardBench}. */
export interface EvaluateOptions extends CallOptions {
  /** Rows per scorer call (a v1 row sends two conversations, a v2 row one per answer). Default 16. */
  batchSize?: number;
  /** Called after each batch with rows done and rows in all. */
  onProgress?: (done: number, total: number) => void;
  /** `'rb1'`, `'rb2'`, or `'auto'` (default): RewardBench 2 when the first row's `chosen` is a list. */
  format?: RewardBenchFormat | 'auto';
  /** The subset of rows that have none. Default `'default'`. */
  defaultSubset?: string;
}

/** One RewardBench (v1) row's scores. A row is right only when chosen scores strictly higher (a tie is wrong). */
export interface RowOutcome {
  id: string | number | undefined;
  subset: string;
  chosen: number;
  rejected: number;
  correct: boolean;
}

/** One RewardBench 2 row's scores. */
export interface RowOutcome2 {
  id: string | number | undefined;
  subset: string;
  /** One score per answer: chosen answers first, then rejected. */
  scores: number[];
  numCorrect: number;
  /** Best-of-n result (1, 1/k on a k-way tie at the top, or 0); null in Ties, which is scored as a whole. */
  result: number | null;
}

/** A RewardBench (v1) evaluation: the summary plus each row's scores. */
export interface RewardBenchResult extends RewardBenchSummary {
  format: 'rb1';
  outcomes: RowOutcome[];
}

/** A RewardBench 2 evaluation: the summary plus each row's scores. */
export interface RewardBench2Result extends RewardBench2Summary {
  outcomes: RowOutcome2[];
}

/** Either evaluation; `format` tells which. */
export type AnyRewardBenchResult = RewardBenchResult | RewardBench2Result;

const OptionsSchema = z.object({
  batchSize: z._default(z.int().check(z.positive()), 16),
  format: z._default(z.enum(['rb1', 'rb2', 'auto']), 'auto'),
  defaultSubset: z._default(z.string().check(z.minLength(1)), 'default'),
});

/**
 * Scores RewardBench rows with any Scorer (local ONNX, NIM, Triton) and summarizes them the way
 * the official code does. RewardBench 1 rows (`chosen` a string): a row is right when chosen
 * out-scores rejected; sections weighted with the official example counts. RewardBench 2 rows
 * (`chosen` a list): best-of-n with 1/k for a k-way tie at the top, the Ties formula, overall the
 * mean of the six subsets. Rows are validated first; a bad row throws a ValidationError naming
 * `rows[i]` and the field.
 *
 * @example
 * const scorer = await loadScorer({ path: './models/tiny-reward' });
 * const result = await evaluateRewardBench(rows, scorer);
 * if (result.format === 'rb2') console.log(result.subsets.Ties?.score, result.overall);
 * else console.log(result.sections, result.overall);
 */
export async function evaluateRewardBench(rows: readonly unknown[], scorer: Scorer, options: EvaluateOptions & { format: 'rb1' }): Promise<RewardBenchResult>;
export async function evaluateRewardBench(rows: readonly unknown[], scorer: Scorer, options: EvaluateOptions & { format: 'rb2' }): Promise<RewardBench2Result>;
export async function evaluateRewardBench(rows: readonly unknown[], scorer: Scorer, options?: EvaluateOptions): Promise<AnyRewardBenchResult>;
export async function evaluateRewardBench(rows: readonly unknown[], scorer: Scorer, options: EvaluateOptions = {}): Promise<AnyRewardBenchResult> {
  const opts = validate(OptionsSchema, { batchSize: options.batchSize, format: options.format, defaultSubset: options.defaultSubset }, 'evaluateRewardBench options');
  const checked = checkRewardBenchRows(rows, opts.format, opts.defaultSubset);
  const batch = { batchSize: opts.batchSize, signal: options.signal, onProgress: options.onProgress };
  if (checked.format === 'rb1') {
    const parsed = checked.rows;
    const tasks: RowConversations[] = parsed.map((r) => ({ conversations: [answerConversation(r.prompt, r.chosen), answerConversation(r.prompt, r.rejected)], fields: ['chosen', 'rejected'] }));
    const scores = await scoreRows(tasks, scorer, batch);
    const outcomes = parsed.map((r, i): RowOutcome => {
      const [chosen, rejected] = scores[i] as [number, number];
      return { id: r.id, subset: r.subset ?? opts.defaultSubset, chosen, rejected, correct: chosen > rejected };
    });
    return { format: 'rb1', ...summarizeRewardBench(outcomes), outcomes };
  }
  const parsed = checked.rows;
  const tasks: RowConversations[] = parsed.map(({ row }) => ({
    conversations: [...row.chosen, ...row.rejected].map((answer) => answerConversation(row.prompt, answer)),
    fields: [...row.chosen.map((_, j) => `chosen[${j}]`), ...row.rejected.map((_, j) => `rejected[${j}]`)],
  }));
  const scores = await scoreRows(tasks, scorer, batch);
  const outcomes = parsed.map(({ row, subset, numCorrect }, i): RowOutcome2 => ({
    id: row.id,
    subset,
    scores: scores[i]!,
    numCorrect,
    result: rewardBench2Subset(subset) === 'Ties' ? null : bestOfNResult(scores[i]!),
  }));
  return { ...summarizeRewardBench2(outcomes), outcomes };
}

type CheckedRows =
  | { format: 'rb1'; rows: RewardBenchRow[] }
  | { format: 'rb2'; rows: Array<{ row: RewardBench2Row; subset: string; numCorrect: number }> };

/**
 * Internal (the CLI checks a file before loading any model): the format and the validated rows,
 * or a ValidationError naming `rows[i]` and the field.
 */
export function checkRewardBenchRows(rows: readonly unknown[], format: RewardBenchFormat | 'auto' = 'auto', defaultSubset = 'default'): CheckedRows {
  const chosen = format === 'auto' ? detectRewardBenchFormat(rows) : format;
  if (chosen === 'rb1') return { format: 'rb1', rows: rows.map((row, i) => validate(RewardBenchRowSchema, row, `rows[${i}]`)) };
  return {
    format: 'rb2',
    rows: rows.map((row, i) => {
      const r = validate(RewardBench2RowSchema, row, `rows[${i}]`);
      const subset = r.subset ?? defaultSubset;
      const numCorrect = r.num_correct ?? r.chosen.length;
      if (rewardBench2Subset(subset) === 'Ties') checkTiesRow(r.id, numCorrect, r.chosen.length + r.rejected.length, `rows[${i}]`);
      return { row: r, subset, numCorrect };
    }),
  };
}

// The Ties formula needs the prompt number from the id and at least one correct and one incorrect answer.
function checkTiesRow(id: string | number | undefined, numCorrect: number, total: number, where: string): void {
  if (id === undefined || !parseTiesId(String(id))) {
    throw new ValidationError(where, [{ path: 'id', message: `a Ties row needs an id of the form ref:N or tied:N, got ${JSON.stringify(id ?? null)}` }]);
  }
  if (numCorrect >= total) {
    throw new ValidationError(where, [{ path: 'num_correct', message: `a Ties row needs at least one incorrect answer (num_correct ${numCorrect} of ${total} answers)` }]);
  }
}
