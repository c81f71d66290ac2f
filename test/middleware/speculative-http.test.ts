// speculativeBestOfN against a real OpenAI-compatible server on loopback: pruned candidates'
// requests are closed (the server counts the connections that went away), and the whole thing
// works behind the guard proxy with the official `openai` client streaming.
import { getEventListeners } from 'node:events';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { messageText } from '../../src/content.js';
import { createClient, pipeline, scorerFromFunction, speculativeBestOfN, toolPolicy } from '../../src/index.js';
import { createGuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { drain, user } from '../pipeline/test-model.js';

// Seed s answers "s<s> w0 w1 ..." one word per chunk; the scorer ranks by QUALITY[s].
const QUALITY = [3, 7, 1, 8];
const answer = (seed: number) => [`s${seed}`, ...Array.from({ length: 29 }, (_, k) => `w${k}`)].join(' ');
const scorer = scorerFromFunction((c) => QUALITY[Number(/^s(\d+)/.exec(messageText(c.at(-1)!))?.[1])] ?? -100);

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startOpenAIServer((body) => ({ text: answer(body.seed), chunkDelayMs: 2 }));
});
afterAll(async () => {
  await upstream?.close();
});

const model = () => createClient({ baseURL: upstream.baseURL, apiKey: 'test-key', maxRetries: 0 }).chatModel('fake-model');
const middleware = () => [speculativeBestOfN({ n: 4, scorer, checkpoints: { everyTokens: 4 }, sampling: { seed: 0 } })];

describe('speculativeBestOfN over HTTP', () => {
  it('closes each pruned candidate upstream request and streams the survivor', async () => {
    const before = upstream.aborted;
    const controller = new AbortController();
    const events = await drain(pipeline(model(), middleware()).stream(user('q'), { signal: controller.signal }));
    const text = events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
    expect(text).toBe(answer(3));
    expect(events.filter((e) => e.type === 'pruned')).toHaveLength(3);
    // 4 -> 2 -> 1: three requests cut short at the server, the survivor's ran to the end.
    await vi.waitFor(() => expect(upstream.aborted - before).toBe(3));
    const finish = events.at(-1)!;
    expect(finish.type === 'finish' && finish.completion.report.candidates.filter((c) => c.cancelled)).toHaveLength(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('works behind the guard proxy with the official openai client streaming', async () => {
    const before = upstream.aborted;
    const proxy = await createGuardServer({ model: pipeline(model(), middleware()), defaultModel: 'fake-model', port: 0 });
    try {
      const { url } = await proxy.listen();
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'q' }], stream: true });
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(text).toBe(answer(3));
      expect(finish).toBe('stop');
      await vi.waitFor(() => expect(upstream.aborted - before).toBe(3));
    } finally {
      await proxy.close();
    }
  });
});

describe('speculativeBestOfN over tool-calling candidates', () => {
  // Even seeds call a tool the request did not offer (toolPolicy refuses them), odd seeds a valid
  // one; every answer has ten words of text first, so the server reports 10 completion tokens.
  const offered = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
  let tools: FakeOpenAIServer;
  beforeAll(async () => {
    tools = await startOpenAIServer((body) => ({
      text: Array.from({ length: 10 }, (_, k) => `t${k}`).join(' '),
      toolCalls: [body.seed % 2 === 0 ? { id: `c${body.seed}`, name: 'wipe_disk', arguments: '{}' } : { id: `c${body.seed}`, name: 'get_weather', arguments: '{"city":"Oslo"}' }],
    }));
  });
  afterAll(async () => {
    await tools?.close();
  });

  it('picks the valid call and counts the tokens a refused candidate cost, not its refusal', async () => {
    const agent = pipeline(createClient({ baseURL: tools.baseURL, apiKey: 'test-key', maxRetries: 0 }).chatModel('fake-model'), [
      speculativeBestOfN({ n: 2, scorer: scorerFromFunction(() => 1), checkpoints: [1000] }),
      toolPolicy({ onViolation: 'refuse' }),
    ]);
    const events = await drain(agent.stream({ ...user('Weather in Oslo?'), tools: [offered], seed: 0 }));
    const finish = events.at(-1)!;
    if (finish.type !== 'finish') throw new Error('no finish event');
    expect(finish.completion.toolCalls?.map((c) => c.function.name)).toEqual(['get_weather']);
    const { candidates, speculative } = finish.completion.report;
    expect(candidates.map((c) => c.usage?.completionTokens)).toEqual([10, 10]);
    expect(candidates.map((c) => c.tokens)).toEqual([10, 10]);
    expect(speculative?.[0]).toMatchObject({ n: 2, tokens: 20, fullEstimate: 20, ratio: 1 });
  });
});
