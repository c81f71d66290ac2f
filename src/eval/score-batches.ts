// Internal: scores each row's conversations in batches of rows, and names the row and answer of a
// conversation the scorer refuses.
import { RewardgateError, ValidationError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import type { Message } from '../types.js';

/** One row's conversations and what to call each in an error (`chosen`, `rejected[2]`). */
export interface RowConversations {
  conversations: Message[][];
  fields: string[];
}

export interface BatchOptions extends CallOptions {
  batchSize: number;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Each row's score values, in row and answer order. */
export async function scoreRows(rows: readonly RowConversations[], scorer: Scorer, options: BatchOptions): Promise<number[][]> {
  const out: number[][] = [];
  for (let start = 0; start < rows.length; start += options.batchSize) {
    options.signal?.throwIfAborted();
    const batch = rows.slice(start, start + options.batchSize);
    const owners: Array<{ row: number; field: string }> = [];
    const conversations: Message[][] = [];
    batch.forEach((row, i) => row.conversations.forEach((c, j) => (conversations.push(c), owners.push({ row: start + i, field: row.fields[j]! }))));
    const scores = await scorer.score(conversations, { signal: options.signal }).catch((error: unknown) => {
      throw atRow(error, owners);
    });
    if (scores.length !== conversations.length) {
      throw new RewardgateError(`The scorer returned ${scores.length} scores for ${conversations.length} conversations`);
    }
    let k = 0;
    for (const row of batch) out.push(row.conversations.map(() => scores[k++]!.value));
    options.onProgress?.(out.length, rows.length);
  }
  return out;
}

// The scorer names a refused conversation by its place in the batch (`[k]...`): name the
// caller's row and answer instead.
function atRow(error: unknown, owners: Array<{ row: number; field: string }>): unknown {
  if (!(error instanceof ValidationError)) return error;
  const at = /^\[(\d+)\]/.exec(error.issues[0]?.path ?? '');
  const owner = at ? owners[Number(at[1])] : undefined;
  if (!owner) return error;
  const own = error.issues.filter((issue) => issue.path.startsWith(`[${at![1]}]`));
  return new ValidationError(`rows[${owner.row}]`, own.map((issue) => ({ path: owner.field, message: issue.message })), { cause: error });
}
