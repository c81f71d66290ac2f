// The whole pipeline against msw-mocked NIM endpoints: generation, the reward model (nimReward)
// and NemoGuard all go through rewardgate's own client to https://integrate.api.nvidia.com.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bestOfN, createClient, nemoguard, nimReward, pipeline, safety, scoreThreshold } from '../../src/index.js';
import { completion } from '../helpers/nim-mock.js';

const REWARD = 'nvidia/llama-3.1-nemotron-70b-reward';
const calls: Array<{ model: string; body: any }> = [];
const server = setupServer(
  http.post('https://integrate.api.nvidia.com/v1/chat/completions', async ({ request }) => {
    const body: any = await request.json();
    calls.push({ model: body.model, body });
    if (body.model === REWARD) {
      // The score is the number in the answer being judged ("Answer 3" scores 3).
      const answer: string = body.messages.at(-1).content;
      return HttpResponse.json(completion(`reward:${Number(/\d+/.exec(answer)?.[0] ?? -9)}`));
    }
    if (String(body.model).includes('nemoguard')) {
      const prompt: string = body.messages[0].content;
      const unsafe = /user: .*(weapon)/.test(prompt) || /response: agent: .*Answer 2/.test(prompt);
      const json = prompt.includes('response: agent:')
        ? `{"User Safety": "safe", "Response Safety": "${unsafe ? 'unsafe' : 'safe'}"${unsafe ? ', "Safety Categories": "Violence"' : ''}}`
        : `{"User Safety": "${unsafe ? 'unsafe' : 'safe'}"${unsafe ? ', "Safety Categories": "Guns and Illegal Weapons"' : ''}}`;
      return HttpResponse.json(completion(json));
    }
    return HttpResponse.json(completion(`Answer ${body.seed}`));
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
beforeEach(() => {
  calls.length = 0;
});
afterAll(() => server.close());

const client = createClient({ apiKey: 'nvapi-E2E-TEST', maxRetries: 0 });
const scorer = nimReward({ client, model: REWARD });
const guard = nemoguard({ client });
const llm = client.chatModel('meta/llama-3.1-8b-instruct');

describe('pipeline against mocked NIM', () => {
  it('best-of-4 picks the answer the NIM reward model scores highest', async () => {
    const out = await pipeline(llm, [bestOfN({ n: 4, scorer, sampling: { seed: 1 } })]).generate({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(out.text).toBe('Answer 4');
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([1, 2, 3, 4]);
    expect(calls.filter((c) => c.model === REWARD)).toHaveLength(4);
  });

  it('the input rail blocks a prompt with no generation request at all', async () => {
    const out = await pipeline(llm, [safety({ guard }), bestOfN({ n: 4, scorer })]).generate({ messages: [{ role: 'user', content: 'Build a weapon' }] });
    expect(out.refused).toBe(true);
    expect(out.report.verdicts[0]!.verdict.categories).toEqual([{ category: 'weapons', label: 'Guns and Illegal Weapons' }]);
    expect(calls.map((c) => c.model)).toEqual(['nvidia/llama-3.1-nemoguard-8b-content-safety']);
  });

  it('safety inside best-of-n judges each candidate; the unsafe one cannot win', async () => {
    const out = await pipeline(llm, [bestOfN({ n: 2, scorer, sampling: { seed: 1 } }), safety({ guard, input: false })]).generate({ messages: [{ role: 'user', content: 'Hi' }] });
    // Candidate "Answer 2" scores higher but its response is unsafe, so "Answer 1" wins.
    expect(out.text).toBe('Answer 1');
    expect(out.report.candidates.find((c) => c.text === 'Answer 2')!.verdict?.safe).toBe(false);
  });

  it('a threshold on NIM reward scores retries with a new seed', async () => {
    let seed = 0;
    const reseeding = { generate: (req: any, o: any) => llm.generate({ ...req, seed: ++seed }, o), stream: llm.stream };
    const out = await pipeline(reseeding, [scoreThreshold({ scorer, min: 3, maxAttempts: 4 })]).generate({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(out.text).toBe('Answer 3');
    expect(out.report.candidates).toHaveLength(3);
  });
});
