import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScoreCache } from '../eval/score-cache.js';
import type { Score } from '../types.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/** A ScoreCache in a folder, with the file it appends to. */
export interface DiskScoreCache extends ScoreCache {
  file: string;
  /** Entries loaded from an earlier run. */
  loaded: number;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * One append-only JSONL file per scorer in `dir` (`<name>-<hash of scorer id>.jsonl`), one line
 * `{"k": sha256(conversation), "v": value}` per score, appended after each batch. A run killed
 * mid-write leaves at most a torn last line, which is skipped on the next load.
 */
export async function openDiskScoreCache(dir: string, scorerId: string, name: string): Promise<DiskScoreCache> {
  await mkdir(dir, { recursive: true });
  const slug = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-60) || 'scorer';
  const file = join(dir, `${slug}-${sha(scorerId).slice(0, 12)}.jsonl`);
  const scores = new Map<string, Score>();
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as { k: string; v: number; a?: Record<string, number> };
      if (typeof entry.k === 'string' && typeof entry.v === 'number') scores.set(entry.k, entry.a ? { value: entry.v, attributes: entry.a } : { value: entry.v });
    } catch {
      // A torn line from an interrupted write: that score is simply computed again.
    }
  }
  const loaded = scores.size;
  // A torn last line must not swallow the first line appended after it.
  let lead = text !== '' && !text.endsWith('\n') ? '\n' : '';
  return {
    file,
    loaded,
    async get(keys) {
      return keys.map((k) => scores.get(sha(k)));
    },
    async set(entries) {
      if (entries.length === 0) return;
      let lines = lead;
      lead = '';
      for (const [key, score] of entries) {
        const k = sha(key);
        scores.set(k, score);
        lines += `${JSON.stringify(omitUndefined({ k, v: score.value, a: score.attributes }))}\n`;
      }
      await appendFile(file, lines);
    },
  };
}
