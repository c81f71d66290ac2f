import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';

const MODELS = new URL('../fixtures/models/', import.meta.url).pathname;

// No upstream server at all: tiny-chat generates, tiny-reward picks the best of three.
let proxy: GuardServer;
let client: OpenAI;

beforeAll(async () => {
  proxy = await createGuardServer({
    listen: { port: 0, reportCandidateText: true },
    upstream: { onnx: { path: `${MODELS}tiny-chat`, device: 'cpu' }, model: 'tiny-chat' },
    scorers: { reward: { onnx: { path: `${MODELS}tiny-reward`, device: 'cpu' } } },
    pipeline: [{ bestOfN: { n: 3, scorer: 'reward', sampling: { temperature: 1 } } }],
  });
  client = new OpenAI({ baseURL: `${(await proxy.listen()).url}/v1`, apiKey: 'x', maxRetries: 0 });
});

afterAll(async () => {
  await proxy?.close();
});

type Report = { chosen: number; candidates: Array<{ text: string; score?: { value: number } }> };

function expectBestChosen(text: string, report: Report) {
  expect(report.candidates).toHaveLength(3);
  const best = Math.max(...report.candidates.map((c) => c.score!.value));
  expect(report.candidates[report.chosen]!.score!.value).toBe(best);
  expect(text).toBe(report.candidates[report.chosen]!.text);
}

describe('guard proxy on a local ONNX chat model', () => {
  it('answers with the best of n sampled answers, plain and streaming', async () => {
    const messages = [{ role: 'user' as const, content: 'How do I make coffee?' }];
    const plain = await client.chat.completions.create({ model: 'tiny-chat', messages, seed: 3 });
    expectBestChosen(plain.choices[0]!.message.content!, (plain as unknown as { rewardgate: { report: Report } }).rewardgate.report);

    let text = '';
    let report: Report | undefined;
    for await (const chunk of await client.chat.completions.create({ model: 'tiny-chat', messages, seed: 3, stream: true })) {
      text += chunk.choices[0]?.delta.content ?? '';
      report = (chunk as unknown as { rewardgate?: { report: Report } }).rewardgate?.report ?? report;
    }
    expectBestChosen(text, report!);
    // Same seed, same candidates: both paths pick the same answer.
    expect(text).toBe(plain.choices[0]!.message.content);
  });

  it("answers 400 context_length_exceeded when a candidate is over the scorer's input limit", async () => {
    // tiny-chat's answers to this prompt run past 40 tokens with the chat template around them.
    const strict = await createGuardServer({
      listen: { port: 0 },
      upstream: { onnx: { path: `${MODELS}tiny-chat`, device: 'cpu' }, model: 'tiny-chat' },
      scorers: { reward: { onnx: { path: `${MODELS}tiny-reward`, device: 'cpu', maxLength: 40 } } },
      pipeline: [{ bestOfN: { n: 2, scorer: 'reward' } }],
    });
    try {
      const short = new OpenAI({ baseURL: `${(await strict.listen()).url}/v1`, apiKey: 'x', maxRetries: 0 });
      const error = await short.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'How do I make coffee?' }], seed: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
      // Not the batch index of the scorer call ('[0]'), which would name nothing of the client's request.
      expect({ code: bad.code, param: bad.param, type: bad.type }).toEqual({ code: 'context_length_exceeded', param: null, type: 'invalid_request_error' });
      expect(bad.message).toMatch(/longer than a reward model's input limit/);
    } finally {
      await strict.close();
    }
  });
});
