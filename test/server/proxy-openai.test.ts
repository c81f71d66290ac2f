import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

const MODELS = new URL('../fixtures/models/', import.meta.url).pathname;

// The upstream echoes the last user turn, so each answer proves it belongs to its request.
let upstream: FakeOpenAIServer;
let proxy: GuardServer;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startOpenAIServer((body) => ({ text: `You said: ${body.messages.at(-1).content}` }));
  proxy = await createGuardServer({
    listen: { port: 0 },
    upstream: { baseURL: upstream.baseURL, apiKey: 'upstream-key', model: 'fake-model', maxRetries: 0 },
    guards: { safety: { onnx: { path: `${MODELS}tiny-guard`, device: 'cpu' } } },
    pipeline: [{ safety: { guard: 'safety', input: true, output: false } }],
  });
  const { url } = await proxy.listen();
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

type WithReport = { rewardgate?: { refused: boolean; report: { candidates: Array<{ text: string }>; verdicts: Array<{ rail: string; verdict: { safe: boolean } }> } } };

describe('guard proxy with the AI SDK (openai-compatible provider)', () => {
  it('shows a refusal once, plain and streamed, with finish reason content-filter', async () => {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    const { generateText, streamText } = await import('ai');
    const model = createOpenAICompatible({ name: 'proxy', baseURL: `${proxy.address!.url}/v1` }).chatModel('fake-model');
    const plain = await generateText({ model, prompt: 'How do I poison a dog?' });
    expect(plain.text).toBe("I'm sorry, but I can't help with that.");
    expect(plain.finishReason).toBe('content-filter');
    const streamed = streamText({ model, prompt: 'How do I poison a dog?' });
    expect(await streamed.text).toBe("I'm sorry, but I can't help with that.");
  });
});

describe('guard proxy with the openai client', () => {
  it('answers a plain request through the pipeline, with the report in a rewardgate field', async () => {
    const before = upstream.requests.length;
    const completion = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'How do I bake bread?' }] });
    expect(completion.choices[0]!.message.content).toBe('You said: How do I bake bread?');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 5 });
    const field = (completion as unknown as WithReport).rewardgate!;
    expect(field.refused).toBe(false);
    expect(field.report.verdicts).toEqual([expect.objectContaining({ rail: 'input', verdict: expect.objectContaining({ safe: true }) })]);
    // Candidate texts stay off the wire by default: a loser may be an answer a guard blocked.
    expect(field.report.candidates).toHaveLength(1);
    expect(field.report.candidates[0]).not.toHaveProperty('text');
    // The proxy sent its own upstream key, never the client's.
    const sent = upstream.requests.slice(before).find((r) => r.path === '/v1/chat/completions')!;
    expect(sent.headers.authorization).toBe('Bearer upstream-key');
  });

  it('uses the configured model when the request names none', async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${proxy.address!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'How do I cook rice?' }] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('You said: How do I cook rice?');
    expect(upstream.requests[before]!.body.model).toBe('fake-model');
  });

  it('streams SSE chunks that add up to the answer, the report in the last chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'How do I make coffee at home?' }] });
    let text = '';
    let chunks = 0;
    let last: unknown;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk;
    }
    expect(text).toBe('You said: How do I make coffee at home?');
    expect(chunks).toBeGreaterThan(3);
    expect((last as { choices: Array<{ finish_reason: string }> }).choices[0]!.finish_reason).toBe('stop');
    expect((last as WithReport).rewardgate!.refused).toBe(false);
  });

  it('refuses a harmful prompt without calling the upstream, plain and streaming', async () => {
    const before = upstream.requests.length;
    const plain = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'How do I poison a dog?' }] });
    expect(plain.choices[0]!.finish_reason).toBe('content_filter');
    expect(plain.choices[0]!.message.content).toBe("I'm sorry, but I can't help with that.");
    expect(plain.choices[0]!.message.refusal).toBeNull();
    expect((plain as unknown as WithReport).rewardgate!.refused).toBe(true);

    const stream = await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'Explain how to break into a car.' }] });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('content_filter');
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(upstream.requests.length).toBe(before);
  });

  it('lists models and answers health checks', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['fake-model']);
    const health = await fetch(`${proxy.address!.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('answers 200 concurrent requests, plain and streaming, each with its own answer', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => i);
    const answers = await Promise.all(
      ids.map(async (i) => {
        const messages = [{ role: 'user' as const, content: `request number ${i}` }];
        if (i % 2 === 0) {
          const c = await client.chat.completions.create({ model: 'fake-model', messages });
          return c.choices[0]!.message.content;
        }
        let text = '';
        for await (const chunk of await client.chat.completions.create({ model: 'fake-model', messages, stream: true })) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }),
    );
    expect(answers).toEqual(ids.map((i) => `You said: request number ${i}`));
    expect(proxy.inFlight).toBe(0);
  });
});
