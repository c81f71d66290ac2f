import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChatRoute } from '../../src/integrations/express.js';
import { answerNumber, REFUSAL, startGuardedUpstream, type GuardedUpstream } from '../helpers/guarded-upstream.js';
import { openAIChunks } from '../helpers/sse.js';
import { finalAnswer, startAgentUpstream, TIME_TOOL, WEATHER_TOOL } from '../helpers/agent-upstream.js';
import { fromOpenAI } from '../../src/models/openai.js';
import { upload } from '../server/raw-http.js';

let up: GuardedUpstream;
let server: Server | undefined;
beforeEach(async () => {
  up = await startGuardedUpstream({ n: 3 });
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  await up.close();
});

/** A real Express 5 app on loopback; `withJson` puts express.json() in front. */
async function serve(route: express.RequestHandler, withJson = false): Promise<string> {
  const app = express();
  if (withJson) app.use(express.json());
  app.post('/v1/chat/completions', route);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });
const hello = { messages: [{ role: 'user', content: 'Hello' }] };
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('createChatRoute (Express 5)', () => {
  it('serves the official openai client, plain and streaming', async () => {
    const url = await serve(createChatRoute({ model: up.model }));
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Answer number 3.');
    expect((completion as unknown as { rewardgate: { report: { candidates: unknown[] } } }).rewardgate.report.candidates).toHaveLength(3);
    const stream = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Answer number 3.');
    expect(finish).toBe('stop');
  });

  it('works behind express.json() too, and refuses harmful prompts without an upstream call', async () => {
    const url = await serve(createChatRoute({ model: up.model }), true);
    const res = await post(url, { messages: [{ role: 'user', content: 'teach me to make a bomb' }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.choices[0]).toMatchObject({ message: { content: REFUSAL }, finish_reason: 'content_filter' });
    expect(body.rewardgate.refused).toBe(true);
    const streamed = openAIChunks(await (await post(url, { messages: [{ role: 'user', content: 'bomb' }], stream: true })).text());
    expect(streamed).toMatchObject({ done: true, content: REFUSAL });
    expect(up.server.requests).toHaveLength(0);
    const ok = await (await post(url, hello)).json();
    expect(answerNumber(ok.choices[0].message.content)).toBe(3);
  });

  it('answers invalid, malformed and oversized bodies with OpenAI-style 4xx', async () => {
    const url = await serve(createChatRoute({ model: up.model, maxBodyBytes: 1000 }));
    const invalid = await post(url, { messages: [{ role: 'user', content: 'x' }], temperature: 9 });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'temperature' });
    const malformed = await post(url, '{not json');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('invalid_json');
    const big = await post(url, { messages: [{ role: 'user', content: 'x'.repeat(4000) }] });
    expect(big.status).toBe(413);
    expect(up.server.requests).toHaveLength(0);
  });

  it('maps upstream failures: an error status to 502, plain and streaming', async () => {
    await up.close();
    up = await startGuardedUpstream({ reply: () => ({ status: 503, errorBody: { error: { message: 'overloaded' } } }) });
    const reported: unknown[] = [];
    const url = await serve(createChatRoute({ model: up.plain, onError: (e) => reported.push(e) }));
    const plain = await post(url, hello);
    expect(plain.status).toBe(502);
    // Generic: the upstream's own 5xx text stays in the server log.
    const error = (await plain.json()).error;
    expect(error).toMatchObject({ type: 'upstream_error', code: 'upstream_503', message: expect.stringContaining('status 503') });
    expect(error.message).not.toContain('overloaded');
    const streamed = await post(url, { ...hello, stream: true });
    expect(streamed.status).toBe(502);
    expect(reported).toHaveLength(2);
  });

  it('answers 502 JSON, not a 200 stream, when a pipeline emits progress events before its upstream fails', async () => {
    const reported: unknown[] = [];
    const url = await serve(createChatRoute({ model: up.model, onError: (e) => reported.push(e) }));
    await up.close();
    const res = await post(url, { ...hello, stream: true });
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe('upstream_unreachable');
    expect(reported.map((e) => (e as Error).name)).toEqual(['APIConnectionError']);
  });

  it('reports nothing when the client disconnects while still sending its body', async () => {
    const reported: unknown[] = [];
    const route = createChatRoute({ model: up.plain, onError: (e) => reported.push(e) });
    let entered = 0;
    let handled = 0;
    const url = await serve(async (req, res, next) => {
      entered++;
      await route(req, res, next);
      handled++;
    });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"messa');
    await until(() => entered === 1);
    socket.destroy();
    await until(() => handled === 1);
    // The client left: no answer was due, and nothing failed on the server side.
    expect(reported).toEqual([]);
    expect(up.server.requests).toHaveLength(0);
  });

  it('cancels the upstream stream when the client disconnects', async () => {
    await up.close();
    up = await startGuardedUpstream({ n: 1, reply: () => ({ text: 'a b c d e f g h i j', chunkDelayMs: 50 }) });
    const url = await serve(createChatRoute({ model: up.plain }));
    const client = new AbortController();
    const res = await post(url, { ...hello, stream: true }, { signal: client.signal });
    const reader = res.body!.getReader();
    await reader.read();
    client.abort();
    await until(() => up.server.aborted === 1);

    // A plain (non-streaming) call is cancelled the same way while it waits.
    await up.close();
    up = await startGuardedUpstream({ n: 1, reply: () => ({ text: 'late', delayMs: 2000 }) });
    server?.closeAllConnections();
    await new Promise((r) => server!.close(r));
    const url2 = await serve(createChatRoute({ model: up.plain }));
    const client2 = new AbortController();
    const pending = post(url2, hello, { signal: client2.signal }).catch((e: unknown) => e);
    await until(() => up.server.requests.length === 1);
    client2.abort();
    await pending;
    await until(() => up.server.aborted === 1);
  });

  it('runs the openai client’s tool loop (runTools) through the route, plain and streaming', async () => {
    const agent = await startAgentUpstream();
    try {
      const model = fromOpenAI(new OpenAI({ baseURL: agent.baseURL, apiKey: 'test-key', maxRetries: 0 }), { model: 'fake-model' });
      const url = await serve(createChatRoute({ model }), true);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const tools = [
        { type: 'function' as const, function: { ...WEATHER_TOOL.function, parse: JSON.parse, function: () => 'sunny, 21°C' } },
        { type: 'function' as const, function: { ...TIME_TOOL.function, parse: JSON.parse, function: () => '10:00' } },
      ];
      for (const stream of [false, true]) {
        const runner = client.chat.completions.runTools({ model: 'fake-model', stream, messages: [{ role: 'user', content: 'Weather and time?' }], tools } as never);
        expect(await (runner as { finalContent(): Promise<string | null> }).finalContent()).toBe(finalAnswer('sunny, 21°C', '10:00'));
      }
      // Two loops of three steps; the last step of each carried both results to the upstream.
      expect(agent.requests).toHaveLength(6);
      expect(agent.requests[2]!.body.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { tool_call_id: string }) => m.tool_call_id)).toEqual(['call_weather', 'call_time']);
    } finally {
      await agent.close();
    }
  });

  it('answers a 5 MB upload against a 1 MiB limit with a 413 the client reads (no reset, no re-upload)', async () => {
    const url = await serve(createChatRoute({ model: up.model, maxBodyBytes: 1024 * 1024 }));
    const size = 5 * 1024 * 1024;
    const answer = await upload(`${url}/v1/chat/completions`, { 'content-type': 'application/json', 'content-length': String(size) }, size);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error.code).toBe('request_too_large');
  });
});
