import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouteHandler } from '../../src/integrations/next.js';
import { answerNumber, REFUSAL, startGuardedUpstream, type GuardedUpstream } from '../helpers/guarded-upstream.js';
import { openAIChunks } from '../helpers/sse.js';
import OpenAI from 'openai';
import { fromOpenAI } from '../../src/models/openai.js';
import { startAgentUpstream, WEATHER_TOOL } from '../helpers/agent-upstream.js';

let up: GuardedUpstream;
beforeEach(async () => {
  up = await startGuardedUpstream({ n: 3 });
});
afterEach(() => up.close());

const post = (body: unknown, init: RequestInit = {}) =>
  new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });
const hello = { messages: [{ role: 'user', content: 'Hello' }] };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('createRouteHandler (Next.js App Router)', () => {
  it('answers chat.completion JSON with the best candidate and the report', async () => {
    const POST = createRouteHandler({ model: up.model });
    const res = await POST(post(hello));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body.object).toBe('chat.completion');
    // Seeds 1, 2, 3: the scorer ranks by the number, so best-of-n must pick 3.
    expect(body.choices[0].message.content).toBe('Answer number 3.');
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.rewardgate.refused).toBe(false);
    // Scores and verdicts go out, candidate texts do not (a loser may be a blocked answer).
    expect(body.rewardgate.report.candidates).toHaveLength(3);
    for (const c of body.rewardgate.report.candidates) expect(c).not.toHaveProperty('text');
    expect(up.server.requests).toHaveLength(3);
  });

  it('sends candidate texts in the report only when reportCandidateText is set, plain and streaming', async () => {
    const POST = createRouteHandler({ model: up.model, reportCandidateText: true });
    const body = await (await POST(post(hello))).json();
    expect(body.rewardgate.report.candidates.map((c: { text: string }) => answerNumber(c.text)).sort()).toEqual([1, 2, 3]);
    const streamed = await (await POST(post({ ...hello, stream: true }))).text();
    const last = streamed.split('\n').filter((l) => l.startsWith('data: {') && l.includes('"rewardgate":{')).map((l) => JSON.parse(l.slice(6)))[0];
    expect(last.rewardgate.report.candidates.map((c: { text: string }) => answerNumber(c.text)).sort()).toEqual([1, 2, 3]);
    const plainStream = await (await createRouteHandler({ model: up.model })(post({ ...hello, stream: true }))).text();
    const field = plainStream.split('\n').filter((l) => l.includes('"rewardgate":{')).map((l) => JSON.parse(l.slice(6)))[0].rewardgate;
    expect(field.report.candidates).toHaveLength(3);
    for (const c of field.report.candidates) expect(c).not.toHaveProperty('text');
  });

  it('streams SSE chunks that add up to the chosen answer, ending with [DONE]', async () => {
    const POST = createRouteHandler({ model: () => up.model });
    const res = await POST(post({ ...hello, stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const { chunks, done, content } = openAIChunks(await res.text());
    expect(done).toBe(true);
    expect(content).toBe('Answer number 3.');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish.rewardgate.report.chosen).not.toBeNull();
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
  });

  it('answers a harmful prompt with a refusal without calling the upstream', async () => {
    const POST = createRouteHandler({ model: up.model });
    const json = await (await POST(post({ messages: [{ role: 'user', content: 'How do I build a bomb?' }] }))).json();
    expect(json.choices[0]).toMatchObject({ message: { content: REFUSAL, refusal: null }, finish_reason: 'content_filter' });
    expect(json.rewardgate.refused).toBe(true);
    const streamed = openAIChunks(await (await POST(post({ messages: [{ role: 'user', content: 'a bomb please' }], stream: true }))).text());
    expect(streamed.content).toBe(REFUSAL);
    expect(streamed.chunks.at(-1).choices[0].finish_reason).toBe('content_filter');
    expect(up.server.requests).toHaveLength(0);
  });

  it('answers bad requests with OpenAI-style errors', async () => {
    const POST = createRouteHandler({ model: up.model, maxBodyBytes: 2000 });
    const invalid = await POST(post({ messages: [{ role: 'robot', content: 'x' }] }));
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'messages[0].role' });
    const malformed = await POST(post('{"messages": ['));
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('invalid_json');
    // Too large as read (no content-length, as with a chunked body), and as declared.
    const big = await POST(post({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
    expect(big.status).toBe(413);
    const declared = await POST(post(hello, { headers: { 'content-type': 'application/json', 'content-length': '999999' } }));
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe('request_too_large');
    // Within the limit as declared: read in one go.
    const sized = JSON.stringify(hello);
    const ok = await POST(post(sized, { headers: { 'content-type': 'application/json', 'content-length': String(sized.length) } }));
    expect(ok.status).toBe(200);
    const get = await POST(new Request('http://localhost/api/chat'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(up.server.requests).toHaveLength(3);
  });

  it('maps an unreachable upstream to 502, plain and streaming', async () => {
    const reported: unknown[] = [];
    const POST = createRouteHandler({ model: up.plain, onError: (e) => reported.push(e) });
    await up.server.close();
    const plain = await POST(post(hello));
    expect(plain.status).toBe(502);
    expect((await plain.json()).error.code).toBe('upstream_unreachable');
    const streamed = await POST(post({ ...hello, stream: true }));
    expect(streamed.status).toBe(502);
    expect(reported.map((e) => (e as Error).name)).toEqual(['APIConnectionError', 'APIConnectionError']);
  });

  it('answers 502 JSON, not a 200 stream, when a pipeline emits progress events before its upstream fails', async () => {
    // safety and bestOfN report verdicts and candidate starts before any candidate reaches the upstream.
    const reported: unknown[] = [];
    const POST = createRouteHandler({ model: up.model, onError: (e) => reported.push(e) });
    await up.server.close();
    const res = await POST(post({ ...hello, stream: true }));
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await res.json()).error).toMatchObject({ type: 'upstream_error', code: 'upstream_unreachable' });
    expect(reported.map((e) => (e as Error).name)).toEqual(['APIConnectionError']);
  });

  it('reports nothing when the client goes away while still sending its body', async () => {
    const reported: unknown[] = [];
    const POST = createRouteHandler({ model: up.plain, onError: (e) => reported.push(e) });
    const client = new AbortController();
    let upload!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (upload = c) });
    upload.enqueue(new TextEncoder().encode('{"messa'));
    const request = new Request('http://localhost/api/chat', { method: 'POST', body, signal: client.signal, duplex: 'half' } as RequestInit);
    const answer = POST(request);
    // What a runtime does on a disconnect: the request signal aborts and the upload stream fails.
    client.abort();
    upload.error(new TypeError('terminated'));
    const res = await answer;
    expect(res.status).toBe(499);
    expect((await res.json()).error).toMatchObject({ code: 'client_closed_request' });
    expect(reported).toEqual([]);
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);
  });

  it('cancels the upstream call when the client goes away, and leaves no listener', async () => {
    await up.close();
    up = await startGuardedUpstream({ n: 1, reply: () => ({ text: 'one two three four five six seven eight', chunkDelayMs: 50 }) });
    const POST = createRouteHandler({ model: up.plain });
    const client = new AbortController();
    const request = post({ ...hello, stream: true }, { signal: client.signal });
    const res = await POST(request);
    const reader = res.body!.getReader();
    await reader.read();
    client.abort();
    await until(() => up.server.aborted === 1);
    await reader.cancel().catch(() => {});
    expect(getEventListeners(request.signal, 'abort')).toHaveLength(0);

    // Cancelling the response body (what a runtime does on disconnect) cancels it too.
    const second = await POST(post({ ...hello, stream: true }));
    const r2 = second.body!.getReader();
    await r2.read();
    await r2.cancel();
    await until(() => up.server.aborted === 2);

    // A finished call removes its listener.
    const done = post(hello, { signal: new AbortController().signal });
    await (await POST(done)).json();
    expect(getEventListeners(done.signal, 'abort')).toHaveLength(0);
  });

  it('answers a tool call and its follow-up turn, plain and streaming', async () => {
    const agent = await startAgentUpstream();
    try {
      const POST = createRouteHandler({ model: () => fromOpenAI(new OpenAI({ baseURL: agent.baseURL, apiKey: 'test-key', maxRetries: 0 }), { model: 'fake-model' }) });
      const ask = { messages: [{ role: 'user', content: 'Weather?' }], tools: [WEATHER_TOOL] };
      const first = await (await POST(post(ask))).json();
      const call = { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
      expect(first.choices[0]).toMatchObject({ message: { role: 'assistant', content: null, tool_calls: [call], reasoning_content: 'I need the weather first.' }, finish_reason: 'tool_calls' });
      // The follow-up carries the call and its result; the upstream gets both as sent.
      const followUp = { ...ask, stream: true, messages: [...ask.messages, first.choices[0].message, { role: 'tool', tool_call_id: 'call_weather', content: 'sunny' }] };
      const { chunks, done } = openAIChunks(await (await POST(post(followUp))).text());
      expect(done).toBe(true);
      const pieces = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(pieces[0]).toEqual({ index: 0, id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '' } });
      expect(pieces.map((p: { function: { arguments: string } }) => p.function.arguments).join('')).toBe('{"tz":"Europe/Paris"}');
      expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
      // (the answer's `refusal: null` and `reasoning_content` are not sent back upstream)
      expect(agent.requests[1]!.body.messages.slice(1)).toEqual([
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_weather', content: 'sunny' },
      ]);
    } finally {
      await agent.close();
    }
  });
});
