import { RewardgateError, ValidationError } from '../errors.js';
import type { Scorer } from '../interfaces.js';
import type { Message, Score } from '../types.js';

/**
 * Where scores already paid for are kept, keyed by conversation (one cache per scorer). The CLI's
 * `--cache DIR` keeps one on disk; any store (a Map, Redis, a file) fits.
 *
 * @example
 * const memory = new Map<string, Score>();
 * const cache: ScoreCache = {
 *   async get(keys) { return keys.map((k) => memory.get(k)); },
 *   async set(entries) { for (const [k, s] of entries) memory.set(k, s); },
 * };
 */
export interface ScoreCache {
  /** The cached score of each key, undefined where there is none. */
  get(keys: readonly string[]): Promise<Array<Score | undefined>>;
  /** Stores scores just computed. */
  set(entries: ReadonlyArray<readonly [string, Score]>): Promise<void>;
}

/**
 * The key of a conversation: canonical JSON (object keys sorted), so the same turns read from
 * JSONL or parquet, with their fields in any order, share one key.
 *
 * @example
 * conversationKey([{ role: 'user', content: 'Hi' }]) === conversationKey([{ content: 'Hi', role: 'user' }]); // true
 */
export function conversationKey(conversation: readonly Message[]): string {
  return canonical(conversation);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A Scorer that answers cached conversations from `cache` and sends only the others to `scorer`,
 * storing their scores as they come: an interrupted evaluation resumes without scoring (or
 * paying for) a conversation twice.
 *
 * @example
 * const result = await evaluateRewardBench(rows, cachedScorer(nimReward({ model }), cache));
 */
export function cachedScorer(scorer: Scorer, cache: ScoreCache): Scorer {
  return {
    async score(conversations, options) {
      const keys = conversations.map(conversationKey);
      const known = await cache.get(keys);
      const missing = keys.map((_, i) => i).filter((i) => known[i] === undefined);
      if (missing.length === 0) return known as Score[];
      const fresh = await scorer.score(missing.map((i) => conversations[i]!), options).catch((error: unknown) => {
        throw renumber(error, missing);
      });
      if (fresh.length !== missing.length) throw new RewardgateError(`The scorer returned ${fresh.length} scores for ${missing.length} conversations`);
      await cache.set(missing.map((i, j) => [keys[i]!, fresh[j]!] as const));
      const out = [...known];
      missing.forEach((i, j) => (out[i] = fresh[j]));
      return out as Score[];
    },
  };
}

// The inner scorer saw only the misses: its `[j]` is the caller's `[missing[j]]`.
function renumber(error: unknown, missing: number[]): unknown {
  if (!(error instanceof ValidationError)) return error;
  const issues = error.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^\[(\d+)\]/, (m, j: string) => (missing[Number(j)] === undefined ? m : `[${missing[Number(j)]}]`)) }));
  const where = /^Invalid (.*?): /.exec(error.message)?.[1] ?? 'conversations';
  return new ValidationError(where, issues, { cause: error });
}
