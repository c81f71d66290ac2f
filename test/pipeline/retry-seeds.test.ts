import { describe, expect, it } from 'vitest';
import { bestOfN, pipeline, scoreThreshold, scorerFromFunction, type Middleware, type PipelineEvent } from '../../src/index.js';
import { drain, scriptedModel, user } from './test-model.js';

// Every answer names its seed; no answer reaches the bar, so every attempt runs.
const bySeed = () => scriptedModel((req) => ({ text: `seed ${req.seed}` }));
const never = scorerFromFunction(() => 0);
const seedsOf = (m: ReturnType<typeof bySeed>) => m.requests.map((r) => r.seed);
const sorted = (seeds: Array<number | undefined>) => [...seeds].sort((x, y) => x! - y!);
const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('seeds of retries and candidates', () => {
  it('scoreThreshold retries a seeded request with seed + attempt - 1: reproducible, and each retry differs', async () => {
    const runs: Array<{ seeds: Array<number | undefined>; texts: string[] }> = [];
    for (const path of ['generate', 'generate', 'stream'] as const) {
      const m = bySeed();
      const guarded = pipeline(m, [scoreThreshold({ scorer: never, min: 1, maxAttempts: 3, onReject: 'best' })]);
      const request = { ...user('q'), seed: 7 };
      const out = path === 'generate' ? await guarded.generate(request) : finishOf(await drain(guarded.stream(request)));
      runs.push({ seeds: seedsOf(m), texts: out.report.candidates.map((c) => c.text) });
    }
    expect(runs[0]!.seeds).toEqual([7, 8, 9]);
    expect(runs[0]!.texts).toEqual(['seed 7', 'seed 8', 'seed 9']);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('an unseeded request stays unseeded on retries', async () => {
    const m = bySeed();
    await pipeline(m, [scoreThreshold({ scorer: never, min: 1, maxAttempts: 2 })]).generate(user('q'));
    expect(seedsOf(m)).toEqual([undefined, undefined]);
  });

  it('scoreThreshold > bestOfN: no seed repeats across attempts, from the request seed or sampling.seed', async () => {
    const cases = [
      { request: { ...user('q'), seed: 5 }, sampling: undefined, first: 5 },
      { request: user('q'), sampling: { seed: 40 }, first: 40 },
    ];
    for (const { request, sampling, first } of cases) {
      for (const path of ['generate', 'stream'] as const) {
        const m = bySeed();
        const guarded = pipeline(m, [scoreThreshold({ scorer: never, min: 1, maxAttempts: 3, onReject: 'best' }), bestOfN({ n: 4, scorer: never, ...(sampling ? { sampling } : {}) })]);
        const out = path === 'generate' ? await guarded.generate(request) : finishOf(await drain(guarded.stream(request)));
        // Attempt k (1-based), candidate i: first + 4 * (k - 1) + i; the candidates of one attempt stay consecutive.
        expect(sorted(seedsOf(m))).toEqual(range(first, 12));
        const seedOf = (c: { text: string }) => Number(c.text.slice(5));
        for (const c of out.report.candidates) expect(seedOf(c)).toBe(first + 4 * (c.labels.attempt! - 1) + c.labels.sample!);
      }
    }
  });

  it('bestOfN > scoreThreshold: each candidate retries on seeds of its own', async () => {
    const m = bySeed();
    const out = await pipeline(m, [bestOfN({ n: 3, scorer: never, sampling: { seed: 0 } }), scoreThreshold({ scorer: never, min: 1, maxAttempts: 2, onReject: 'best' })]).generate(user('q'));
    expect(sorted(seedsOf(m))).toEqual(range(0, 6));
    // Candidate i, attempt k: 2 * i + (k - 1).
    for (const c of out.report.candidates) expect(c.text).toBe(`seed ${2 * c.labels.sample! + c.labels.attempt! - 1}`);
  });

  it('an unseeded best-of-n draws one random base per call: under retries no seed repeats, and candidates stay consecutive', async () => {
    for (const path of ['generate', 'stream'] as const) {
      const m = bySeed();
      const guarded = pipeline(m, [scoreThreshold({ scorer: never, min: 1, maxAttempts: 3, onReject: 'best' }), bestOfN({ n: 4, scorer: never })]);
      const out = path === 'generate' ? await guarded.generate(user('q')) : finishOf(await drain(guarded.stream(user('q'))));
      const seeds = sorted(seedsOf(m));
      expect(seeds).toEqual(range(seeds[0]!, 12));
      for (const c of out.report.candidates) expect(Number(c.text.slice(5))).toBe(seeds[0]! + 4 * (c.labels.attempt! - 1) + c.labels.sample!);
    }
  });

  it('a custom fan-out spaces the seeds of the layers outside it, and must stay within what it declared', async () => {
    const twice: Middleware = {
      name: 'twice',
      calls: 'many',
      fanOut: 2,
      // It only says which call this is: the engine shifts the seed.
      async generate(ctx, next) {
        await next(ctx.request, { fanOutIndex: 0 });
        return next(ctx.request, { fanOutIndex: 1 });
      },
    };
    const m = bySeed();
    await pipeline(m, [scoreThreshold({ scorer: never, min: 1, maxAttempts: 2, onReject: 'best' }), twice]).generate({ ...user('q'), seed: 0 });
    expect(seedsOf(m)).toEqual([0, 1, 2, 3]);
    const bad: Middleware = { ...twice, name: 'bad', generate: (_ctx, next) => next(undefined, { fanOutIndex: 2 }) };
    await expect(pipeline(bySeed(), [bad]).generate(user('q'))).rejects.toThrow(/Middleware "bad" passed fanOutIndex 2/);
  });

  it("a custom fan-out's baseSeed seeds an unseeded request, shifted by the fan-outs around it; the request's seed wins", async () => {
    const fromBase = (baseSeed: number): Middleware => ({
      name: 'fromBase',
      calls: 'many',
      fanOut: 2,
      async generate(ctx, next) {
        await next(ctx.request, { fanOutIndex: 0, baseSeed });
        return next(ctx.request, { fanOutIndex: 1, baseSeed });
      },
    });
    const retry = scoreThreshold({ scorer: never, min: 1, maxAttempts: 2, onReject: 'best' });
    const unseeded = bySeed();
    await pipeline(unseeded, [retry, fromBase(100)]).generate(user('q'));
    expect(seedsOf(unseeded)).toEqual([100, 101, 102, 103]);
    const seeded = bySeed();
    await pipeline(seeded, [retry, fromBase(100)]).generate({ ...user('q'), seed: 3 });
    expect(seedsOf(seeded)).toEqual([3, 4, 5, 6]);
    await expect(pipeline(bySeed(), [fromBase(1.5)]).generate(user('q'))).rejects.toThrow(/Middleware "fromBase" passed baseSeed 1.5/);
  });
});
