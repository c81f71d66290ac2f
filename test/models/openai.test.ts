import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIError,
  BadRequestError,
  fromOpenAI,
  RateLimitError,
  StreamError,
  TimeoutError,
  UserAbortError,
  ValidationError,
  type StreamEvent,
} from '../../src/index.js';
import { chunk, KEY, userTurn } from '../helpers/nim-mock.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { startLoopbackSSE } from '../helpers/loopback-sse.js';

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await startOpenAIServer((body) => {
    const prompt: string = body.messages.at(-1).content;
    if (prompt === 'rate') return { text: '', status: 429, errorBody: { error: { message: 'slow down' } } };
    if (prompt === 'echo-key') return { text: '', status: 400, errorBody: { error: { message: 'bad request', echo: 'Bearer ' + KEY } } };
    if (prompt === 'slow') return { text: 'one two three four five', chunkDelayMs: 30 };
    if (prompt === 'late') return { text: 'late', delayMs: 300 };
    return { text: 'Hello there friend' };
  });
});
afterAll(() => fake.close());

const openai = (options: ConstructorParameters<typeof OpenAI>[0] = {}) => new OpenAI({ baseURL: fake.baseURL, apiKey: KEY, maxRetries: 0, ...options });
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
const drain = async (events: AsyncIterable<StreamEvent>) => {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
};

describe('fromOpenAI', () => {
  it('generate: a completion with finish reason and usage; the bound model is the default', async () => {
    const llm = fromOpenAI(openai(), { model: 'bound-model' });
    const result = await llm.generate({ ...ask('hi'), temperature: 0.5, extra: { top_k: 3 } });
    expect(result).toMatchObject({ model: 'bound-model', text: 'Hello there friend', finishReason: 'stop', usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 } });
    expect(fake.requests.at(-1)!.body).toMatchObject({ model: 'bound-model', temperature: 0.5, top_k: 3 });
    await llm.generate({ ...ask('hi'), model: 'other' });
    expect(fake.requests.at(-1)!.body.model).toBe('other');
  });

  it('stream: text deltas, then the finish event with usage', async () => {
    const events = await drain(fromOpenAI(openai(), { model: 'm' }).stream(ask('hi')));
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('')).toBe('Hello there friend');
    expect(events.at(-1)).toMatchObject({ type: 'finish', completion: { text: 'Hello there friend', finishReason: 'stop', usage: { totalTokens: 8 } } });
  });

  it('a stream that ends without a finish reason is StreamError(truncated)', async () => {
    const remote = await startLoopbackSSE((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(chunk('cut ') + chunk('off'));
    });
    const llm = fromOpenAI(new OpenAI({ baseURL: remote.baseURL, apiKey: KEY, maxRetries: 0 }), { model: 'm' });
    await expect(drain(llm.stream(ask('hi')))).rejects.toMatchObject({ name: 'StreamError', kind: 'truncated' });
    await expect(drain(llm.stream(ask('hi')))).rejects.toBeInstanceOf(StreamError);
    await remote.close();
  });

  it('a chunk of the wrong shape is StreamError(malformed)', async () => {
    const remote = await startLoopbackSSE((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(chunk('ok') + 'data: {"choices": "nope"}\n\n' + 'data: [DONE]\n\n');
    });
    const llm = fromOpenAI(new OpenAI({ baseURL: remote.baseURL, apiKey: KEY, maxRetries: 0 }), { model: 'm' });
    await expect(drain(llm.stream(ask('hi')))).rejects.toMatchObject({ name: 'StreamError', kind: 'malformed' });
    await remote.close();
  });

  it('an error event or non-JSON data mid-stream is one of our errors (APIError / StreamError), with the key masked', async () => {
    const remote = await startLoopbackSSE((res, req) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (req.url?.includes('bad')) return void res.end(chunk('ok') + 'data: {not json\n\n');
      res.end(chunk('ok') + `event: error\ndata: ${JSON.stringify({ error: { message: 'overloaded ' + KEY, code: 503 } })}\n\n`);
    });
    const llm = fromOpenAI(new OpenAI({ baseURL: remote.baseURL, apiKey: KEY, maxRetries: 0 }), { model: 'm' });
    const error = await drain(llm.stream(ask('hi'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 503 });
    expect(inspect(error, { depth: Infinity }) + JSON.stringify(error)).not.toContain(KEY);
    const bad = fromOpenAI(new OpenAI({ baseURL: remote.baseURL + '/bad', apiKey: KEY, maxRetries: 0 }), { model: 'm' });
    await expect(drain(bad.stream(ask('hi')))).rejects.toMatchObject({ name: 'StreamError', kind: 'malformed' });
    await remote.close();
  });

  it('maps the openai errors onto the rewardgate hierarchy, with the key masked', async () => {
    const llm = fromOpenAI(openai(), { model: 'm' });
    await expect(llm.generate(ask('rate'))).rejects.toBeInstanceOf(RateLimitError);
    const error = await llm.generate(ask('echo-key')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400 });
    expect(inspect(error, { depth: Infinity }) + JSON.stringify(error)).not.toContain(KEY);
    const refused = fromOpenAI(new OpenAI({ baseURL: 'http://127.0.0.1:1/v1', apiKey: KEY, maxRetries: 0 }), { model: 'm' });
    await expect(refused.generate(ask('hi'))).rejects.toBeInstanceOf(APIConnectionError);
    const impatient = fromOpenAI(openai({ timeout: 50 }), { model: 'm' });
    await expect(impatient.generate(ask('late'))).rejects.toBeInstanceOf(TimeoutError);
  });

  it('honours abort before the call, mid-stream and on break, leaving no listener', async () => {
    const llm = fromOpenAI(openai(), { model: 'm' });
    const controller = new AbortController();
    const { signal } = controller;
    for (let i = 0; i < 5; i++) {
      await llm.generate(ask('hi'), { signal });
      await drain(llm.stream(ask('hi'), { signal }));
    }
    const before = fake.requests.length;
    const abortedBefore = fake.aborted;
    for await (const _ of llm.stream(ask('slow'), { signal })) break;
    const seen: string[] = [];
    const midStream = new AbortController();
    const error = await (async () => {
      for await (const e of llm.stream(ask('slow'), { signal: midStream.signal })) {
        if (e.type === 'text-delta') seen.push(e.text);
        midStream.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserAbortError);
    expect(seen).toHaveLength(1);
    while (fake.aborted < abortedBefore + 2) await new Promise((r) => setTimeout(r, 5));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const count = fake.requests.length;
    await expect(llm.generate(ask('hi'), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(UserAbortError);
    expect(fake.requests.length).toBe(count);
    expect(count).toBe(before + 2);
  });

  it('validates the options and each request before any call', async () => {
    expect(() => fromOpenAI(openai(), {} as never)).toThrow(ValidationError);
    const llm = fromOpenAI(openai(), { model: 'm' });
    const count = fake.requests.length;
    await expect(llm.generate({ messages: [] })).rejects.toMatchObject({ name: 'ValidationError', issues: [{ path: 'messages' }] });
    expect(() => llm.stream({ messages: userTurn, top_p: 0 })).toThrow(ValidationError);
    expect(fake.requests.length).toBe(count);
  });
});
