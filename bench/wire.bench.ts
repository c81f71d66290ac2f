// The OpenAI wire layer (createChatHandler: body limit, zod validation, mapping, SSE framing)
// next to a minimal hand-written fetch handler that does only JSON.parse / JSON.stringify, both
// around the same instant in-memory model, in the same run. What is left is the wire layer's own
// cost per request, the part the guard proxy and the Next.js / Express handlers add.
import { createChatHandler } from '../src/integrations/openai-wire.js';
import type { ChatModel, StreamEvent } from '../src/interfaces.js';
import type { ChatRequest, Completion } from '../src/types.js';

const WORDS = Array.from({ length: 100 }, (_, i) => `word${i} `);
const TEXT = WORDS.join('');
const completion: Completion = { id: 'c1', model: 'm', text: TEXT, finishReason: 'stop', usage: { promptTokens: 20, completionTokens: 100, totalTokens: 120 } };
const model: ChatModel = {
  generate: async () => completion,
  async *stream(): AsyncGenerator<StreamEvent> {
    for (const w of WORDS) yield { type: 'text-delta', text: w };
    yield { type: 'finish', completion };
  },
};
const messages = Array.from({ length: 6 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i} `.repeat(40) }));
const plainBody = JSON.stringify({ model: 'm', messages, temperature: 0.7, max_tokens: 200 });
const streamBody = JSON.stringify({ model: 'm', messages, temperature: 0.7, max_tokens: 200, stream: true });

const ours = createChatHandler(model, { onError: () => {} });
const encoder = new TextEncoder();
// The baseline: what a hand-rolled proxy does with no validation, limits or error mapping.
async function baseline(request: Request): Promise<Response> {
  const body = (await request.json()) as ChatRequest & { stream?: boolean };
  if (!body.stream) {
    const c = await model.generate(body);
    return Response.json({ id: c.id, object: 'chat.completion', created: 0, model: c.model, choices: [{ index: 0, message: { role: 'assistant', content: c.text }, finish_reason: c.finishReason }] });
  }
  const events = model.stream(body)[Symbol.asyncIterator]();
  return new Response(
    new ReadableStream({
      async pull(controller) {
        const r = await events.next();
        if (r.done) return controller.close();
        const e = r.value;
        const chunk = e.type === 'text-delta' ? { choices: [{ index: 0, delta: { content: e.text }, finish_reason: null }] } : { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n${e.type === 'finish' ? 'data: [DONE]\n\n' : ''}`));
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

const call = (handler: (r: Request) => Promise<Response>, body: string) => async () => {
  // Headers as an HTTP server's request carries them (content-length included).
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  const res = await handler(new Request('http://bench/v1/chat/completions', { method: 'POST', headers, body }));
  return (await res.text()).length;
};

type Run = () => Promise<unknown>;

async function timePerCall(run: Run, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await run();
  return ((performance.now() - start) * 1000) / n; // µs
}

// Alternates the two in short rounds so drift hits both alike; returns median µs per call.
async function interleavedMedians(a: Run, b: Run, rounds: number, perRound: number): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ta.push(await timePerCall(a, perRound));
    tb.push(await timePerCall(b, perRound));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(ta), median(tb)];
}

const rows: string[][] = [];
for (const [name, body] of [
  ['JSON answer', plainBody],
  ['SSE, 100 deltas', streamBody],
] as const) {
  const a = call(ours, body);
  const b = call(baseline, body);
  for (let i = 0; i < 300; i++) await a(), await b(); // warm-up
  const [ta, tb] = await interleavedMedians(a, b, 21, 200);
  rows.push([name, `${ta.toFixed(1)} µs`, `${tb.toFixed(1)} µs`, `${(ta / tb).toFixed(2)}x`, `${(ta - tb).toFixed(1)} µs`]);
}

const header = ['per request (in process)', 'rewardgate wire', 'bare handler', 'ratio', 'added'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
