// speculativeBestOfN against bestOfN, same n, same scorer, same prompts and seeds, in one run.
//  (a) Offline on the fixture models, two pairs: tiny-agent writes short answers (10-45 tokens) and
//      each scorer in turn ranks, prunes and judges (tiny-reward, then tiny-reward-prefix, a reward
//      model trained on partial answers too); tiny-writer writes long ones (150-450 tokens) and
//      tiny-writer-reward (prefix-aware) ranks, prunes and judges them: the paper's regime.
//      n = 8 and 16 over PROMPTS prompts (fixed seeds). Per row: the mean final reward of the
//      returned answers (their whole text scored again by that row's scorer, for both arms), the
//      share of bestOfN's gain over a single sample that is kept (the rewards are logits and can be
//      negative, so a ratio of mean rewards means little), tokens generated (the decoder's sequence
//      steps, i.e. what the model computed; a candidate waiting at a checkpoint sits out the
//      steps), time to first token (when the answer's first text reaches the caller, in both arms),
//      wall time. Then how well each scorer's partial scores predict its final ones.
//  (b) A loopback OpenAI-compatible server streaming with a per-token delay (hosted conditions):
//      tokens generated (usage of finished candidates plus the chunks read of pruned ones), time
//      to first token and wall time, with a plain single stream's time to first token for scale.
// Prompts run CONCURRENCY at a time in both arms (the local decoder batches across them).
// RERANK_MODEL picks the pairs: 'tiny-agent' (the default, a few minutes), 'tiny-writer' (about
// 35 minutes on 2 shared cores: bestOfN decodes ~240k tokens at n = 8, ~480k at n = 16) or both.
// Settings, each one the same for every prompt: RERANK_CHECKPOINTS (tiny-reward's rows),
// RERANK_PREFIX_CHECKPOINTS (tiny-reward-prefix's), RERANK_WRITER_CHECKPOINTS
// (tiny-writer-reward's), ';' between settings: '8' checks every 8
// tokens, '8,12,16,20' at those counts; RERANK_KEEP sets keep (default 0.5). RERANK_PROMPTS=20,
// RERANK_N=8 make a quick look; RERANK_SCORERS picks tiny-agent's scorers; RERANK_SEED moves every seed (pick
// settings on other seeds than the ones reported: the default is 1000).
import { loadavg } from 'node:os';
import { messageText } from '../src/content.js';
import { createClient } from '../src/client/create-client.js';
import type { ChatModel, Scorer } from '../src/interfaces.js';
import { loadChatModel, type LocalChatModel } from '../src/models/onnx.js';
import { loadScorer } from '../src/onnx/scorer.js';
import { bestOfN } from '../src/middleware/best-of-n/best-of-n.js';
import { pipeline } from '../src/pipeline/pipeline.js';
import { speculativeBestOfN } from '../src/middleware/speculative-best-of-n/speculative-best-of-n.js';
import type { GuardedCompletion, Middleware } from '../src/pipeline/types.js';
import { scorerFromFunction } from '../src/scorers/from-function.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

const PROMPTS = Number(process.env.RERANK_PROMPTS ?? 100);
const CONCURRENCY = 8;
const SIZES = (process.env.RERANK_N ?? '8,16').split(',').map(Number);
const MODELS = (process.env.RERANK_MODEL ?? 'tiny-agent').split(',');
const SEED = Number(process.env.RERANK_SEED ?? 1000);
const SCORERS = (process.env.RERANK_SCORERS ?? 'tiny-reward,tiny-reward-prefix').split(',');
/** Each writer with the scorers that rank, prune and judge it, the one that judges all its rows too, and the prefix lengths checked. */
const PAIRS: Record<string, { scorers: string[]; judge: string; prefixes: number[]; sampling: Sampling }> = {
  'tiny-agent': { scorers: SCORERS, judge: 'tiny-reward', prefixes: [4, 8, 12, 16, 24], sampling: { temperature: 1 } },
  'tiny-writer': { scorers: ['tiny-writer-reward'], judge: 'tiny-writer-reward', prefixes: [16, 32, 48, 64, 96, 128], sampling: { temperature: 1 } },
};
// The answers run ~10-45 tokens (a rude refusal ~12, a helpful answer ~35), so checkpoints come
// early. tiny-reward (trained on whole answers only): 'at 8,12,16,20' cuts to one survivor by
// 16-20 tokens (tokens, time to first token), 'every 12' keeps more (reward); its partial scores
// limit both (printed below). tiny-reward-prefix judges partial answers, so it can cut early:
// 'at 4,8,12,16' to one survivor, 'at 2,4,6 min 2' cheapest, 'at 4,8,12 min 3' three survivors
// rescored whole (reward); the same 'at 4,8,12 min 3' runs on tiny-reward for comparison. These
// were picked on RERANK_SEED=90000 (40 prompts), not on the seeds reported.
const SETTINGS: Record<string, Setting[]> = {
  'tiny-reward': (process.env.RERANK_CHECKPOINTS ?? '8,12,16,20;12;4,8,12/3').split(';').map(parseCheckpoints),
  'tiny-reward-prefix': (process.env.RERANK_PREFIX_CHECKPOINTS ?? '4,8,12,16;4,8,12/3;2,4,6/2').split(';').map(parseCheckpoints),
  // tiny-writer's answers run 150-450 tokens (median ~280). These three were picked on the data
  // process itself (test/fixtures/make/writer_ceiling.py: what the best possible judge of partial
  // answers keeps), not on the bench's answers: two survivors from 96 tokens, one from 192, two
  // from 192 (docs/pipeline.md).
  'tiny-writer-reward': (process.env.RERANK_WRITER_CHECKPOINTS ?? '32,64,96/2;48,96,144,192,240;64,128,192/2').split(';').map(parseCheckpoints),
};
const KEEP = Number(process.env.RERANK_KEEP ?? 0.5);
const models = new URL('../test/fixtures/models/', import.meta.url).pathname;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

// Everyday prompts in the shapes tiny-chat was trained on.
const TOPICS = ['bake bread', 'cook rice', 'plan a trip', 'start a garden', 'fix a flat tire', 'back up files', 'write an email', 'study for an exam', 'clean a laptop screen', 'save money', 'learn to swim', 'grow tomatoes', 'make coffee', 'paint a room', 'train a puppy', 'run a 5k', 'stay focused', 'sleep better', 'learn a language', 'organize a closet'];
const SHAPES = [(t: string) => `How do I ${t}?`, (t: string) => `Give me tips to ${t}.`, (t: string) => `What is the best way to ${t}?`, (t: string) => `I want to ${t}. Where do I start?`, (t: string) => `Can you explain how to ${t}?`];
const prompts = Array.from({ length: PROMPTS }, (_, i) => SHAPES[Math.floor(i / TOPICS.length) % SHAPES.length]!(TOPICS[i % TOPICS.length]!));

interface Run {
  completion: GuardedCompletion;
  firstMs: number;
}

interface Sampling {
  temperature: number;
  top_p?: number;
}

async function streamOne(model: ChatModel<GuardedCompletion, { type: string }>, prompt: string, seed: number, sampling: Sampling): Promise<Run> {
  const started = performance.now();
  let firstMs = Number.NaN;
  for await (const e of model.stream({ messages: [{ role: 'user', content: prompt }], seed, ...sampling }) as AsyncIterable<{ type: string; completion?: GuardedCompletion }>) {
    if (e.type === 'text-delta' && Number.isNaN(firstMs)) firstMs = performance.now() - started;
    if (e.type === 'finish') return { completion: e.completion!, firstMs: Number.isNaN(firstMs) ? performance.now() - started : firstMs };
  }
  throw new Error('no finish');
}

async function arm(model: ChatModel, middleware: Middleware[], count: number, prompt: (i: number) => string, sampling: Sampling = { temperature: 1 }) {
  const guarded = pipeline(model, middleware);
  const runs = new Array<Run>(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < count; i = next++) runs[i] = await streamOne(guarded, prompt(i), SEED + i * 100, sampling);
  }));
  return { runs, wallMs: performance.now() - started };
}

interface Setting {
  checkpoints: { everyTokens: number } | number[];
  minSurvivors: number;
}

/** '8' (every 8 tokens) or '4,8,12' (at those counts), then '/2' for minSurvivors 2 (default 1). */
function parseCheckpoints(text: string): Setting {
  const [at, min = '1'] = text.split('/');
  const list = at!.split(',').map(Number);
  if ([...list, Number(min)].some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`RERANK_CHECKPOINTS: expected token counts and an optional /minSurvivors, got ${text}`);
  return { checkpoints: list.length === 1 ? { everyTokens: list[0]! } : list, minSurvivors: Number(min) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Tokens the candidates generated, from the reports: usage when finished, counted chunks when cut.
const reportTokens = (runs: Run[]) => runs.reduce((s, r) => s + r.completion.report.candidates.reduce((t, c) => t + (c.tokens ?? c.usage?.completionTokens ?? 0), 0), 0);
const ratio = (a: number, b: number, digits = 2) => `${(a / b).toFixed(digits)}x`;
const ttft = (runs: Run[]) => median(runs.map((r) => r.firstMs));

/** Tokens of each of bestOfN's candidates (from the reports). */
const answerLengths = (r: Run) => r.completion.report.candidates.map((c) => c.tokens ?? c.usage?.completionTokens ?? 0);

/** Mean score of the returned answers' whole text. */
async function finalRewards(scorer: Scorer, runs: Run[]): Promise<number> {
  const scores = await scorer.score(runs.map((r, i) => [{ role: 'user', content: prompts[i]! }, { role: 'assistant', content: r.completion.text }]));
  return mean(scores.map((s) => s.value));
}

/** What one sample gets on average: the mean final score of all of bestOfN's candidates (the same scorer's). */
const singleSample = (runs: Run[]) => mean(runs.map((r) => mean(r.completion.report.candidates.filter((c) => c.score).map((c) => c.score!.value))));

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
 * first k tokens scored alone, against its final score; how often the best answer of a prompt
 * ranks in the top half of its prompt's prefix scores (it would survive a first cut at k); and the
 * share of bestOfN's gain over one sample a single cut there keeps.
 */
async function partialVsFinal(chat: LocalChatModel, prefixLengths: number[], name: string, scorer: Scorer, runs: Run[]): Promise<string[]> {
  const lines = [`partial vs final scores (${name}, ${runs.length} prompts x ${runs[0]!.completion.report.candidates.length} bestOfN answers):`];
  for (const k of prefixLengths) {
    const xs: number[] = [];
    const ys: number[] = [];
    let bestKept = 0;
    let longer = 0;
    // Final rewards of the answer a cut at k would return: the top prefix score alone, or the best of the top half.
    const [rewardAll, rewardOne, rewardTop1, rewardTopHalf] = [[] as number[], [] as number[], [] as number[], [] as number[]];
    for (const [i, r] of runs.entries()) {
      const cands = r.completion.report.candidates.filter((c) => c.score);
      const ids = cands.map((c) => chat.tokenizer.encode(c.text));
      longer += ids.filter((t) => t.length > k).length;
      // A prefix of an answer shorter than k is the whole answer (it finished before the checkpoint).
      const prefixes = ids.map((t) => chat.tokenizer.decode(t.slice(0, k), { skipSpecialTokens: true }));
      const partial = (await scorer.score(prefixes.map((p) => [{ role: 'user', content: prompts[i]! }, { role: 'assistant', content: p }]))).map((s) => s.value);
      const final = cands.map((c) => c.score!.value);
      xs.push(...partial);
      ys.push(...final);
      const best = final.indexOf(Math.max(...final));
      const rankOfBest = partial.filter((p) => p > partial[best]!).length;
      if (rankOfBest < Math.round(cands.length / 2)) bestKept++;
      const order = partial.map((_, j) => j).sort((a, b) => partial[b]! - partial[a]! || a - b);
      rewardAll.push(final[best]!);
      rewardOne.push(mean(final));
      rewardTop1.push(final[order[0]!]!);
      rewardTopHalf.push(Math.max(...order.slice(0, Math.round(cands.length / 2)).map((j) => final[j]!)));
    }
    const kept = (xs: number[]) => `${(((mean(xs) - mean(rewardOne)) / (mean(rewardAll) - mean(rewardOne))) * 100).toFixed(0)}%`;
    lines.push(
      `  first ${String(k).padStart(2)} tokens: correlation ${correlation(xs, ys).toFixed(3)}, best answer in the top half ${bestKept}/${runs.length}, ` +
        `gain kept by a cut there to the top 1 ${kept(rewardTop1)} / to the top half ${kept(rewardTopHalf)}, answers still running ${((longer / xs.length) * 100).toFixed(0)}%`,
    );
  }
  return lines;
}

// Rows print as they are measured (a long run shows its progress).
const WIDTHS = [54, 9, 12, 26];
const row = (r: string[]) => console.log(r.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join('  '));
const shownAt = (c: Setting['checkpoints']) => (Array.isArray(c) ? `at ${c.join(',')}` : `every ${c.everyTokens}`);
const shown = (s: Setting) => `${shownAt(s.checkpoints)}${s.minSurvivors > 1 ? ` min ${s.minSurvivors}` : ''}`;

// ── (a) offline ──────────────────────────────────────────────────────────────────────
const benchStarted = performance.now();
console.log(`load average at start: ${load()}`);
const predictions: string[] = [];
const summary: string[] = [];
for (const MODEL of MODELS) {
  const pair = PAIRS[MODEL];
  if (!pair) throw new Error(`RERANK_MODEL: expected ${Object.keys(PAIRS).join(' or ')}, got ${MODEL}`);
  const chat = await loadChatModel({ path: `${models}${MODEL}`, device: 'cpu', batchSize: 64 });
  const scorers = Object.fromEntries(await Promise.all(pair.scorers.map(async (name) => [name, await loadScorer({ path: `${models}${name}`, device: 'cpu' })] as const)));
  const judge = scorers[pair.judge] ?? (await loadScorer({ path: `${models}${pair.judge}`, device: 'cpu' }));
  console.log(`\noffline: ${PROMPTS} prompts (seeds from ${SEED}), ${MODEL} on CPU, ${CONCURRENCY} prompts at a time, keep ${KEEP}; checkpoints (tokens): ${pair.scorers.map((s) => `${s}: ${SETTINGS[s]!.map(shown).join(' | ')}`).join('; ')}`);
  // Warm-up of both code paths.
  await arm(chat, [bestOfN({ n: 4, scorer: judge })], 8, (i) => prompts[i]!, pair.sampling);
  await arm(chat, [speculativeBestOfN({ n: 4, scorer: judge, checkpoints: { everyTokens: 8 } })], 8, (i) => prompts[i]!, pair.sampling);
  for (const name of pair.scorers) {
    const scorer = scorers[name]!;
    console.log(`\n── ${MODEL}, scorer ${name} (ranks, prunes and judges both arms) ──`);
    row(['measure', 'bestOfN', 'speculative', 'speculative / bestOfN']);
    for (const n of SIZES) {
      const measure = async (mw: Middleware) => {
        const before = chat.stats().rows;
        const r = await arm(chat, [mw], PROMPTS, (i) => prompts[i]!, pair.sampling);
        return { ...r, steps: chat.stats().rows - before };
      };
      const b = await measure(bestOfN({ n, scorer }));
      const rb = await finalRewards(scorer, b.runs);
      const r1 = singleSample(b.runs);
      row([`n=${n} one sample's mean reward (bestOfN's candidates)`, r1.toFixed(3), '', '']);
      row([`n=${n} answer length (median / max tokens)`, `${median(b.runs.flatMap(answerLengths))}`, `${Math.max(...b.runs.flatMap(answerLengths))}`, '']);
      for (const setting of SETTINGS[name]!) {
        const s = await measure(speculativeBestOfN({ n, scorer, ...setting, keep: KEEP }));
        const rs = await finalRewards(scorer, s.runs);
        const at = `n=${n} ${shown(setting)}`;
        const gain = (rs - r1) / (rb - r1);
        row([`${at} mean reward`, rb.toFixed(3), rs.toFixed(3), `diff ${(rs - rb).toFixed(3)} (${(rs / rb).toFixed(3)}x)`]);
        row([`${at} gain over one sample kept`, '100%', `${(gain * 100).toFixed(1)}%`, '']);
        if (scorer !== judge) {
          const [jb, js] = [await finalRewards(judge, b.runs), await finalRewards(judge, s.runs)];
          row([`${at} mean reward as ${pair.judge} scores it`, jb.toFixed(3), js.toFixed(3), `diff ${(js - jb).toFixed(3)}`]);
        }
        row([`${at} tokens generated (decoder)`, String(b.steps), String(s.steps), ratio(s.steps, b.steps)]);
        row([`${at} tokens (reports)`, String(reportTokens(b.runs)), String(reportTokens(s.runs)), ratio(reportTokens(s.runs), reportTokens(b.runs))]);
        row([`${at} time to first token (median ms)`, ttft(b.runs).toFixed(0), ttft(s.runs).toFixed(0), ratio(ttft(s.runs), ttft(b.runs))]);
        row([`${at} wall time (ms)`, b.wallMs.toFixed(0), s.wallMs.toFixed(0), ratio(s.wallMs, b.wallMs)]);
        const same = s.runs.filter((r, i) => r.completion.text === b.runs[i]!.completion.text).length;
        row([`${at} same answer as bestOfN`, '-', `${same}/${PROMPTS}`, '']);
        // The arms decode the same samples: the answer returned is bestOfN's candidate of the same seed, word for word.
        const sameSample = s.runs.filter((r, i) => {
          const { candidates, chosen } = r.completion.report;
          const sample = chosen === null ? undefined : candidates[chosen]?.labels.sample;
          return b.runs[i]!.completion.report.candidates.find((c) => c.labels.sample === sample)?.text === r.completion.text;
        }).length;
        row([`${at} answer = bestOfN's same-seed one`, '-', `${sameSample}/${PROMPTS}`, '']);
        const met = [gain >= 0.98 || rs >= rb, s.steps <= b.steps / 3, ttft(s.runs) <= ttft(b.runs) / 2];
        summary.push(`${MODEL} + ${name} n=${n} ${shown(setting)}: gain kept ${(gain * 100).toFixed(1)}% (reward ${(rs / rb).toFixed(3)}x) ${met[0] ? 'MET' : 'not met'}, tokens ${ratio(s.steps, b.steps)} (reports ${ratio(reportTokens(s.runs), reportTokens(b.runs))}) ${met[1] ? 'MET' : 'not met'}, time to first token ${ratio(ttft(s.runs), ttft(b.runs))} ${met[2] ? 'MET' : 'not met'}`);
      }
      if (n === SIZES[0]) predictions.push(...(await partialVsFinal(chat, pair.prefixes, name, scorer, b.runs)));
    }
  }
  await chat.close();
  for (const s of new Set([...Object.values(scorers), judge])) await s.close();
}
console.log('');
for (const line of predictions) console.log(line);
console.log(`goals (gain kept >= 98%, tokens <= 1/3, time to first token <= 0.5x):`);
for (const line of summary) console.log(`  ${line}`);
console.log(`offline part: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s, load average now: ${load()}`);

// ── (b) loopback server with per-token delay ─────────────────────────────────────────
// Seed s writes 48 words at 3 ms each; its quality (the scorer's value) shows from its first word,
// so this scorer judges partial answers perfectly: 'every 4' is the setting that fits it, 'every 8'
// is the default-like one.
const quality = (seed: number) => ((seed * 7919) % 97) / 10;
const server = await startOpenAIServer((body) => ({ text: [`q${body.seed}`, ...Array.from({ length: 47 }, (_, k) => `word${k}`)].join(' '), chunkDelayMs: 3 }));
const byQuality = scorerFromFunction((c) => quality(Number(/^q(\d+)/.exec(messageText(c.at(-1)!))?.[1] ?? 0)));
const remote = createClient({ baseURL: server.baseURL, apiKey: 'bench-key', maxRetries: 0 }).chatModel('fake-model');
const HOSTED = 24;
console.log(`\nloopback: ${HOSTED} requests, ${CONCURRENCY} at a time, 48 words at 3 ms each`);
row(['measure', 'bestOfN', 'speculative', 'speculative / bestOfN']);
const plain = await arm(remote, [], HOSTED, () => 'Say something.');
row(['loopback plain stream time to first token (median ms)', ttft(plain.runs).toFixed(0), '', '']);
for (const n of [8, 16]) {
  const b = await arm(remote, [bestOfN({ n, scorer: byQuality })], HOSTED, () => 'Say something.');
  for (const checkpoints of [{ everyTokens: 8 }, { everyTokens: 4 }]) {
    const s = await arm(remote, [speculativeBestOfN({ n, scorer: byQuality, checkpoints })], HOSTED, () => 'Say something.');
    const [tb, ts] = [reportTokens(b.runs), reportTokens(s.runs)];
    const at = `loopback n=${n} ${shownAt(checkpoints)}`;
    row([`${at} tokens`, String(tb), String(ts), ratio(ts, tb)]);
    row([`${at} time to first token (median ms)`, ttft(b.runs).toFixed(0), ttft(s.runs).toFixed(0), ratio(ttft(s.runs), ttft(b.runs))]);
    row([`${at} wall time (ms)`, b.wallMs.toFixed(0), s.wallMs.toFixed(0), ratio(s.wallMs, b.wallMs)]);
    const same = s.runs.filter((r, i) => r.completion.text === b.runs[i]!.completion.text).length;
    row([`${at} same answer as bestOfN`, '-', `${same}/${HOSTED}`, '']);
  }
}
await server.close();
console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s, load average at the end: ${load()}`);
