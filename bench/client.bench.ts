// rewardgate's client next to the raw `openai` client, same calls against the same loopback
// OpenAI-compatible server (test/helpers/openai-server.ts, run in a worker thread so its heap is
// not counted), in the same run. Reports time and allocated bytes per request as ratios, the
// SSE parser on a 10 MB stream, and ky's own Request path beside the one ky-send.ts uses.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { GCProfiler } from 'node:v8';
import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import ky from 'ky';
import { createClient } from '../src/index.js';
import { createKy, kySend } from '../src/http/ky-send.js';
import { readSSE } from '../src/http/sse.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

const TEXT = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');


type Run = () => Promise<unknown>;

async function main() {
  const worker = new Worker(new URL(import.meta.url), { execArgv: process.execArgv.filter((a) => a !== '--expose-gc') });
  const baseURL = await new Promise<string>((resolve) => worker.once('message', resolve));
  const ours = createClient({ baseURL, apiKey: 'bench', maxRetries: 0 });
  const raw = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0 });
  const request = { model: 'fake-model', messages: [{ role: 'user' as const, content: 'Say something.' }] };

  const variants: Array<[string, Run, Run]> = [
    ['chat.create', () => ours.chat.create(request), () => raw.chat.completions.create(request)],
    [
      'chat.stream',
      async () => {
        let n = 0;
        for await (const _ of ours.chat.stream(request)) n++;
        return n;
      },
      async () => {
        let n = 0;
        const s = await raw.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
        for await (const _ of s) n++;
        return n;
      },
    ],
  ];

  // The same call with a canned in-memory fetch: only the clients' own work (no I/O, no server).
  const canned = JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'fake-model', choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 120, total_tokens: 125 } });
  const cannedFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    await (input instanceof Request ? input.text() : Promise.resolve(init?.body));
    return new Response(canned, { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const oursCanned = createClient({ baseURL, apiKey: 'bench', maxRetries: 0, fetch: cannedFetch });
  const rawCanned = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0, fetch: cannedFetch });
  variants.push(['chat.create, no I/O', () => oursCanned.chat.create(request), () => rawCanned.chat.completions.create(request)]);

  const rows: string[][] = [];
  for (const [name, a, b] of variants) {
    for (let i = 0; i < 100; i++) await a(), await b(); // warm-up
    const [ta, tb] = await interleavedMedians(a, b, 15, 40);
    const [ma, mb] = [await allocatedPerCall(a, 300), await allocatedPerCall(b, 300)];
    rows.push([name, fmtMs(ta), fmtMs(tb), ratio(ta, tb), fmtKB(ma), fmtKB(mb), ratio(ma, mb)]);
  }
  table(['per request', 'rewardgate', 'openai', 'time ratio', 'rewardgate alloc', 'openai alloc', 'alloc ratio'], rows);

  // The parsers alone: a 10 MB SSE stream fed in 64 KiB chunks, JSON.parse on each event.
  const wire = tenMegabyteStream();
  const parseOurs = async () => {
    let n = 0;
    for await (const m of readSSE(bodyOf(wire))) if (m.data !== '[DONE]') n += JSON.parse(m.data).choices.length;
    return n;
  };
  const parseOpenAI = async () => {
    let n = 0;
    const stream = Stream.fromSSEResponse<{ choices: unknown[] }>(new Response(bodyOf(wire)), new AbortController());
    for await (const item of stream) n += item.choices.length;
    return n;
  };
  if ((await parseOurs()) !== (await parseOpenAI())) throw new Error('the parsers disagree');
  const [pa, pb] = await interleavedMedians(parseOurs, parseOpenAI, 7, 1);
  const [qa, qb] = [await allocatedPerCall(parseOurs, 3), await allocatedPerCall(parseOpenAI, 3)];
  console.log();
  table(
    ['10 MB SSE parse', 'rewardgate', 'openai', 'time ratio', 'rewardgate alloc', 'openai alloc', 'alloc ratio'],
    [[`${(wire.reduce((s, c) => s + c.length, 0) / 1e6).toFixed(1)} MB`, fmtMs(pa), fmtMs(pb), ratio(pa, pb), fmtKB(qa), fmtKB(qb), ratio(qa, qb)]],
  );
  console.log('\nratio = rewardgate / openai (lower is better; 1.05 = 5% slower). Medians of interleaved rounds.');

  // Why ky-send.ts hands fetch a URL and a plain init: the same POST with ky's retry and timeout
  // on, once with ky building the Request from headers and body, once the way the transport sends.
  const url = `${baseURL}/chat/completions`;
  const headers = { accept: 'application/json', authorization: 'Bearer bench', 'content-type': 'application/json', 'idempotency-key': 'rewardgate-retry-bench' };
  const body = JSON.stringify(request);
  const retry = { limit: 2, methods: ['post' as const] };
  const kyOwn = ky.create({ retry, timeout: 60_000 });
  const kyOurs = createKy(undefined, 60_000, 2);
  const signal = new AbortController().signal;
  const paths: Array<[string, Run]> = [
    ["ky's Request (headers + body)", () => kyOwn(url, { method: 'POST', headers, body, signal }).then((r) => r.text())],
    ['ky, url + init (ky-send.ts)', () => kySend(kyOurs, url, { method: 'POST', headers, body }, { signal, maxRetries: 2, secret: undefined, headersMs: 60_000 }).then((r) => r.text())],
  ];
  const plain: Run = () => fetch(url, { method: 'POST', headers, body }).then((r) => r.text());
  const kyRows: string[][] = [];
  for (const [name, fn] of paths) {
    for (let i = 0; i < 100; i++) await fn(), await plain(); // warm-up
    const [ta, tb] = await interleavedMedians(fn, plain, 15, 40);
    const [ma, mb] = [await allocatedPerCall(fn, 300), await allocatedPerCall(plain, 300)];
    kyRows.push([name, fmtMs(ta), fmtMs(tb), ratio(ta, tb), fmtKB(ma), fmtKB(mb), ratio(ma, mb)]);
  }
  console.log();
  table(["ky's Request path", 'ky', 'fetch', 'time ratio', 'ky alloc', 'fetch alloc', 'alloc ratio'], kyRows);
  await worker.terminate();
}

/** Alternates blocks of `a` and `b` so drift hits both; returns the median ms per call of each. */
async function interleavedMedians(a: Run, b: Run, rounds: number, perRound: number): Promise<[number, number]> {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [fn, out] of (r % 2 ? [[b, rb], [a, ra]] : [[a, ra], [b, rb]]) as Array<[Run, number[]]>) {
      const start = performance.now();
      for (let i = 0; i < perRound; i++) await fn();
      out.push((performance.now() - start) / perRound);
    }
  }
  return [median(ra), median(rb)];
}

/** Bytes allocated on this thread's heap per call: heap growth plus what every GC freed. */
async function allocatedPerCall(fn: Run, calls: number): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const profiler = new GCProfiler();
  const start = process.memoryUsage().heapUsed;
  profiler.start();
  for (let i = 0; i < calls; i++) await fn();
  const end = process.memoryUsage().heapUsed;
  const stats = profiler.stop();
  let freed = 0;
  for (const s of stats?.statistics ?? []) freed += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize);
  return (end - start + freed) / calls;
}

function tenMegabyteStream(): Uint8Array[] {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 10_000_000; i++) {
    const line = `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: `token ${i} é😀 ` }, finish_reason: null }] })}\n\n`;
    parts.push(line);
    size += line.length;
  }
  parts.push('data: [DONE]\n\n');
  const bytes = encoder.encode(parts.join(''));
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 65_536) chunks.push(bytes.subarray(i, i + 65_536));
  return chunks;
}

function bodyOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const fmtMs = (ms: number) => `${ms.toFixed(3)} ms`;
const fmtKB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (a: number, b: number) => (a / b).toFixed(3);

function table(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// The worker thread runs the server; the main thread runs the clients.
if (!isMainThread) {
  const server = await startOpenAIServer(() => ({ text: TEXT }));
  parentPort!.postMessage(server.baseURL);
} else {
  await main();
}
