// A local guard over a long text (tiny-injection, CPU): every window judged in one batched run,
// side by side with the same windows judged one run each (what a caller splitting the text
// itself would do) and with judging only the first window (truncation). Ratios of medians.
import { readFileSync } from 'node:fs';
import { loadGuard, loadTokenizer } from '../src/onnx/index.js';

const MODEL = 'test/fixtures/models/tiny-injection';
const ROUNDS = 9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const refs = JSON.parse(readFileSync(`${MODEL}/refs-injection.json`, 'utf8')) as { filler: string; attack: string };
const text = `${refs.filler} ${refs.filler} ${refs.filler} ${refs.attack}`;

const windowed = await loadGuard({ path: MODEL, device: 'cpu', truncation: 'window' });
const cut = await loadGuard({ path: MODEL, device: 'cpu', truncation: 'keep-start' });
const tok = await loadTokenizer({ path: MODEL });
// The texts of the windows the guard makes (510 tokens, 64 shared), decoded for one check each.
const ids = tok.encode(text);
const pieces: string[] = [];
for (let at = 0; ; at += 510 - 64) {
  const start = Math.min(at, ids.length - 510);
  pieces.push(tok.decode(ids.slice(start, start + 510)));
  if (start + 510 >= ids.length) break;
}
const user = (content: string) => [{ role: 'user' as const, content }];

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const one: number[] = [];
const each: number[] = [];
const first: number[] = [];
for (let r = 0; r < ROUNDS + 1; r++) {
  const a = await time(() => windowed.check(user(text)));
  const b = await time(async () => {
    for (const p of pieces) await cut.check(user(p));
  });
  const c = await time(() => cut.check(user(text)));
  // The first round warms the sessions up.
  if (r > 0) one.push(a), each.push(b), first.push(c);
}
const verdict = await windowed.check(user(text));
console.log(`${ids.length} tokens, ${pieces.length} windows; windowed verdict safe=${verdict.safe}, keep-start verdict safe=${(await cut.check(user(text))).safe}`);
console.log(`windows in one run      ${median(one).toFixed(1)} ms`);
console.log(`one run per window      ${median(each).toFixed(1)} ms  (one run / per-window runs: ${(median(one) / median(each)).toFixed(2)}x)`);
console.log(`first window only       ${median(first).toFixed(1)} ms  (windowed / truncated: ${(median(one) / median(first)).toFixed(2)}x)`);
await Promise.all([windowed.close(), cut.close()]);
