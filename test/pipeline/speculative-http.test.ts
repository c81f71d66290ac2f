// speculativeBestOfN against a real OpenAI-compatible server on loopback: pruned candidates'
// requests are closed (the server counts the connections that went away), and the whole thing
// works behind the guard proxy with the official `openai` client streaming.
import { getEventListeners } from 'node:events';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { messageText } from '../../src/content.js';
import { createClient, pipeline, scorerFromFunction, speculativeBestOfN } from '../../src/index.js';
import { createGuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { drain, user } from './test-model.js';

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
