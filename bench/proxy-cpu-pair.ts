// Two proxy bundles measured side by side, for a machine whose background load moves the figures of
// bench/proxy-cpu.ts by more than a change is worth: both proxies run at once (same upstream, same
// request as proxy-cpu.ts, 100 connections) and take turns in short bursts (order swapped every
// round), so slow and quiet minutes fall on both alike. Prints each one's median µs CPU per request
// (user / system) over the bursts and the median of the per-round ratio B / A.
// `node --import tsx bench/proxy-cpu-pair.ts A.mjs B.mjs` (bundles from proxy-bundle.ts kept inside
// node_modules, so their package imports resolve; `src` builds the source as it is now). BURST=requests
// per turn (default 1500), ROUNDS (default 12), MODE=plain|stream (default plain). PIN=cpu runs both
// proxies on that CPU (taskset; run this script itself on another, `taskset -c 0 node ...`): unpinned,
// the scheduler favours one of the two processes, by as much as 20% on a 2-core machine.
import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startOpenAIServer } from '../test/helpers/openai-server.js';
import { askChild, bundleServer } from './proxy-bundle.js';

const [a, b] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: proxy-cpu-pair.ts A.mjs|src B.mjs|src');
const BURST = Number(process.env.BURST ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 12);
const stream = process.env.MODE === 'stream';

const upstream = await startOpenAIServer(() => ({ text: 'Hello from the fake server, a short answer of some words.' }));
const serverScript = fileURLToPath(new URL('./proxy-server.ts', import.meta.url));
const moduleOf = async (bundle: string) => (bundle === 'src' ? bundleServer() : pathToFileURL(resolve(bundle)).href);

type Proxy = { name: string; child: ChildProcess; url: string; perRequest: Array<{ user: number; system: number }> };
async function start(name: string): Promise<Proxy> {
  const args = ['--import', 'tsx', serverScript, upstream.baseURL, await moduleOf(name)];
  const child = process.env.PIN
    ? spawn('taskset', ['-c', process.env.PIN, process.execPath, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
    : fork(serverScript, args.slice(3), { execArgv: args.slice(0, 2) });
  const { url } = await askChild<{ url: string }>(child, '', 'url');
  return { name, child, url, perRequest: [] };
}
const proxies = [await start(a), await start(b)];

const body = (s: boolean) => JSON.stringify({ model: 'fake-model', stream: s, messages: [{ role: 'user', content: 'Say hello.' }] });
const load = (p: Proxy, s: boolean, amount: number) =>
  autocannon({ url: `${p.url}/v1/chat/completions`, method: 'POST', connections: 100, amount, headers: { 'content-type': 'application/json' }, body: body(s) });

type Cpu = { cpu: NodeJS.CpuUsage };
async function burst(p: Proxy): Promise<void> {
  const before = await askChild<Cpu>(p.child, 'cpu', 'cpu');
  const r = await load(p, stream, BURST);
  const after = await askChild<Cpu>(p.child, 'cpu', 'cpu');
  if (r.errors + r.non2xx > 0) throw new Error(`${p.name}: ${r.errors + r.non2xx} failed requests`);
  p.perRequest.push({ user: (after.cpu.user - before.cpu.user) / BURST, system: (after.cpu.system - before.cpu.system) / BURST });
}

for (const p of proxies) for (const s of [false, true]) await load(p, s, 3000); // JIT and sockets warm
for (let round = 0; round < ROUNDS; round++) for (const p of round % 2 ? [...proxies].reverse() : proxies) await burst(p);

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
for (const p of proxies) {
  const total = p.perRequest.map((c) => c.user + c.system);
  console.log(`${p.name}: ${stream ? 'streaming' : 'plain'} median ${median(total).toFixed(1)} µs CPU per request (user ${median(p.perRequest.map((c) => c.user)).toFixed(1)}, system ${median(p.perRequest.map((c) => c.system)).toFixed(1)}), min ${Math.min(...total).toFixed(1)}, ${total.length} bursts of ${BURST}`);
}
const [pa, pb] = proxies as [Proxy, Proxy];
const ratios = pa.perRequest.map((c, i) => (pb.perRequest[i]!.user + pb.perRequest[i]!.system) / (c.user + c.system));
console.log(`B / A: median ${median(ratios).toFixed(3)} (per round: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);

for (const p of proxies) {
  p.child.send('close');
  await new Promise((r) => p.child.once('exit', r));
}
await upstream.close();
