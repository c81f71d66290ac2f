// The pipeline's cost, side by side in one run against the loopback OpenAI-compatible server,
// with rewardgate's client (createClient().chatModel()) as the model:
//  (a) a pass-through pipeline vs the plain client: added time per request and throughput;
//  (b) best-of-8 wall time vs the slowest single candidate alone;
//  (c) best-of-8 with `accept` vs without, on candidates of mixed latency.
import { messageText } from '../src/content.js';
import { createClient } from '../src/client/create-client.js';
import type { ChatModel as BaseChatModel } from '../src/interfaces.js';
import type { Completion } from '../src/types.js';

// Plain models and pipelines alike (a pipeline's stream carries more event types).
type ChatModel = BaseChatModel<Completion, { type: string }>;
import { bestOfN } from '../src/middleware/best-of-n/best-of-n.js';
import { pipeline } from '../src/pipeline/pipeline.js';
import { scorerFromFunction } from '../src/scorers/from-function.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

// Seed k answers "candidate k" after BON_DELAYS[k] ms (b), or after MIXED[k] ms (c).
const BON_DELAYS = [40, 45, 50, 55, 60, 65, 70, 80];
const MIXED = [400, 60, 250, 30, 300, 120, 350, 200];
const server = await startOpenAIServer((body) => {
  const seed: number = body?.seed ?? -1;
  if (body?.model === 'bon') return { text: `candidate ${seed}`, delayMs: BON_DELAYS[seed] ?? 0 };
  if (body?.model === 'mixed') return { text: `candidate ${seed}`, delayMs: MIXED[seed] ?? 0, chunkDelayMs: 5 };
  return { text: 'Hello from the fake server, a short answer of some words.' };
});
const client = createClient({ baseURL: server.baseURL, apiKey: 'bench-key', maxRetries: 0 });
const request = { messages: [{ role: 'user' as const, content: 'Say hello.' }] };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeSequential(model: ChatModel, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await model.generate(request);
  return (performance.now() - start) / n;
}
async function throughput(model: ChatModel, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await model.generate(request);
  }));
  return total / ((performance.now() - start) / 1000);
}
async function timeStream(model: ChatModel, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) for await (const _ of model.stream(request)) void _;
  return (performance.now() - start) / n;
}

// (a) Paired: one plain request, then one through the pipeline (order flipped each pair), so that
// load from anything else on the machine hits both alike; medians of per-request latencies.
const plain = client.chatModel('fake-model');
const passThrough = pipeline(plain, []);
async function once(model: ChatModel, streaming: boolean): Promise<number> {
  const t = performance.now();
  if (streaming) for await (const _ of model.stream(request)) void _;
  else await model.generate(request);
  return performance.now() - t;
}
async function paired(n: number, streaming: boolean): Promise<[number[], number[]]> {
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2) {
      b.push(await once(passThrough, streaming));
      a.push(await once(plain, streaming));
    } else {
      a.push(await once(plain, streaming));
      b.push(await once(passThrough, streaming));
    }
  }
  return [a, b];
}
await paired(300, false);
await paired(100, true);
const [seqPlain, seqPipe] = await paired(3000, false);
const [stPlain, stPipe] = await paired(1500, true);
const tpPlain: number[] = [], tpPipe: number[] = [];
for (let round = 0; round < 10; round++) {
  const sides: Array<[ChatModel, number[]]> = [[plain, tpPlain], [passThrough, tpPipe]];
  if (round % 2) sides.reverse();
  for (const [model, tp] of sides) tp.push(await throughput(model, 800, 16));
}

// (a') The same with an in-process model that answers at once: the pipeline's own cost, no network noise.
const instant: BaseChatModel = {
  generate: async () => ({ text: 'Hello.', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 } }),
  async *stream() {
    yield { type: 'text-delta' as const, text: 'Hello.' };
    yield { type: 'finish' as const, completion: { text: 'Hello.', finishReason: 'stop' as const } };
  },
};
const instantPipe = pipeline(instant, []);
const inPlain: number[] = [], inPipe: number[] = [], inStPlain: number[] = [], inStPipe: number[] = [];
for (let round = 0; round < 8; round++) {
  inPlain.push(await timeSequential(instant, 20_000));
  inPipe.push(await timeSequential(instantPipe, 20_000));
  inStPlain.push(await timeStream(instant, 20_000));
  inStPipe.push(await timeStream(instantPipe, 20_000));
}

// (b) Best-of-8 vs the slowest candidate (seed 7) alone; the scorer is free, so the ratio is overhead.
const scorer = scorerFromFunction((c) => Number(messageText(c.at(-1)!).split(' ')[1]));
const bon = pipeline(client.chatModel('bon'), [bestOfN({ n: 8, scorer, sampling: { seed: 0 } })]);
const slowest = client.chatModel('bon');
const bonTimes: number[] = [], slowTimes: number[] = [], parallelTimes: number[] = [];
for (let round = 0; round < 15; round++) {
  let t = performance.now();
  await slowest.generate({ ...request, seed: 7 });
  slowTimes.push(performance.now() - t);
  t = performance.now();
  await bon.generate(request);
  bonTimes.push(performance.now() - t);
  // The same 8 requests in parallel without rewardgate: what 8 concurrent calls cost by themselves.
  t = performance.now();
  await Promise.all(BON_DELAYS.map((_, seed) => slowest.generate({ ...request, seed })));
  parallelTimes.push(performance.now() - t);
}

// (c) Accept at score >= 5: candidate 5 (120 ms) is the first good one; the slowest takes 400 ms.
const mixedModel = client.chatModel('mixed');
const withAccept = pipeline(mixedModel, [bestOfN({ n: 8, scorer, accept: { min: 5 }, sampling: { seed: 0 } })]);
const withoutAccept = pipeline(mixedModel, [bestOfN({ n: 8, scorer, sampling: { seed: 0 } })]);
const accTimes: number[] = [], fullTimes: number[] = [];
let completedWithAccept = 0;
for (let round = 0; round < 7; round++) {
  let t = performance.now();
  const r = await withAccept.generate(request);
  accTimes.push(performance.now() - t);
  completedWithAccept += r.report.candidates.filter((c) => !c.cancelled && !c.error).length;
  t = performance.now();
  await withoutAccept.generate(request);
  fullTimes.push(performance.now() - t);
}
await server.close();

const row = (name: string, base: string, ours: string, ratio: string) => console.log(`  ${name.padEnd(44)} ${base.padStart(14)} ${ours.padStart(14)} ${ratio.padStart(10)}`);
const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log('pipeline benchmark (loopback OpenAI-compatible server, medians):');
row('', 'baseline', 'rewardgate', 'ratio');
row('(a) generate, sequential, median latency', ms(median(seqPlain)), ms(median(seqPipe)), `${(median(seqPipe) / median(seqPlain)).toFixed(3)}x`);
row('    added per request', '', ms(median(seqPipe) - median(seqPlain)), 'goal <0.3');
row('(a) generate, 16 concurrent, requests/s', median(tpPlain).toFixed(0), median(tpPipe).toFixed(0), `${(median(tpPipe) / median(tpPlain)).toFixed(3)}x`);
row('(a) stream, sequential, median latency', ms(median(stPlain)), ms(median(stPipe)), `${(median(stPipe) / median(stPlain)).toFixed(3)}x`);
row("(a') in-process model, generate, per call", ms(median(inPlain)), ms(median(inPipe)), `+${((median(inPipe) - median(inPlain)) * 1000).toFixed(1)} µs`);
row("(a') in-process model, stream, per call", ms(median(inStPlain)), ms(median(inStPipe)), `+${((median(inStPipe) - median(inStPlain)) * 1000).toFixed(1)} µs`);
row('(b) best-of-8 vs slowest single candidate', ms(median(slowTimes)), ms(median(bonTimes)), `${(median(bonTimes) / median(slowTimes)).toFixed(3)}x`);
row('    vs the same 8 calls in parallel, no pipeline', ms(median(parallelTimes)), ms(median(bonTimes)), `${(median(bonTimes) / median(parallelTimes)).toFixed(3)}x`);
row('(c) best-of-8 accept vs without, mixed', ms(median(fullTimes)), ms(median(accTimes)), `${(median(accTimes) / median(fullTimes)).toFixed(3)}x`);
row('    candidates run to the end, per call', '8', (completedWithAccept / 7).toFixed(1), '');
