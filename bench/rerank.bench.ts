// speculativeBestOfN against bestOfN, same n, same scorer, same prompts and seeds, in one run.
//  (a) Offline on the fixture models (tiny-chat writes, tiny-reward scores), n = 8 and 16, over
//      PROMPTS prompts (fixed seeds): mean reward of the returned answer (its whole text scored
//      again by the same scorer), tokens generated (the decoder's sequence steps, i.e. what the
//      model computed, rows paused at a checkpoint included), time to first token, wall time.
//  (b) A loopback OpenAI-compatible server streaming with a per-token delay (hosted conditions):
//      tokens generated (usage of finished candidates plus the chunks read of pruned ones) and
//      wall time.
// Prompts run CONCURRENCY at a time in both arms (the local decoder batches across them).
// tiny-chat's export has no KV cache, so each step re-runs the sequence: the full run costs about
// 6 CPU-minutes (13.6 min of wall time on the loaded, shared 2-core machine); RERANK_PROMPTS=20
// and RERANK_N=8 make a quick look.
import { messageText } from '../src/content.js';
import { createClient } from '../src/client/create-client.js';
import type { ChatModel, Scorer } from '../src/interfaces.js';
import { loadChatModel, loadScorer } from '../src/onnx/index.js';
import { bestOfN } from '../src/pipeline/best-of-n.js';
import { pipeline } from '../src/pipeline/pipeline.js';
import { speculativeBestOfN } from '../src/pipeline/speculative-best-of-n.js';
import type { GuardedCompletion, Middleware } from '../src/pipeline/types.js';
import { scorerFromFunction } from '../src/scorers/from-function.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

const PROMPTS = Number(process.env.RERANK_PROMPTS ?? 100);
const CONCURRENCY = 8;
const SIZES = (process.env.RERANK_N ?? '8,16').split(',').map(Number);
// tiny-chat answers run ~35 tokens and tiny-reward judges very short prefixes poorly: offline
// checks every 16 tokens; the loopback answers (48 tokens) every 8.
const CHECKPOINTS = { everyTokens: Number(process.env.RERANK_EVERY ?? 16) };
const HOSTED_CHECKPOINTS = { everyTokens: 8 };
const models = new URL('../test/fixtures/models/', import.meta.url).pathname;

// Everyday prompts in the shapes tiny-chat was trained on.
const TOPICS = ['bake bread', 'cook rice', 'plan a trip', 'start a garden', 'fix a flat tire', 'back up files', 'write an email', 'study for an exam', 'clean a laptop screen', 'save money', 'learn to swim', 'grow tomatoes', 'make coffee', 'paint a room', 'train a puppy', 'run a 5k', 'stay focused', 'sleep better', 'learn a language', 'organize a closet'];
const SHAPES = [(t: string) => `How do I ${t}?`, (t: string) => `Give me tips to ${t}.`, (t: string) => `What is the best way to ${t}?`, (t: string) => `I want to ${t}. Where do I start?`, (t: string) => `Can you explain how to ${t}?`];
const prompts = Array.from({ length: PROMPTS }, (_, i) => SHAPES[Math.floor(i / TOPICS.length) % SHAPES.length]!(TOPICS[i % TOPICS.length]!));

interface Run {
  completion: GuardedCompletion;
  firstMs: number;
}

async function streamOne(model: ChatModel<GuardedCompletion, { type: string }>, prompt: string, seed: number): Promise<Run> {
  const started = performance.now();
  let firstMs = Number.NaN;
  for await (const e of model.stream({ messages: [{ role: 'user', content: prompt }], seed, temperature: 1 }) as AsyncIterable<{ type: string; completion?: GuardedCompletion }>) {
    if (e.type === 'text-delta' && Number.isNaN(firstMs)) firstMs = performance.now() - started;
    if (e.type === 'finish') return { completion: e.completion!, firstMs: Number.isNaN(firstMs) ? performance.now() - started : firstMs };
  }
  throw new Error('no finish');
}

async function arm(model: ChatModel, middleware: Middleware, count: number, prompt: (i: number) => string) {
  const guarded = pipeline(model, [middleware]);
  const runs = new Array<Run>(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < count; i = next++) runs[i] = await streamOne(guarded, prompt(i), 1000 + i * 100);
  }));
  return { runs, wallMs: performance.now() - started };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Tokens the candidates generated, from the reports: usage when finished, counted chunks when cut.
const reportTokens = (runs: Run[]) => runs.reduce((s, r) => s + r.completion.report.candidates.reduce((t, c) => t + (c.tokens ?? c.usage?.completionTokens ?? 0), 0), 0);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

async function finalRewards(scorer: Scorer, runs: Run[]): Promise<number> {
  const scores = await scorer.score(runs.map((r, i) => [{ role: 'user', content: prompts[i]! }, { role: 'assistant', content: r.completion.text }]));
  return mean(scores.map((s) => s.value));
}

// ── (a) offline ──────────────────────────────────────────────────────────────────────
const chat = await loadChatModel({ path: `${models}tiny-chat`, device: 'cpu', batchSize: 64 });
const reward = await loadScorer({ path: `${models}tiny-reward`, device: 'cpu' });
console.log(`offline: ${PROMPTS} prompts, tiny-chat + tiny-reward on CPU, ${CONCURRENCY} prompts at a time, checkpoints every ${CHECKPOINTS.everyTokens} tokens, keep 0.5`);
await arm(chat, bestOfN({ n: 4, scorer: reward }), 8, (i) => prompts[i]!); // warm-up
// Rows print as they are measured (a long run shows its progress).
const WIDTHS = [46, 9, 12, 24];
const rows = {
  push(r: string[]) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join('  '));
  },
};
rows.push(['measure', 'bestOfN', 'speculative', 'speculative / bestOfN']);
for (const n of SIZES) {
  const measured: Record<string, { runs: Run[]; wallMs: number; steps: number }> = {};
  for (const [name, mw] of [['bestOfN', bestOfN({ n, scorer: reward })], ['speculative', speculativeBestOfN({ n, scorer: reward, checkpoints: CHECKPOINTS })]] as const) {
    const before = chat.stats().rows;
    const r = await arm(chat, mw, PROMPTS, (i) => prompts[i]!);
    measured[name] = { ...r, steps: chat.stats().rows - before };
  }
  const b = measured.bestOfN!, s = measured.speculative!;
  const [rb, rs] = [await finalRewards(reward, b.runs), await finalRewards(reward, s.runs)];
  rows.push([`n=${n} mean reward`, rb.toFixed(3), rs.toFixed(3), `${(rs / rb).toFixed(3)}x (diff ${(rs - rb).toFixed(3)})`]);
  rows.push([`n=${n} tokens generated (decoder)`, String(b.steps), String(s.steps), ratio(s.steps, b.steps)]);
  rows.push([`n=${n} tokens (reports)`, String(reportTokens(b.runs)), String(reportTokens(s.runs)), ratio(reportTokens(s.runs), reportTokens(b.runs))]);
  rows.push([`n=${n} time to first token (median ms)`, median(b.runs.map((r) => r.firstMs)).toFixed(0), median(s.runs.map((r) => r.firstMs)).toFixed(0), ratio(median(s.runs.map((r) => r.firstMs)), median(b.runs.map((r) => r.firstMs)))]);
  rows.push([`n=${n} wall time (ms)`, b.wallMs.toFixed(0), s.wallMs.toFixed(0), ratio(s.wallMs, b.wallMs)]);
  const winsKept = s.runs.filter((r, i) => r.completion.text === b.runs[i]!.completion.text).length;
  rows.push([`n=${n} same answer as bestOfN`, '-', `${winsKept}/${PROMPTS}`, '']);
}
await chat.close();
await reward.close();

// ── (b) loopback server with per-token delay ─────────────────────────────────────────
// Seed s writes 48 words at 3 ms each; its quality (the scorer's value) shows from its first word.
const quality = (seed: number) => ((seed * 7919) % 97) / 10;
const server = await startOpenAIServer((body) => ({ text: [`q${body.seed}`, ...Array.from({ length: 47 }, (_, k) => `word${k}`)].join(' '), chunkDelayMs: 3 }));
const byQuality = scorerFromFunction((c) => quality(Number(/^q(\d+)/.exec(messageText(c.at(-1)!))?.[1] ?? 0)));
const remote = createClient({ baseURL: server.baseURL, apiKey: 'bench-key', maxRetries: 0 }).chatModel('fake-model');
const HOSTED = 24;
for (const n of [8, 16]) {
  const b = await arm(remote, bestOfN({ n, scorer: byQuality }), HOSTED, () => 'Say something.');
  const s = await arm(remote, speculativeBestOfN({ n, scorer: byQuality, checkpoints: HOSTED_CHECKPOINTS }), HOSTED, () => 'Say something.');
  const [tb, ts] = [reportTokens(b.runs), reportTokens(s.runs)];
  rows.push([`loopback n=${n} tokens (${HOSTED} requests)`, String(tb), String(ts), ratio(ts, tb)]);
  rows.push([`loopback n=${n} time to first token (median ms)`, median(b.runs.map((r) => r.firstMs)).toFixed(0), median(s.runs.map((r) => r.firstMs)).toFixed(0), ratio(median(s.runs.map((r) => r.firstMs)), median(b.runs.map((r) => r.firstMs)))]);
  rows.push([`loopback n=${n} wall time (ms)`, b.wallMs.toFixed(0), s.wallMs.toFixed(0), ratio(s.wallMs, b.wallMs)]);
  const same = s.runs.filter((r, i) => r.completion.text === b.runs[i]!.completion.text).length;
  rows.push([`loopback n=${n} same answer as bestOfN`, '-', `${same}/${HOSTED}`, '']);
}
await server.close();

