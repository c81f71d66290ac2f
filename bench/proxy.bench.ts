// The guard proxy under load, side by side in one run with the same load sent straight to the
// upstream (the loopback OpenAI-compatible test server): autocannon, 100 connections, plain and
// streaming. Reports p50 / p99 latency and the difference (the proxy's added time), errors, and
// the proxy process's memory (RSS and heap) sampled over the run. At 100 connections the added
// latency is mostly queueing behind the proxy's throughput: the fake upstream answers in
// microseconds, far faster than any LLM, so each mode also runs against an upstream that takes
// LLM_MS to answer (a fast LLM); there the proxy is not saturated and the added latency is its own
// time. One connection shows the unqueued time a request spends in the proxy.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

const CONNECTIONS = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LLM_MS = 200;
const TEXT = 'Hello from the fake server, a short answer of some words.';
// Requests that say "slowly" get an LLM-like wait before the answer.
const upstream = await startOpenAIServer((body) => ({ text: TEXT, ...(/slowly/.test(JSON.stringify(body?.messages)) ? { delayMs: LLM_MS } : {}) }));

const child: ChildProcess = fork(fileURLToPath(new URL('./proxy-server.ts', import.meta.url)), [upstream.baseURL], {
  execArgv: ['--import', 'tsx', '--expose-gc'],
});
const ask = <T>(message: string, key: string) =>
  new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    if (message) child.send(message);
  });
const { url: proxyURL } = await ask<{ url: string }>('', 'url');

const body = (stream: boolean, slow: boolean) => JSON.stringify({ model: 'fake-model', stream, messages: [{ role: 'user', content: slow ? 'Say hello slowly.' : 'Say hello.' }] });
const load = (base: string, stream: boolean, seconds = SECONDS, connections = CONNECTIONS, slow = false) =>
  autocannon({ url: `${base}/v1/chat/completions`, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json' }, body: body(stream, slow) });

type Sample = { rss: number; heapUsed: number; heapTotal: number; external: number };
async function sampled<T>(run: () => Promise<T>): Promise<{ result: T; samples: Sample[] }> {
  const samples: Sample[] = [await ask<Sample>('memory', 'rss')];
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
  return { result, samples };
}

// Warm both paths (JIT, sockets), then measure each mode: straight, then through the proxy.
await load(upstream.url, false, 1);
await load(proxyURL, false, 1);
await ask('gc', 'gc');
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const rows: string[] = [];
const allSamples: Sample[] = [];
const modes = [[false, CONNECTIONS, true], [true, CONNECTIONS, true], [false, CONNECTIONS, false], [true, CONNECTIONS, false], [false, 1, false], [true, 1, false]] as const;
for (const [stream, connections, slow] of modes) {
  const direct = await load(upstream.url, stream, SECONDS, connections, slow);
  const { result: proxied, samples } = await sampled(() => load(proxyURL, stream, SECONDS, connections, slow));
  allSamples.push(...samples);
  const mode = `${stream ? 'streaming' : 'plain'}, ${connections} conn, upstream answers ${slow ? `in ${LLM_MS} ms (LLM-like)` : 'at once (saturates the proxy)'}`;
  const errors = (r: typeof direct) => r.errors + r.timeouts + r.non2xx;
  rows.push(
    mode,
    `  direct  p50 ${direct.latency.p50} ms, p99 ${direct.latency.p99} ms, mean ${direct.latency.average.toFixed(2)} ms, ${Math.round(direct.requests.average)} req/s, errors ${errors(direct)}`,
    `  proxy   p50 ${proxied.latency.p50} ms, p99 ${proxied.latency.p99} ms, mean ${proxied.latency.average.toFixed(2)} ms, ${Math.round(proxied.requests.average)} req/s, errors ${errors(proxied)}`,
    `  added   p50 ${proxied.latency.p50 - direct.latency.p50} ms, p99 ${proxied.latency.p99 - direct.latency.p99} ms, mean ${(proxied.latency.average - direct.latency.average).toFixed(2)} ms; throughput proxy/direct ${(proxied.requests.average / direct.requests.average).toFixed(2)}`,
  );
}
await ask('gc', 'gc');
const after = await ask<Sample>('memory', 'rss');
const peak = allSamples.reduce((m, s) => Math.max(m, s.rss), 0);
const first = allSamples[0]!;

console.log(`guard proxy vs direct, ${SECONDS} s per run (autocannon; upstream, load generator and proxy share this machine)`);
for (const r of rows) console.log(r);
const at = (q: number) => allSamples[Math.min(allSamples.length - 1, Math.floor(q * allSamples.length))]!;
console.log(`proxy memory: RSS ${mb(first.rss)} at start, peak ${mb(peak)}, ${mb(after.rss)} at end after GC; heap ${mb(first.heapUsed)} at start, ${mb(after.heapUsed)} at end after GC (${allSamples.length} samples)`);
console.log(`  at end after GC: V8 heap reserved ${mb(after.heapTotal)}, external ${mb(after.external)} (RSS beyond these is allocator and socket memory)`);
console.log(`  RSS over the run (quarters): ${[0.25, 0.5, 0.75, 1].map((q) => mb(at(q).rss)).join(', ')}; heap: ${[0.25, 0.5, 0.75, 1].map((q) => mb(at(q).heapUsed)).join(', ')}`);

child.send('close');
await new Promise((r) => child.once('exit', r));
await upstream.close();
