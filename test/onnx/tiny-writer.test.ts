// tiny-writer (test/fixtures/make/make_writer.py): tiny-agent's architecture and ONNX layout tuned
// to write long answers (150-450 tokens); loadChatModel runs it unchanged. Its references are
// PyTorch greedy decodes (agent_llama.py), up to 448 new tokens, so they cover most of its 512
// positions through the KV cache.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChatModel, type LocalChatModel, type LocalCompletion } from '../../src/onnx/index.js';
import type { ChatRequest, Message } from '../../src/types.js';
import { expectFirstStepLogits } from './first-step.js';
import { MODELS } from './fixtures.js';

const WRITER = `${MODELS}/tiny-writer`;

interface WriterCase {
  name: string;
  messages: Message[];
  prompt_text: string;
  prompt_ids: number[];
  greedy_ids: number[];
  greedy_text: string;
  first_step_top5: Array<{ id: number; logit: number }>;
}
const refs = JSON.parse(readFileSync(`${WRITER}/refs-writer.json`, 'utf8')) as { max_new_tokens: number; cases: WriterCase[] };
const { cases } = refs;
const requestOf = (c: WriterCase, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: c.messages, temperature: 0, max_tokens: refs.max_new_tokens, ...extra });

function check(c: WriterCase, completion: LocalCompletion) {
  expect(completion.tokenIds, c.name).toEqual(c.greedy_ids);
  expect(completion.text, c.name).toBe(c.greedy_text);
  expect(completion.finishReason, c.name).toBe(c.greedy_ids.at(-1) === 2 ? 'stop' : 'length');
}

let chat: LocalChatModel;
beforeAll(async () => {
  chat = await loadChatModel({ path: WRITER, device: 'cpu' });
});
afterAll(() => chat.close());

describe('tiny-writer (long answers, KV cache) on CPU', () => {
  it('renders and encodes every reference prompt as PyTorch did', () => {
    expect(chat.cached).toBe(true);
    expect(chat.maxLength).toBe(512);
    for (const c of cases) {
      const text = chat.tokenizer.render(c.messages, { addGenerationPrompt: true });
      expect(text, c.name).toBe(c.prompt_text);
      expect(chat.tokenizer.encode(text), c.name).toEqual(c.prompt_ids);
    }
  });

  it('the first step gives the reference top-5 logits', async () => {
    await expectFirstStepLogits(WRITER, cases);
  });

  it('greedy decoding reproduces every long reference answer, alone and all at once in shared steps', async () => {
    expect(Math.min(...cases.map((c) => c.greedy_ids.length))).toBeGreaterThan(150);
    check(cases[0]!, await chat.generate(requestOf(cases[0]!)));
    const before = chat.stats();
    const completions = await Promise.all(cases.map((c) => chat.generate(requestOf(c))));
    cases.forEach((c, i) => check(c, completions[i]!));
    const rows = chat.stats().rows - before.rows;
    expect(rows).toBe(cases.reduce((n, c) => n + c.greedy_ids.length, 0));
    expect(chat.stats().runs - before.runs).toBeLessThan(rows / 3);
  });

  it('streams the answer as text deltas that add up to it', async () => {
    const c = cases[1]!;
    const deltas: string[] = [];
    let completion: LocalCompletion | undefined;
    for await (const e of chat.stream(requestOf(c))) {
      if (e.type === 'text-delta') deltas.push(e.text);
      if (e.type === 'finish') completion = e.completion;
    }
    expect(deltas.length).toBeGreaterThan(50);
    expect(deltas.join('')).toBe(c.greedy_text);
    check(c, completion!);
  });

  it('sampled answers differ between seeds and repeat for one seed, batched or not', async () => {
    const request = (seed: number) => requestOf(cases[0]!, { temperature: 1, top_p: 0.95, seed });
    const [a, b, again] = await Promise.all([chat.generate(request(1)), chat.generate(request(2)), chat.generate(request(1))]);
    expect(a!.text).not.toBe(b!.text);
    expect(again!.tokenIds).toEqual(a!.tokenIds);
    expect((await chat.generate(request(1))).tokenIds).toEqual(a!.tokenIds);
  });
});
