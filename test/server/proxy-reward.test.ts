import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScorer, type LocalScorer } from '../../src/onnx/index.js';
import { nimReward } from '../../src/scorers/nim-reward.js';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

const MODELS = new URL('../fixtures/models/', import.meta.url).pathname;
const NEMOTRON = 'nvidia/llama-3.1-nemotron-70b-reward';

let upstream: FakeOpenAIServer;
let proxy: GuardServer;
let url: string;
let local: LocalScorer;

beforeAll(async () => {
  upstream = await startOpenAIServer();
  local = await loadScorer({ path: `${MODELS}tiny-reward`, device: 'cpu' });
  proxy = await createGuardServer({
    listen: { port: 0 },
    upstream: { baseURL: upstream.baseURL, model: 'fake-model' },
    scorers: { 'tiny-reward': { onnx: { path: `${MODELS}tiny-reward`, device: 'cpu' }, serveAs: NEMOTRON } },
  });
  url = (await proxy.listen()).url;
});

afterAll(async () => {
  await proxy?.close();
  await local?.close();
  await upstream?.close();
});

const conversations = [
  [{ role: 'user' as const, content: 'How do I bake bread?' }, { role: 'assistant' as const, content: 'Mix flour, water, yeast and salt, then let it rise.' }],
  [{ role: 'user' as const, content: 'How do I bake bread?' }, { role: 'assistant' as const, content: 'Figure it out yourself.' }],
  [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'Hi!' }, { role: 'assistant' as const, content: 'Hello! How can I help?' }],
];

describe('guard proxy serving a local reward model in the NIM reward shape', () => {
  it('gives nimReward the same scores as the local model, by base URL alone', async () => {
    const expected = await local.score(conversations);
    for (const model of ['tiny-reward', NEMOTRON]) {
      const remote = nimReward({ baseURL: `${url}/v1`, apiKey: 'unused', model });
      const scores = await remote.score(conversations);
      expect(scores.map((s) => s.value)).toEqual(expected.map((s) => s.value));
    }
    expect(expected[0]!.value).toBeGreaterThan(expected[1]!.value);
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers a model named like an inherited property (toString) with the chat pipeline, not as a scorer', async () => {
    for (const model of ['toString', 'constructor', '__proto__']) {
      const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      expect(body.choices[0]!.message.content).toBe('Hello from the fake server.');
    }
  });

  it('answers with reward:<float> content and the score as logprobs, and lists the model', async () => {
    const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: NEMOTRON, messages: conversations[0] }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { model: string; choices: Array<{ message: { content: string }; logprobs: { content: Array<{ token: string; logprob: number }> } }> };
    const [score] = await local.score([conversations[0]!]);
    expect(body.model).toBe(NEMOTRON);
    expect(body.choices[0]!.message.content).toBe(`reward:${score!.value}`);
    expect(body.choices[0]!.logprobs.content).toEqual([expect.objectContaining({ token: 'reward', logprob: score!.value })]);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['fake-model', 'tiny-reward', NEMOTRON]);
  });

  it('rejects a conversation that does not end with the answer to score, and streaming', async () => {
    const noAnswer = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny-reward', messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(noAnswer.status).toBe(400);
    expect(((await noAnswer.json()) as { error: { param: string } }).error.param).toBe('messages[0].role');
    const stream = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny-reward', stream: true, messages: conversations[0] }) });
    expect(stream.status).toBe(400);
    expect(((await stream.json()) as { error: { param: string } }).error.param).toBe('stream');
  });
});
