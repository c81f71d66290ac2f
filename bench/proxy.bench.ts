// The guard proxy under load, side by side in one run with the same pass-through request sent
// straight to the upstream (the loopback OpenAI-compatible test server) and through the Portkey
// AI gateway (@portkey-ai/gateway, a gateway users would pick instead; see
// bench/portkey-fetch-shim.mjs for why it is preloaded): autocannon, 1 and 100 connections, plain
// and streaming. rewardgate runs with an empty pipeline (nothing to guard: pure proxy cost, its
// direct path) in its own process, one worker, from a bundle as published; so does Portkey, from
// its build; upstream and load generator share this process. Reports req/s, p50 / p99 latency and
// each proxy's throughput as a ratio of the upstream's own, rewardgate's CPU time per request,
// then its memory over the run. RG_DIRECT=0 measures rewardgate's full path (pipeline and client). At 100 connections the upstream answers at once, so the
// proxies are saturated (the ratio is their CPU cost per request); a last pair of rows uses an
// upstream that takes LLM_MS to answer, where the added latency is the proxy's own time. The
// saturated rows take BENCH_ROUNDS turns (default 3) and report medians: see below.
import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from '../test/helpers/openai-server.js';
import { askChild, bundleServer } from './proxy-bundle.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
// Turns of the saturated rows (100 connections, upstream answering at once); see below.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LLM_MS = 200;
const TEXT = 'Hello from the fake server, a short answer of some words.';
// Requests that say "slowly" get an LLM-like wait before the answer.
const upstream = await startOpenAIServer((body) => ({ text: TEXT, ...(/slowly/.test(JSON.stringify(body?.messages)) ? { delayMs: LLM_MS } : {}) }));

// rewardgate runs from a bundle of src/server, as the published dist is built (see proxy-bundle.ts).
const child: ChildProcess = fork(fileURLToPath(new URL('./proxy-server.ts', import.meta.url)), [upstream.baseURL, await bundleServer()], { execArgv: ['--import', 'tsx', '--expose-gc'] });
const ask = <T>(message: string, key: string) => askChild<T>(child, message, key);
const { url: proxyURL } = await ask<{ url: string }>('', 'url');

// Portkey in its own process, pointed at the same upstream through its custom-host header.
const portkeyPort = await freePort();
const portkey = spawn(
  process.execPath,
  ['--import', fileURLToPath(new URL('./portkey-fetch-shim.mjs', import.meta.url)), fileURLToPath(new URL('../node_modules/@portkey-ai/gateway/build/start-server.js', import.meta.url)), `--port=${portkeyPort}`, '--headless'],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let portkeyOut = '';
portkey.stdout!.on('data', (d: Buffer) => (portkeyOut += d.toString()));
portkey.stderr!.on('data', (d: Buffer) => (portkeyOut += d.toString()));
for (let i = 0; i < 400 && !/Ready for connections/.test(portkeyOut); i++) await new Promise((r) => setTimeout(r, 25));
const portkeyURL = `http://127.0.0.1:${portkeyPort}`;
const PORTKEY_HEADERS = { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstream.baseURL, authorization: 'Bearer bench-key' };

type Target = { name: string; url: string; headers: Record<string, string> };
const targets: Target[] = [
  { name: 'direct', url: upstream.url, headers: {} },
  { name: 'rewardgate', url: proxyURL, headers: {} },
  { name: 'portkey', url: portkeyURL, headers: PORTKEY_HEADERS },
];
const body = (stream: boolean, slow: boolean) => JSON.stringify({ model: 'fake-model', stream, messages: [{ role: 'user', content: slow ? 'Say hello slowly.' : 'Say hello.' }] });
const load = (target: Target, stream: boolean, connections: number, slow = false, seconds = SECONDS) =>
  autocannon({ url: `${target.url}/v1/chat/completions`, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json', ...target.headers }, body: body(stream, slow) });

type Sample = { rss: number; heapUsed: number };
type Cpu = { cpu: NodeJS.CpuUsage };
const cpuPerRequest = (a: Cpu, b: Cpu, requests: number) => Math.round((b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / Math.max(1, requests));
async function sampled<T>(run: () => Promise<T>, samples: Sample[]): Promise<T> {
  let running = true;
  const poller = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, 250));
      samples.push(await ask<Sample>('memory', 'rss'));
    }
  })();
  const result = await run();
  running = false;
  await poller;
  return result;
}

// Warm every path (JIT, sockets), then measure each mode on each target in turn.
for (const t of targets) for (const stream of [false, true]) await load(t, stream, 10, false, 1);
await ask('gc', 'gc');
const samples: Sample[] = [await ask<Sample>('memory', 'rss')];
const rows: string[] = [];
const modes = [[false, 1, false], [true, 1, false], [false, 100, false], [true, 100, false], [false, 100, true], [true, 100, true]] as const;
type Run = { rps: number; p50: number; p99: number; errors: number; cpu?: number };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [stream, connections, slow] of modes) {
  // The saturated rows take ROUNDS turns (direct, rewardgate, Portkey, again...): the machine's
  // background load moves every target's figure from minute to minute, and a ratio of two runs
  // next to each other moves much less. Each ratio below is the median of the per-round ratios.
  const rounds = connections === 100 && !slow ? ROUNDS : 1;
  const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
  const ratios = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    let direct = 0;
    for (const t of targets) {
      const ours = t.name === 'rewardgate';
      const before = ours ? await ask<Cpu>('cpu', 'cpu') : undefined;
      const r = ours ? await sampled(() => load(t, stream, connections, slow), samples) : await load(t, stream, connections, slow);
      const rps = r.requests.average;
      if (t.name === 'direct') direct = rps;
      else ratios.get(t.name)!.push(rps / direct);
      // The proxy process's CPU time per answered request (user + system; the memory polls add a little).
      const cpu = before ? cpuPerRequest(before, await ask<Cpu>('cpu', 'cpu'), r.requests.total) : undefined;
      runs.get(t.name)!.push({ rps, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, ...(cpu === undefined ? {} : { cpu }) });
    }
  }
  rows.push(`${stream ? 'streaming' : 'plain'}, ${connections} conn, upstream answers ${slow ? `in ${LLM_MS} ms (LLM-like)` : 'at once'}${rounds > 1 ? `, median of ${rounds} rounds` : ''}`);
  for (const t of targets) {
    const mine = runs.get(t.name)!;
    const each = ratios.get(t.name)!;
    const ratio = t.name === 'direct' ? (rounds > 1 ? ` (rounds ${mine.map((m) => Math.round(m.rps)).join(' ')})` : '') : `, ${median(each).toFixed(2)}x direct${rounds > 1 ? ` (rounds ${each.map((x) => x.toFixed(2)).join(' ')})` : ''}`;
    const cpu = t.name === 'rewardgate' ? `, ${median(mine.map((m) => m.cpu!))} µs CPU/req` : '';
    const errors = mine.reduce((n, m) => n + m.errors, 0);
    rows.push(`  ${t.name.padEnd(10)} ${String(Math.round(median(mine.map((m) => m.rps)))).padStart(6)} req/s${ratio}, p50 ${median(mine.map((m) => m.p50))} ms, p99 ${median(mine.map((m) => m.p99))} ms, errors ${errors}${cpu}`);
  }
}
await ask('gc', 'gc');
const after = await ask<Sample>('memory', 'rss');
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
console.log(`direct upstream vs rewardgate (empty pipeline, 1 worker) vs Portkey gateway, same request, ${SECONDS} s per run (autocannon; all on this machine; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
for (const r of rows) console.log(r);
console.log(`rewardgate memory: RSS ${mb(samples[0]!.rss)} at start, peak ${mb(Math.max(...samples.map((s) => s.rss)))}, ${mb(after.rss)} at end after GC; heap ${mb(after.heapUsed)} at end after GC`);

child.send('close');
await new Promise((r) => child.once('exit', r));
portkey.kill('SIGTERM');
await new Promise((r) => portkey.once('exit', r));
await upstream.close();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
