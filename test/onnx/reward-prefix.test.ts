// tiny-reward-prefix (tiny-reward fine-tuned to judge partial answers, made by
// test/fixtures/make/make_reward_prefix.py): loadScorer reproduces its PyTorch scores on partial
// and whole answers, and it ranks partial answers by where they are heading.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScorer, type LocalScorer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { MODELS } from './fixtures.js';

const PREFIX = `${MODELS}/tiny-reward-prefix`;
interface Refs {
  cases: { messages: Message[]; input_ids: number[]; partial: boolean; score: number }[];
}
const refs = JSON.parse(readFileSync(`${PREFIX}/refs-reward-prefix.json`, 'utf8')) as Refs;
const answer = (prompt: string, text: string): Message[] => [{ role: 'user', content: prompt }, { role: 'assistant', content: text }];

let scorer: LocalScorer;
beforeAll(async () => {
  scorer = await loadScorer({ path: PREFIX, device: 'cpu' });
});
afterAll(() => scorer.close());

describe('tiny-reward-prefix through loadScorer (CPU)', () => {
  it('encodes each reference conversation to its ids and reproduces the PyTorch score within 1e-4, batched', async () => {
    expect(refs.cases.some((c) => c.partial) && refs.cases.some((c) => !c.partial)).toBe(true);
    for (const c of refs.cases) expect(scorer.tokenizer.encodeChat(c.messages)).toEqual(c.input_ids);
    const scores = await scorer.score(refs.cases.map((c) => c.messages));
    scores.forEach((s, i) => expect(Math.abs(s.value - refs.cases[i]!.score)).toBeLessThan(1e-4));
  });

  it('ranks openings by where they are heading: on topic, then off topic, then rude', async () => {
    const prompt = 'How do I bake bread?';
    const openings = ['Good question. First, mix flour', 'Good question. First, plant them', 'Why would you'];
    const [onTopic, offTopic, rude] = (await scorer.score(openings.map((o) => answer(prompt, o)))).map((s) => s.value);
    expect(onTopic).toBeGreaterThan(offTopic!);
    // A rude opening already scores about as low as a whole rude answer (tiny-reward, trained on whole answers, does not see it coming).
    const [rudeWhole] = await scorer.score([answer(prompt, 'Why would you ask me that? Search it.')]);
    expect(offTopic).toBeGreaterThan(rude!);
    expect(Math.abs(rude! - rudeWhole!.value)).toBeLessThan(3);
  });
});
