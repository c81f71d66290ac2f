// Local ONNX models on CPU, each figure side by side with its baseline in the same run:
// 1. micro-batching of the scorer: 256 concurrent single-conversation score() calls on tiny-reward,
//    coalesced into batches, against the same calls run as batches of one;
// 2. generation (bench/onnx-generation.ts): rewardgate against transformers.js on the same weights.
import { readFileSync } from 'node:fs';
import { loadScorer, type LocalScorer } from '../src/onnx/index.js';
import type { Message } from '../src/types.js';

const root = new URL('../', import.meta.url);
const path = new URL('test/fixtures/models/tiny-reward', root).pathname;
const rows = readFileSync(new URL('test/fixtures/rewardbench-sample.jsonl', root), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { prompt: string; chosen: string; rejected: string });
const conversations: Message[][] = [];
for (const r of rows) {
  conversations.push([{ role: 'user', content: r.prompt }, { role: 'assistant', content: r.chosen }]);
  conversations.push([{ role: 'user', content: r.prompt }, { role: 'assistant', content: r.rejected }]);
}
const CALLS = 256;
const calls = conversations.slice(0, CALLS);
const ROUNDS = 5;

/** Fires every call at once and waits for all; returns calls per second. */
async function concurrent(scorer: LocalScorer): Promise<number> {
  const start = performance.now();
  await Promise.all(calls.map((c) => scorer.score([c])));
  return CALLS / ((performance.now() - start) / 1000);
}

async function median(scorer: LocalScorer): Promise<number> {
  await concurrent(scorer); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await concurrent(scorer));
  return rates.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

const batched = await loadScorer({ path, device: 'cpu', batchSize: 32, maxWaitMs: 2 });
const single = await loadScorer({ path, device: 'cpu', batchSize: 1, maxWaitMs: 0 });
// Interleaved rounds would share warm caches equally; medians of several rounds smooth noise.
const one = await median(single);
const many = await median(batched);
const stats = batched.stats();
console.log(`tiny-reward, CPU, ${CALLS} concurrent score() calls of one conversation each (median of ${ROUNDS} rounds):`);
console.log(`  batches of one (baseline)      ${one.toFixed(0).padStart(7)} calls/s`);
console.log(`  micro-batched (batchSize 32)   ${many.toFixed(0).padStart(7)} calls/s  ${(many / one).toFixed(2)}x  (average batch ${(stats.sequences / stats.runs).toFixed(1)})`);
await Promise.all([batched.close(), single.close()]);

await import('./onnx-generation.js');
