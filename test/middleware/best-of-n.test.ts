import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bestOfN, createClient, pipeline, scorerFromFunction, type PipelineEvent } from '../../src/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { drain, scriptedModel, user } from '../pipeline/test-model.js';
import { messageText } from '../../src/content.js';

const scoreOfText = (table: Record<string, number>) => scorerFromFunction((c) => table[messageText(c.at(-1)!)] ?? -1000);

describe('bestOfN', () => {
  it('returns the argmax of the finished candidates, skipping failures (property)', async () => {
    const spec = fc.array(fc.record({ score: fc.integer({ min: -5, max: 5 }), fail: fc.boolean() }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(spec, fc.boolean(), async (cands, streaming) => {
        const model = scriptedModel((req) => {
          const c = cands[req.seed!]!;
          return { text: `c${req.seed}`, delayMs: 0, ...(c.fail ? { fail: new Error(`fail ${req.seed}`) } : {}) };
        });
        const table = Object.fromEntries(cands.map((c, i) => [`c${i}`, c.score]));
        const guarded = pipeline(model, [bestOfN({ n: cands.length, scorer: scoreOfText(table), sampling: { seed: 0 } })]);
        const ok = cands.map((c, i) => ({ ...c, i })).filter((c) => !c.fail);
        const run = streaming ? drain(guarded.stream(user('q'))).then((e) => (e.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion) : guarded.generate(user('q'));
        if (ok.length === 0) {
          await expect(run).rejects.toThrow(/^fail \d+$/);
          return;
        }
        const best = ok.reduce((a, b) => (b.score > a.score ? b : a));
        const out = await run;
        expect(out.text).toBe(`c${best.i}`);
        expect(out.report.candidates).toHaveLength(cands.length);
        expect(out.report.candidates[out.report.chosen!]!.text).toBe(`c${best.i}`);
        for (const entry of out.report.candidates) {
          const c = cands[entry.labels.sample!]!;
          if (c.fail) expect(entry.error?.message).toBe(`fail ${entry.labels.sample}`);
          else expect(entry.score?.value).toBe(c.score);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('uses distinct seeds and the sampling temperature when the request sets none', async () => {
    const model = scriptedModel(() => ({ text: 'x' }));
    await pipeline(model, [bestOfN({ n: 4, scorer: scorerFromFunction(() => 0), sampling: { temperature: 0.9, seed: 10 } })]).generate(user('q'));
    expect(model.requests.map((r) => r.seed).sort()).toEqual([10, 11, 12, 13]);
    expect(model.requests.every((r) => r.temperature === 0.9)).toBe(true);
    await pipeline(model, [bestOfN({ n: 2, scorer: scorerFromFunction(() => 0), sampling: { temperature: 0.9 } })]).generate({ ...user('q'), temperature: 0.2 });
    expect(model.requests.slice(4).map((r) => r.temperature)).toEqual([0.2, 0.2]);
  });

  it('scores identical texts once, in one batch', async () => {
    const batches: number[] = [];
    const scorer = scorerFromFunction((convs) => (batches.push(convs.length), convs.map((c) => messageText(c.at(-1)!).length)), { batch: true });
    const texts = ['same', 'same', 'longer one', 'same'];
    const model = scriptedModel((req) => ({ text: texts[req.seed!]! }));
    const out = await pipeline(model, [bestOfN({ n: 4, scorer, sampling: { seed: 0 } })]).generate(user('q'));
    expect(batches).toEqual([2]);
    expect(out.text).toBe('longer one');
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([4, 4, 10, 4]);
  });

  it('respects concurrency', async () => {
    let running = 0;
    let peak = 0;
    const model = scriptedModel(() => ({ text: 'x', delayMs: 5 }));
    const counting = {
      ...model,
      async generate(...args: Parameters<typeof model.generate>) {
        peak = Math.max(peak, ++running);
        try {
          return await model.generate(...args);
        } finally {
          running--;
        }
      },
    };
    await pipeline(counting, [bestOfN({ n: 6, concurrency: 2, scorer: scorerFromFunction(() => 0) })]).generate(user('q'));
    expect(peak).toBe(2);
    expect(model.requests).toHaveLength(6);
  });

  it('accept: returns the first candidate at the bar and cancels the rest, leaving no timer or listener', async () => {
    const controller = new AbortController();
    const model = scriptedModel((req) => (req.seed === 2 ? { text: 'good', delayMs: 5 } : { text: 'meh', delayMs: 5_000 }));
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const guarded = pipeline(model, [bestOfN({ n: 8, scorer: scoreOfText({ good: 5, meh: 1 }), accept: { min: 3 }, sampling: { seed: 0 } })]);
    const out = await guarded.generate(user('q'), { signal: controller.signal });
    expect(out.text).toBe('good');
    expect(model.aborted).toBe(7);
    expect(out.report.candidates.filter((c) => c.cancelled)).toHaveLength(7);
    expect(out.report.candidates[out.report.chosen!]!.labels.sample).toBe(2);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(timersBefore);
  });

  it('accept: falls back to the best candidate when none reaches the bar', async () => {
    const model = scriptedModel((req) => ({ text: `t${req.seed}` }));
    const out = await pipeline(model, [bestOfN({ n: 3, scorer: scoreOfText({ t0: 1, t1: 2, t2: 0 }), accept: { min: 10 }, sampling: { seed: 0 } })]).generate(user('q'));
    expect(out.text).toBe('t1');
    expect(model.aborted).toBe(0);
  });

  it('streams the winner once chosen, after the candidate and score events', async () => {
    const model = scriptedModel((req) => ({ text: `w${req.seed} end`, chunks: [`w${req.seed} `, 'end'] }));
    const events = await drain(pipeline(model, [bestOfN({ n: 3, scorer: scoreOfText({ 'w0 end': 0, 'w1 end': 9, 'w2 end': 1 }), sampling: { seed: 0 } })]).stream(user('q')));
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'candidate-start')).toHaveLength(3);
    expect(types.filter((t) => t === 'score')).toHaveLength(3);
    expect(types.indexOf('text-delta')).toBeGreaterThan(types.lastIndexOf('score'));
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text)).toEqual(['w1 ', 'end']);
  });
});

describe('bestOfN against an OpenAI-compatible server on loopback', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer((body) => (body.seed === 3 ? { text: 'winner', delayMs: 5 } : { text: 'slow loser', delayMs: 3_000, chunkDelayMs: 50 }));
  });
  afterAll(() => server.close());

  it('accept aborts the other HTTP requests (the server sees them go)', async () => {
    const llm = createClient({ baseURL: server.baseURL, apiKey: 'test-key', maxRetries: 0 }).chatModel('fake-model');
    const guarded = pipeline(llm, [bestOfN({ n: 8, scorer: scoreOfText({ winner: 1 }), accept: { min: 1 }, sampling: { seed: 0 } })]);
    for (const mode of ['generate', 'stream'] as const) {
      const before = server.aborted;
      const text = mode === 'generate' ? (await guarded.generate(user('q'))).text : (await drain(guarded.stream(user('q')))).filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('');
      expect(text).toBe('winner');
      await vi.waitFor(() => expect(server.aborted - before).toBe(7));
    }
  });
});

describe('bestOfN accept with repeated texts', () => {
  it('scores each distinct text once', async () => {
    const seen: string[] = [];
    const scorer = scorerFromFunction((c) => (seen.push(messageText(c.at(-1)!)), 0));
    const model = scriptedModel((req) => ({ text: req.seed! % 2 ? 'odd' : 'even' }));
    await pipeline(model, [bestOfN({ n: 6, scorer, accept: { min: 1 }, sampling: { seed: 0 } })]).generate(user('q'));
    expect(seen.sort()).toEqual(['even', 'odd']);
  });
});
