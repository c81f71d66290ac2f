// CPU time per proxied request of the guard proxy process (empty pipeline, one worker), the
// figure to optimise when the machine is shared and throughput ratios are noisy:
// `node --import tsx bench/proxy-cpu.ts` (N=requests, MODE=plain|stream, RATE, BUNDLE, SERVER, PROF=DIR for --cpu-prof
// profiles in DIR, PROF_INTERVAL=µs between samples, default 1000). Same request and upstream as bench/proxy.bench.ts, 100 connections.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startOpenAIServer } from '../test/helpers/openai-server.js';
import { askChild, bundleServer } from './proxy-bundle.js';

const N = Number(process.env.N ?? 20_000);
// RATE=req/s: a steady load below saturation, where the figure moves less with other work on the machine.
const RATE = Number(process.env.RATE ?? 0);
const upstream = await startOpenAIServer(() => ({ text: 'Hello from the fake server, a short answer of some words.' }));
const prof = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`, `--cpu-prof-interval=${process.env.PROF_INTERVAL ?? 1000}`] : [];
// SERVER=path runs another server script (same messages) instead, e.g. a minimal node:http forwarder;
// BUNDLE=file runs that bundle instead of building one (keep a copy of a build for A/B runs).
const bundle = process.env.BUNDLE ? pathToFileURL(resolve(process.env.BUNDLE)).href : undefined;
const server = process.env.SERVER ? [fileURLToPath(new URL(process.env.SERVER, import.meta.url)), upstream.baseURL] : [fileURLToPath(new URL('./proxy-server.ts', import.meta.url)), upstream.baseURL, bundle ?? (await bundleServer())];
const child = fork(server[0]!, server.slice(1), { execArgv: ['--import', 'tsx', ...prof] });
const ask = <T>(message: string, key: string) => askChild<T>(child, message, key);
const { url } = await ask<{ url: string }>('', 'url');
const body = (stream: boolean) => JSON.stringify({ model: 'fake-model', stream, messages: [{ role: 'user', content: 'Say hello.' }] });
const run = (stream: boolean, amount: number) =>
  autocannon({ url: `${url}/v1/chat/completions`, method: 'POST', connections: 100, amount, headers: { 'content-type': 'application/json' }, body: body(stream), ...(RATE ? { overallRate: RATE } : {}) });

type Cpu = { cpu: NodeJS.CpuUsage };
for (const stream of [false, true]) await run(stream, 3000); // JIT and sockets warm
for (const stream of process.env.MODE ? [process.env.MODE === 'stream'] : [false, true]) {
  const before = await ask<Cpu>('cpu', 'cpu');
  const r = await run(stream, N);
  const after = await ask<Cpu>('cpu', 'cpu');
  const user = (after.cpu.user - before.cpu.user) / N;
  const system = (after.cpu.system - before.cpu.system) / N;
  console.log(`${stream ? 'streaming' : 'plain'}: ${(user + system).toFixed(1)} µs CPU per request (user ${user.toFixed(1)}, system ${system.toFixed(1)}), ${Math.round(r.requests.average)} req/s, errors ${r.errors + r.non2xx}`);
}
child.send('close');
await new Promise((r) => child.once('exit', r));
await upstream.close();
