// speculativeBestOfN against bestOfN, same n, same scorer, same prompts and seeds, in one run.
//  (a) Offline on the fixture models (tiny-agent writes, tiny-reward scores), n = 8 and 16, over
//      PROMPTS prompts (fixed seeds): mean reward of the returned answer (its whole text scored
//      again by the same scorer), tokens generated (the decoder's sequence steps, i.e. what the
//      model computed; a candidate waiting at a checkpoint sits out the steps), time to first
//      token, wall time. Then how well tiny-reward's partial scores predict its final ones, over
//      the bestOfN arm's answers: the correlation of prefix and final scores, and how often the
//      best answer would survive a first cut at that prefix.
//  (b) A loopback OpenAI-compatible server streaming with a per-token delay (hosted conditions):
//      tokens generated (usage of finished candidates plus the chunks read of pruned ones) and
//      wall time.
// Prompts run CONCURRENCY at a time in both arms (the local decoder batches across them).
// tiny-agent has a KV cache (tiny-chat, RERANK_MODEL=tiny-chat, has none and re-runs the sequence
// each step: several times slower). RERANK_PROMPTS=20 and RERANK_N=8 make a quick look;
// RERANK_CHECKPOINTS lists the settings to run, ';' between them: '8' checks every 8 tokens,
// '8,12,16,20' at those counts (a schedule); RERANK_KEEP sets keep (default 0.5).
import { messageText } from '../src/content.js';
import { createClient } from '../src/client/create-client.js';
import type { ChatModel, Scorer } from '../src/interfaces.js';
import { loadChatModel, loadScorer } from '../src/onnx/index.js';
import { bestOfN } from '../src/middleware/best-of-n/best-of-n.js';
import { pipeline } from '../src/pipeline/pipeline.js';
import { speculativeBestOfN } from '../src/middleware/speculative-best-of-n/speculative-best-of-n.js';
import type { GuardedCompletion, Middleware } from '../src/pipeline/types.js';
import { scorerFromFunction } from '../src/scorers/from-function.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

const PROMPTS = Number(process.env.RERANK_PROMPTS ?? 100);
const CONCURRENCY = 8;
const SIZES = (process.env.RERANK_N ?? '8,16').split(',').map(Number);
const MODEL = process.env.RERANK_MODEL ?? 'tiny-agent';
// The answers run ~10-45 tokens (a rude refusal ~12, a helpful answer ~35), so checkpoints come
// early. Two settings, each the same for every prompt, at the two ends of what was tried (see
// docs/pipeline.md): 'early' cuts to one survivor by 16-20 tokens (tokens, time to first token),
// 'late' checks every 12 tokens (reward). tiny-reward's partial scores limit both (printed below).
const SETTINGS = (process.env.RERANK_CHECKPOINTS ?? '8,12,16,20;12').split(';').map(parseCheckpoints);
const KEEP = Number(process.env.RERANK_KEEP ?? 0.5);
const HOSTED_CHECKPOINTS = { everyTokens: 8 };
// Prefix lengths (tokens) whose scores are checked against the final ones.
const PREFIXES = [4, 8, 12, 16, 24];
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

function parseCheckpoints(text: string): { everyTokens: number } | number[] {
  const list = text.split(',').map(Number);
  if (list.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`RERANK_CHECKPOINTS: expected token counts, got ${text}`);
  return list.length === 1 ? { everyTokens: list[0]! } : list;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Tokens the candidates generated, from the reports: usage when finished, counted chunks when cut.
const reportTokens = (runs: Run[]) => runs.reduce((s, r) => s + r.completion.report.candidates.reduce((t, c) => t + (c.tokens ?? c.usage?.completionTokens ?? 0), 0), 0);
const ratio = (a: number, b: number, digits = 2) => `${(a / b).toFixed(digits)}x`;

async function finalRewards(scorer: Scorer, runs: Run[]): Promise<number> {
  const scores = await scorer.score(runs.map((r, i) => [{ role: 'user', content: prompts[i]! }, { role: 'assistant', content: r.completion.text }]));
  return mean(scores.map((s) => s.value));
}

/** Pearson correlation. */
function correlation(xs: number[], ys: number[]): number {
  const [mx, my] = [mean(xs), mean(ys)];
  let [sxy, sxx, syy] = [0, 0, 0];
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Over the bestOfN arm's candidates (whole answers, final scores in the report): each answer's
 * first k tokens scored alone, against its final score; and how often the best answer of a
 * prompt ranks in the top half of its prompt's prefix scores (it would survive a first cut at k).
 */
async function partialVsFinal(runs: Run[]): Promise<string[]> {
  const lines = [`partial vs final scores (tiny-reward, ${runs.length} prompts x ${runs[0]!.completion.report.candidates.length} bestOfN answers):`];
  for (const k of PREFIXES) {
    const xs: number[] = [];
    const ys: number[] = [];
    let bestKept = 0;
    let longer = 0;
    // Final rewards of the answer a cut at k would return: the top prefix score alone, or the best of the top half.
    const [rewardAll, rewardTop1, rewardTopHalf] = [[] as number[], [] as number[], [] as number[]];
    for (const [i, r] of runs.entries()) {
      const cands = r.completion.report.candidates.filter((c) => c.score);
      const ids = cands.map((c) => chat.tokenizer.encode(c.text));
      longer += ids.filter((t) => t.length > k).length;
      // A prefix of an answer shorter than k is the whole answer (it finished before the checkpoint).
      const prefixes = ids.map((t) => chat.tokenizer.decode(t.slice(0, k), { skipSpecialTokens: true }));
      const partial = (await reward.score(prefixes.map((p) => [{ role: 'user', content: prompts[i]! }, { role: 'assistant', content: p }]))).map((s) => s.value);
      const final = cands.map((c) => c.score!.value);
      xs.push(...partial);
      ys.push(...final);
      const best = final.indexOf(Math.max(...final));
      const rankOfBest = partial.filter((p) => p > partial[best]!).length;
      if (rankOfBest < Math.round(cands.length / 2)) bestKept++;
      const order = partial.map((_, j) => j).sort((a, b) => partial[b]! - partial[a]! || a - b);
      rewardAll.push(final[best]!);
      rewardTop1.push(final[order[0]!]!);
      rewardTopHalf.push(Math.max(...order.slice(0, Math.round(cands.length / 2)).map((j) => final[j]!)));
    }
    lines.push(
      `  first ${String(k).padStart(2)} tokens: correlation ${correlation(xs, ys).toFixed(3)}, best answer in the top half ${bestKept}/${runs.length}, ` +
        `reward of a cut there to the top 1 ${ratio(mean(rewardTop1), mean(rewardAll), 3)} / to the top half ${ratio(mean(rewardTopHalf), mean(rewardAll), 3)} of bestOfN's, answers still running ${((longer / xs.length) * 100).toFixed(0)}%`,
    );
  }
  return lines;
}

const predictions: string[] = [];

// ── (a) offline ──────────────────────────────────────────────────────────────────────
const chat = await loadChatModel({ path: `${models}${MODEL}`, device: 'cpu', batchSize: 64 });
const reward = await loadScorer({ path: `${models}tiny-reward`, device: 'cpu' });
const shown = (c: (typeof SETTINGS)[number]) => (Array.isArray(c) ? `at ${c.join(',')}` : `every ${c.everyTokens}`);
console.log(`offline: ${PROMPTS} prompts, ${MODEL} + tiny-reward on CPU, ${CONCURRENCY} prompts at a time, keep ${KEEP}; checkpoints (tokens): ${SETTINGS.map(shown).join(' | ')}`);
await arm(chat, bestOfN({ n: 4, scorer: reward }), 8, (i) => prompts[i]!); // warm-up
// Rows print as they are measured (a long run shows its progress).
const WIDTHS = [50, 9, 12, 24];
const rows = {
  push(r: string[]) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join('  '));
  },
};
rows.push(['measure', 'bestOfN', 'speculative', 'speculative / bestOfN']);
for (const n of SIZES) {
  const measure = async (mw: Middleware) => {
    const before = chat.stats().rows;
    const r = await arm(chat, mw, PROMPTS, (i) => prompts[i]!);
    return { ...r, steps: chat.stats().rows - before };
  };
  const b = await measure(bestOfN({ n, scorer: reward }));
  const rb = await finalRewards(reward, b.runs);
  for (const checkpoints of SETTINGS) {
    const s = await measure(speculativeBestOfN({ n, scorer: reward, checkpoints, keep: KEEP }));
    const rs = await finalRewards(reward, s.runs);
    const at = `n=${n} ${shown(checkpoints)}`;
    rows.push([`${at} mean reward`, rb.toFixed(3), rs.toFixed(3), `${(rs / rb).toFixed(3)}x (diff ${(rs - rb).toFixed(3)})`]);
    rows.push([`${at} tokens generated (decoder)`, String(b.steps), String(s.steps), ratio(s.steps, b.steps)]);
    rows.push([`${at} tokens (reports)`, String(reportTokens(b.runs)), String(reportTokens(s.runs)), ratio(reportTokens(s.runs), reportTokens(b.runs))]);
    rows.push([`${at} time to first token (median ms)`, median(b.runs.map((r) => r.firstMs)).toFixed(0), median(s.runs.map((r) => r.firstMs)).toFixed(0), ratio(median(s.runs.map((r) => r.firstMs)), median(b.runs.map((r) => r.firstMs)))]);
    rows.push([`${at} wall time (ms)`, b.wallMs.toFixed(0), s.wallMs.toFixed(0), ratio(s.wallMs, b.wallMs)]);
    const winsKept = s.runs.filter((r, i) => r.completion.text === b.runs[i]!.completion.text).length;
    rows.push([`${at} same answer as bestOfN`, '-', `${winsKept}/${PROMPTS}`, '']);
    // The arms decode the same samples: the answer returned is bestOfN's candidate of the same seed, word for word.
    const sameSample = s.runs.filter((r, i) => {
      const { candidates, chosen } = r.completion.report;
      const sample = chosen === null ? undefined : candidates[chosen]?.labels.sample;
      return b.runs[i]!.completion.report.candidates.find((c) => c.labels.sample === sample)?.text === r.completion.text;
    }).length;
    rows.push([`${at} answer = bestOfN's same-seed one`, '-', `${sameSample}/${PROMPTS}`, '']);
  }
  if (n === SIZES[0]) predictions.push(...(await partialVsFinal(b.runs)));
}
for (const line of predictions) console.log(line);
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

