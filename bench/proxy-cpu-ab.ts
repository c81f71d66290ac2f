// Interleaved A/B runs of bench/proxy-cpu.ts, for a machine too noisy for one run to mean much:
// `node --import tsx bench/proxy-cpu-ab.ts old.mjs new.mjs` runs each bundle (a copy of a
// proxy-bundle.ts build kept inside node_modules, so its package imports resolve; `src` builds the
// source as it is now) ROUNDS times (default 5) in turn and prints the median and the minimum of
// each (the minimum: the run the other work on the machine disturbed least). N and MODE as for
// proxy-cpu.ts (MODE default plain).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bundles = process.argv.slice(2);
if (bundles.length === 0) throw new Error('usage: proxy-cpu-ab.ts BUNDLE|src ...');
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const script = fileURLToPath(new URL('./proxy-cpu.ts', import.meta.url));
const LINE = /([\d.]+) µs CPU per request \(user ([\d.]+), system ([\d.]+)\)/;

type Run = { total: number; user: number; system: number };
const runs = new Map<string, Run[]>(bundles.map((b) => [b, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const bundle of bundles) {
    const env: NodeJS.ProcessEnv = { ...process.env, MODE: process.env.MODE ?? 'plain', BUNDLE: bundle };
    if (bundle === 'src') delete env.BUNDLE;
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { env, encoding: 'utf8' });
    const m = LINE.exec(out);
    if (!m) throw new Error(`no figure in the output of ${bundle}: ${out}`);
    runs.get(bundle)!.push({ total: Number(m[1]), user: Number(m[2]), system: Number(m[3]) });
    console.log(`${bundle}: ${out.trim()}`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
for (const [bundle, rs] of runs) {
  const pick = (k: keyof Run) => rs.map((r) => r[k]);
  console.log(`${bundle}: median ${median(pick('total')).toFixed(1)} µs (user ${median(pick('user')).toFixed(1)}, system ${median(pick('system')).toFixed(1)}), min ${Math.min(...pick('total')).toFixed(1)} µs, ${rs.length} runs`);
}
