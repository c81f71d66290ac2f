// The evaluation's own costs, side by side in one run, on a RewardBench 2-sized file (1,865 rows,
// four answers of about 600 characters each): reading it as parquet (hyparquet) against JSONL
// (JSON.parse per line); evaluateRewardBench against a bare loop over the same in-process scorer;
// the on-disk score cache, cold (every score appended) and warm (every score read back).
// Ratios of medians; the scorer costs nothing here, so the ratios are the evaluation's overhead.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openDiskScoreCache } from '../src/cli/disk-score-cache.js';
import { readRows } from '../src/cli/read-rows.js';
import { cachedScorer, evaluateRewardBench } from '../src/eval/index.js';
import type { Scorer } from '../src/interfaces.js';

const ROWS = 1865;
const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const answer = (i: number, j: number) => `Answer ${j} to prompt ${i}: ${'some words of a fairly long answer '.repeat(17)}`;
const subsets = ['Factuality', 'Precise IF', 'Math', 'Safety', 'Focus'];
const rows = Array.from({ length: ROWS }, (_, i) => ({
  id: String(i), prompt: `Prompt number ${i}: ${'a question about something '.repeat(8)}`,
  chosen: [answer(i, 0)], rejected: [answer(i, 1), answer(i, 2), answer(i, 3)], num_correct: 1, total_completions: 4, subset: subsets[i % 5]!,
}));

const dir = await mkdtemp(join(tmpdir(), 'rewardgate-bench-eval-'));
const jsonl = join(dir, 'rb2.jsonl');
const parquet = join(dir, 'rb2.parquet');
await writeFile(jsonl, rows.map((r) => JSON.stringify(r)).join('\n'));
const list = (name: string) => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];
const str = (name: string) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
const i64 = (name: string) => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' });
const schema = [{ name: 'root', num_children: 7 }, str('id'), str('prompt'), ...list('chosen'), ...list('rejected'), i64('num_correct'), i64('total_completions'), str('subset')];
const columnData = ['id', 'prompt', 'chosen', 'rejected', 'num_correct', 'total_completions', 'subset'].map((name) => ({
  name, data: rows.map((r) => (name.startsWith('num') || name.startsWith('total') ? BigInt((r as Record<string, unknown>)[name] as number) : (r as Record<string, unknown>)[name])),
}));
await writeFile(parquet, Buffer.from(parquetWriteBuffer({ columnData, schema: schema as never, codec: 'SNAPPY' })));

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
async function compare(label: string, ours: () => Promise<unknown>, base: () => Promise<unknown>, baseLabel: string) {
  const a: number[] = [];
  const b: number[] = [];
  await ours(); // warm-up, not measured
  await base();
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) (b.push(await time(base)), a.push(await time(ours)));
    else (a.push(await time(ours)), b.push(await time(base)));
  }
  console.log(`${label.padEnd(44)} ${median(a).toFixed(1).padStart(8)} ms  vs ${baseLabel.padEnd(30)} ${median(b).toFixed(1).padStart(8)} ms  ratio ${(median(a) / median(b)).toFixed(2)}`);
}

const scorer: Scorer = { score: async (cs) => cs.map((c, i) => ({ value: (i * 7919) % 13 + c.length })) };
const bare = async () => {
  for (let s = 0; s < rows.length; s += 16) {
    const batch = rows.slice(s, s + 16).flatMap((r) => [...r.chosen, ...r.rejected].map((a) => [{ role: 'user' as const, content: r.prompt }, { role: 'assistant' as const, content: a }]));
    await scorer.score(batch);
  }
};
try {
  console.log(`RewardBench 2-sized file: ${ROWS} rows, ${ROWS * 4} answers`);
  await compare('readRows parquet (hyparquet)', () => readRows(parquet), async () => (await readRows(jsonl)).values, 'readRows JSONL');
  const values = (await readRows(jsonl)).values;
  await compare('evaluateRewardBench (rb2)', () => evaluateRewardBench(values, scorer), bare, 'bare loop, same scorer');
  let n = 0;
  await compare('cachedScorer + disk cache, cold', async () => evaluateRewardBench(values, cachedScorer(scorer, await openDiskScoreCache(join(dir, `cold-${n++}`), 'x', 'x'))), () => evaluateRewardBench(values, scorer), 'evaluateRewardBench, no cache');
  const warm = join(dir, 'warm');
  await evaluateRewardBench(values, cachedScorer(scorer, await openDiskScoreCache(warm, 'x', 'x')));
  await compare('cachedScorer + disk cache, warm (all hits)', async () => evaluateRewardBench(values, cachedScorer(scorer, await openDiskScoreCache(warm, 'x', 'x'))), () => evaluateRewardBench(values, scorer), 'evaluateRewardBench, no cache');
} finally {
  await rm(dir, { recursive: true, force: true });
}
