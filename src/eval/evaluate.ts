import { z } from 'zod';
import type { CallOptions, Scorer } from '../interfaces.js';
import { RewardgateError, ValidationError } from '../errors.js';
import { validate } from '../internal/validate.js';
import type { Message } from '../types.js';
import { RewardBenchRowSchema, type RewardBenchRow } from './rewardbench-row.js';
import { summarizeRewardBench, type RewardBenchSummary } from './summarize.js';

/** Options of {@link evaluateRewardBench}. */
export interface EvaluateOptions extends CallOptions {
  /** Rows per scorer call (each row sends two conversations). Default 16. */
  batchSize?: number;
  /** Called after each batch with rows done and rows in all. */
  onProgress?: (done: number, total: number) => void;
}

/** One row's scores. A row is right only when chosen scores strictly higher (a tie is wrong). */
export interface RowOutcome {
  id: string | number | undefined;
  subset: string;
  chosen: number;
  rejected: number;
  correct: boolean;
}

/** The summary plus each row's scores. */
export interface RewardBenchResult extends RewardBenchSummary {
  outcomes: RowOutcome[];
}

/**
 * Scores RewardBench rows with any Scorer (local ONNX, NIM, Triton) and summarizes them the
 * way the RewardBench leaderboard does. Rows are validated first; a bad row throws a
 * ValidationError naming `rows[i]` and the field.
 *
 * @example
 * const scorer = await loadScorer({ path: './models/tiny-reward' });
 * const result = await evaluateRewardBench(rows, scorer);
 * console.log(result.sections, result.overall);
 */
export async function evaluateRewardBench(rows: readonly unknown[], scorer: Scorer, options: EvaluateOptions = {}): Promise<RewardBenchResult> {
  const parsed: RewardBenchRow[] = rows.map((row, i) => validate(RewardBenchRowSchema, row, `rows[${i}]`));
  const batchSize = validate(z.number().int().positive().default(16), options.batchSize, 'evaluateRewardBench options: batchSize');
  const outcomes: RowOutcome[] = [];
  for (let start = 0; start < parsed.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = parsed.slice(start, start + batchSize);
    const conversations = [...batch.map((r) => pair(r.prompt, r.chosen)), ...batch.map((r) => pair(r.prompt, r.rejected))];
    const scores = await scorer.score(conversations, { signal: options.signal }).catch((error: unknown) => {
      throw atRow(error, start, batch.length);
    });
    if (scores.length !== conversations.length) {
      throw new RewardgateError(`The scorer returned ${scores.length} scores for ${conversations.length} conversations`);
    }
    batch.forEach((row, i) => {
      const chosen = scores[i]!.value;
      const rejected = scores[i + batch.length]!.value;
      outcomes.push({ id: row.id, subset: row.subset, chosen, rejected, correct: chosen > rejected });
    });
    options.onProgress?.(outcomes.length, parsed.length);
  }
  return { ...summarizeRewardBench(outcomes), outcomes };
}

const pair = (prompt: string, answer: string): Message[] => [
  { role: 'user', content: prompt },
  { role: 'assistant', content: answer },
];

// The scorer names a refused conversation by its place in the batch (`[k]...`, chosen answers
// first): name the caller's row and field instead.
function atRow(error: unknown, start: number, rows: number): unknown {
  if (!(error instanceof ValidationError)) return error;
  const at = /^\[(\d+)\]/.exec(error.issues[0]?.path ?? '');
  if (!at) return error;
  const k = Number(at[1]);
  const own = error.issues.filter((issue) => issue.path.startsWith(`[${k}]`));
  return new ValidationError(`rows[${start + (k % rows)}]`, own.map((issue) => ({ path: k < rows ? 'chosen' : 'rejected', message: issue.message })), { cause: error });
}
