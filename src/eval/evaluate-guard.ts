import * as z from 'zod/mini';
import type { CallOptions, Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { labelGuardRow, type LabelledConversation } from './guard-row.js';
import { summarizeGuard, type GuardEvalSummary, type GuardRowOutcome } from './summarize-guard.js';

/** Options of {@link evaluateGuard}. */
export interface EvaluateGuardOptions extends CallOptions {
  /** Checks in flight at once (a local guard batches them into one run). Default 4. */
  concurrency?: number;
  /** What to judge: `'auto'` (default: the response when the row has one and a label for it), `'prompt'` or `'response'`. */
  target?: 'auto' | 'prompt' | 'response';
  /** Called as rows finish with rows done and rows in all. */
  onProgress?: (done: number, total: number) => void;
}

/** A guard evaluation: the summary plus each row's outcome, in row order. */
export interface GuardEvalResult extends GuardEvalSummary {
  outcomes: GuardRowOutcome[];
}

const OptionsSchema = z.object({
  concurrency: z._default(z.int().check(z.positive()), 4),
  target: z._default(z.enum(['auto', 'prompt', 'response']), 'auto'),
});

/**
 * Runs a Guard over labelled rows (safe / unsafe, optional categories; the columns of Aegis 2.0,
 * ToxicChat or plain `prompt` / `response` / `label` / `categories`, see GuardRowSchema) and
 * reports precision, recall, F1 and false-positive rate overall and per category, the category
 * confusion and the latency of each check. Rows are validated before any check runs.
 *
 * @example
 * const guard = await loadGuard({ path: './models/tiny-guard' });
 * const result = await evaluateGuard(rows, guard);
 * console.log(result.overall.f1, result.categories.violence?.recall, result.latency.p95Ms);
 */
export async function evaluateGuard(rows: readonly unknown[], guard: Guard, options: EvaluateGuardOptions = {}): Promise<GuardEvalResult> {
  const opts = validate(OptionsSchema, { concurrency: options.concurrency, target: options.target }, 'evaluateGuard options');
  const labelled = rows.map((row, i) => labelGuardRow(row, opts.target, `rows[${i}]`));
  const outcomes: GuardRowOutcome[] = new Array(labelled.length);
  let next = 0;
  let done = 0;
  let failedOnce = false;
  // A failed check stops the others from starting new ones; the error thrown is the first one.
  const worker = async () => {
    while (next < labelled.length && !failedOnce) {
      options.signal?.throwIfAborted();
      const i = next++;
      try {
        outcomes[i] = await checkOne(labelled[i]!, guard, options.signal);
      } catch (error) {
        failedOnce = true;
        throw error;
      }
      options.onProgress?.(++done, labelled.length);
    }
  };
  const workers = Array.from({ length: Math.min(opts.concurrency, labelled.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return { ...summarizeGuard(outcomes), outcomes };
}

async function checkOne(row: LabelledConversation, guard: Guard, signal: AbortSignal | undefined): Promise<GuardRowOutcome> {
  const started = performance.now();
  const verdict = await guard.check(row.conversation, { signal });
  const latencyMs = performance.now() - started;
  return {
    id: row.id,
    target: row.target,
    expected: { unsafe: row.unsafe, categories: row.categories },
    predicted: { unsafe: !verdict.safe, categories: [...new Set(verdict.categories.map((c) => c.category))] },
    latencyMs,
    failedToParse: verdict.failedToParse === true,
  };
}
