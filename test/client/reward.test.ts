import { getEventListeners } from 'node:events';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BadRequestError, createClient, nimReward, ScorerConfigurationError, ResponseError, scorerFromFunction, ValidationError, type Message } from '../../src/index.js';
import { scoreAsNim } from '../../src/server/reward-route.js';
import { KEY, NIM, remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();

const client = createClient({ baseURL: NIM, apiKey: KEY, maxRetries: 0 });
const convo = (answer: string): Message[] => [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: answer },
];

/** A reward model answering `choice` for every request; returns the request bodies. */
function rewardModel(choice: (body: any, index: number) => Record<string, unknown>) {
  const bodies: any[] = [];
  server.use(
    http.post(`${NIM}/chat/completions`, async ({ request }) => {
      const body = await request.json();
      bodies.push(body);
      return HttpResponse.json({ id: 'r', model: 'reward', choices: [{ index: 0, finish_reason: 'length', ...choice(body, bodies.length - 1) }] });
    }),
  );
  return bodies;
}

const ATTRS = 'helpfulness:1.61,correctness:1.64,coherence:3.31,complexity:0.55,verbosity:0.52';
const CARD = 0.3 * 1.61 + 0.74 * 1.64 + 0.46 * 3.31 + 0.47 * 0.55 - 0.33 * 0.52;

describe('reward.score', () => {
  it('Llama-3.1-Nemotron-70B-Reward: the float after the last colon', async () => {
    const bodies = rewardModel(() => ({ message: { role: 'assistant', content: 'reward:-3.4375' } }));
    const score = await client.reward.score({ model: 'nvidia/llama-3.1-nemotron-70b-reward', messages: convo('4') });
    expect(score).toEqual({ value: -3.4375 });
    expect(bodies[0]).toEqual({ model: 'nvidia/llama-3.1-nemotron-70b-reward', messages: convo('4') });
  });

  it('Llama-3.1-Nemotron-70B-Reward: falls back to logprobs when the content is empty', async () => {
    rewardModel(() => ({ message: { role: 'assistant', content: null }, logprobs: { content: [{ token: 'reward', logprob: -12.25, top_logprobs: [] }] } }));
    expect(await client.reward.score({ model: 'nvidia/llama-3.1-nemotron-70b-reward', messages: convo('5') })).toEqual({ value: -12.25 });
  });

  it('Nemotron-4-340B-Reward: five attributes and the model-card weighted value', async () => {
    rewardModel(() => ({ message: { role: 'assistant', content: ATTRS } }));
    const score = await client.reward.score({ model: 'nvidia/nemotron-4-340b-reward', messages: convo('4') });
    expect(score.attributes).toEqual({ helpfulness: 1.61, correctness: 1.64, coherence: 3.31, complexity: 0.55, verbosity: 0.52 });
    expect(score.value).toBeCloseTo(CARD, 10);
  });

  it('Nemotron-4-340B-Reward: logprobs-only form, and overridden weights', async () => {
    const entries = ATTRS.split(',').map((p) => ({ token: p.split(':')[0], logprob: Number(p.split(':')[1]) }));
    rewardModel(() => ({ message: { role: 'assistant', content: '' }, logprobs: { content: entries } }));
    const score = await client.reward.score({ model: 'nvidia/nemotron-4-340b-reward', messages: convo('4'), weights: { verbosity: 0, helpfulness: 1 } });
    expect(score.attributes?.coherence).toBe(3.31);
    expect(score.value).toBeCloseTo(1.61 + 0.74 * 1.64 + 0.46 * 3.31 + 0.47 * 0.55, 10);
  });

  it('checks that the last message is the assistant answer, before sending', async () => {
    const bodies = rewardModel(() => ({ message: { content: 'reward:1' } }));
    const error = await client.reward.score({ model: 'r', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: 'again' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: 'messages[1].role', message: "the last message must be the assistant's answer to score" }]);
    expect(bodies).toHaveLength(0);
  });

  it('an answer without any score is ResponseError(unexpected-shape)', async () => {
    rewardModel(() => ({ message: { content: 'I cannot score that.' } }));
    await expect(client.reward.score({ model: 'r', messages: convo('x') })).rejects.toMatchObject({ name: 'ResponseError', kind: 'unexpected-shape' });
    await expect(client.reward.score({ model: 'r', messages: convo('x') })).rejects.toBeInstanceOf(ResponseError);
  });
});

describe('reward.scoreBatch', () => {
  it('keeps the input order with at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server.use(
      http.post(`${NIM}/chat/completions`, async ({ request }) => {
        const body = (await request.json()) as { messages: Message[] };
        inFlight++;
        peak = Math.max(peak, inFlight);
        await delay(Number(body.messages[1]!.content) % 3 * 5);
        inFlight--;
        return HttpResponse.json({ choices: [{ message: { content: `reward:${body.messages[1]!.content}` } }] });
      }),
    );
    const conversations = Array.from({ length: 10 }, (_, i) => convo(String(i)));
    const { signal } = new AbortController();
    const scores = await client.reward.scoreBatch({ model: 'r', conversations, concurrency: 3 }, { signal });
    expect(scores.map((s) => s.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('validates every conversation before the first request', async () => {
    const bodies = rewardModel(() => ({ message: { content: 'reward:1' } }));
    const conversations = [convo('a'), convo('b'), [{ role: 'user' as const, content: 'no answer' }]];
    await expect(client.reward.scoreBatch({ model: 'r', conversations })).rejects.toMatchObject({ issues: [{ path: 'conversations[2][0].role' }] });
    expect(bodies).toHaveLength(0);
  });

  it('the first failure rejects the batch and no new request starts', async () => {
    let calls = 0;
    server.use(
      http.post(`${NIM}/chat/completions`, async () => {
        calls++;
        if (calls === 2) return HttpResponse.json({ detail: 'bad conversation' }, { status: 400 });
        await delay(20);
        return HttpResponse.json({ choices: [{ message: { content: 'reward:1' } }] });
      }),
    );
    const conversations = Array.from({ length: 20 }, (_, i) => convo(String(i)));
    await expect(client.reward.scoreBatch({ model: 'r', conversations, concurrency: 2 })).rejects.toBeInstanceOf(BadRequestError);
    await delay(50);
    expect(calls).toBeLessThanOrEqual(3);
  });
});

describe('reward parsing that cannot be silently wrong', () => {
  const score = (content: unknown, weights?: Record<string, number>) => {
    rewardModel(() => ({ message: { role: 'assistant', content } }));
    return client.reward.score({ model: 'r', messages: convo('x'), ...(weights ? { weights } : {}) });
  };

  it('any name:value list parses into attributes, and value is the weighted sum', async () => {
    expect(await score('LABEL_0:0.25,LABEL_1:-1.5', { LABEL_0: 2, LABEL_1: 1 })).toEqual({ value: 2 * 0.25 - 1.5, attributes: { LABEL_0: 0.25, LABEL_1: -1.5 } });
    // HelpSteer2 names keep their defaults beside other names.
    const mixed = await score('helpfulness:2,toxicity:0.5', { toxicity: -4 });
    expect(mixed).toEqual({ value: 0.3 * 2 - 4 * 0.5, attributes: { helpfulness: 2, toxicity: 0.5 } });
  });

  it('attributes with no weight and no default are a ScorerConfigurationError naming them (no last-attribute value)', async () => {
    const error = await score('safety:0.9,quality:2.5').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScorerConfigurationError);
    expect(error).toMatchObject({ code: 'scorer_misconfigured', attributes: ['safety', 'quality'] });
    expect((error as Error).message).toContain('weights: { "safety": 1, "quality": 1 }');
    await expect(score('helpfulness:1,extra:2')).rejects.toMatchObject({ name: 'ScorerConfigurationError', attributes: ['extra'] });
  });

  it('a weight for an attribute the answer lacks is an error (a misspelt name is not ignored)', async () => {
    await expect(score(ATTRS, { helpfulness: 1, toxicity: 1 })).rejects.toMatchObject({ name: 'ScorerConfigurationError', attributes: ['toxicity'] });
    // A near miss of a HelpSteer2 name is caught before sending.
    await expect(score(ATTRS, { helpfullness: 1 })).rejects.toMatchObject({ name: 'ValidationError', issues: [{ path: 'weights.helpfullness', message: 'not an attribute: did you mean "helpfulness"?' }] });
  });

  it('reply variations: whitespace, newlines, a trailing comma, quotes, exponents, a bare number', async () => {
    const spaced = await score(' helpfulness : 1.61 ,\n correctness:1.64, coherence:3.31,complexity:0.55,verbosity:5.2e-1, ');
    expect(spaced.attributes).toEqual({ helpfulness: 1.61, correctness: 1.64, coherence: 3.31, complexity: 0.55, verbosity: 0.52 });
    expect(spaced.value).toBeCloseTo(CARD, 10);
    expect(await score('"a":1,"b":2', { a: 1, b: 1 })).toEqual({ value: 3, attributes: { a: 1, b: 2 } });
    expect(await score('  -2.75 ')).toEqual({ value: -2.75 });
    expect(await score('reward : 1e-2')).toEqual({ value: 0.01 });
  });

  it('a list with a pair that is not a number, or a name twice, is malformed: never the number after the last colon', async () => {
    for (const content of ['helpfulness:1.2,correctness:n/a,verbosity:0.5', 'a:1,a:2', 'reward:1e999', 'reward:', 'helpfulness:1,:2']) {
      await expect(score(content, { a: 1 }), content).rejects.toMatchObject({ name: 'ResponseError', kind: 'unexpected-shape' });
    }
  });

  it('weights must be finite numbers by name', async () => {
    await expect(client.reward.score({ model: 'r', messages: convo('x'), weights: { a: 'heavy' as never } })).rejects.toMatchObject({ issues: [{ path: 'weights.a' }] });
    expect(() => nimReward({ model: 'r', weights: { a: Infinity } })).toThrow(/weights\.a/);
  });

  it("the proxy's NIM reward shape of a multi-label scorer reads back with its attributes (nimReward)", async () => {
    const local = scorerFromFunction(() => ({ value: 0, attributes: { LABEL_0: 0.2, LABEL_1: 3.5 } }));
    const served = await scoreAsNim(local, { model: 'local', messages: convo('answer') }, 'local', new AbortController().signal);
    server.use(http.post(`${NIM}/chat/completions`, () => HttpResponse.json(served)));
    const read = nimReward({ client, model: 'local', weights: { LABEL_0: 1, LABEL_1: 0.5 } });
    expect(await read.score([convo('answer')])).toEqual([{ value: 0.2 + 1.75, attributes: { LABEL_0: 0.2, LABEL_1: 3.5 } }]);
    await expect(nimReward({ client, model: 'local' }).score([convo('answer')])).rejects.toBeInstanceOf(ScorerConfigurationError);
    // Only the logprobs left: the same reading.
    server.use(http.post(`${NIM}/chat/completions`, () => HttpResponse.json({ ...served, choices: [{ ...served.choices[0], message: { role: 'assistant', content: '' } }] })));
    expect(await read.score([convo('answer')])).toEqual([{ value: 1.95, attributes: { LABEL_0: 0.2, LABEL_1: 3.5 } }]);
  });

  it('fuzz: any content gives a finite score, ResponseError(unexpected-shape) or ScorerConfigurationError', async () => {
    let content = '';
    server.use(http.post(`${NIM}/chat/completions`, () => HttpResponse.json({ choices: [{ message: { role: 'assistant', content } }] })));
    const name = fc.constantFrom('helpfulness', 'correctness', 'reward', 'LABEL_0', 'a', ' b ', '');
    const pair = fc.tuple(name, fc.oneof(fc.double().map(String), fc.string({ maxLength: 5 }))).map(([n, v]) => `${n}:${v}`);
    const body = fc.oneof(fc.string({ maxLength: 60 }), fc.tuple(fc.array(pair, { maxLength: 6 }), fc.constantFrom(',', ', ', ',\n')).map(([p, sep]) => p.join(sep)));
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        content = text;
        try {
          const result = await client.reward.score({ model: 'r', messages: convo('x') });
          expect(Number.isFinite(result.value)).toBe(true);
          if (result.attributes) expect(Object.keys(result.attributes).length).toBeGreaterThan(1);
        } catch (error) {
          expect(['ResponseError', 'ScorerConfigurationError']).toContain((error as Error).name);
        }
      }),
      { numRuns: 80 },
    );
  });
});
