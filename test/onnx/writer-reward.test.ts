// tiny-writer-reward (test/fixtures/make/make_writer_reward.py): a 3-layer reward model for
// tiny-writer's long answers, trained to score a whole answer by writer_data.py's quality and a
// partial one by the quality of the answer it grows into. loadScorer runs it as it runs tiny-reward.
// Only parity is tested here: how well it judges (held-out correlation 0.81 on whole answers, 0.35-0.58
// from 48 tokens on) is measured in its README and by the rerank bench, not asserted.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScorer, type LocalScorer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { MODELS } from './fixtures.js';

const DIR = `${MODELS}/tiny-writer-reward`;
interface Refs {
  cases: { messages: Message[]; input_ids: number[]; partial: boolean; quality: number; score: number }[];
}
const refs = JSON.parse(readFileSync(`${DIR}/refs-writer-reward.json`, 'utf8')) as Refs;

let scorer: LocalScorer;
beforeAll(async () => {
  scorer = await loadScorer({ path: DIR, device: 'cpu' });
});
afterAll(() => scorer.close());

describe('tiny-writer-reward through loadScorer (CPU)', () => {
  it('encodes each reference conversation to its ids and reproduces the PyTorch score within 1e-4, batched', async () => {
    expect(refs.cases.some((c) => c.partial) && refs.cases.some((c) => !c.partial)).toBe(true);
    // The longest whole answer is over 400 tokens: it fits the scorer's 512 without truncation.
    expect(Math.max(...refs.cases.map((c) => c.input_ids.length))).toBeGreaterThan(400);
    expect(scorer.maxLength).toBe(512);
    for (const c of refs.cases) expect(scorer.tokenizer.encodeChat(c.messages)).toEqual(c.input_ids);
    const scores = await scorer.score(refs.cases.map((c) => c.messages));
    scores.forEach((s, i) => expect(Math.abs(s.value - refs.cases[i]!.score)).toBeLessThan(1e-4));
  });
});
