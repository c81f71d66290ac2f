// Reports follow candidates, not objects: a middleware that returns a changed copy of a
// completion (docs/pipeline.md's `shorten`) keeps `report.chosen` and the scores.
import { describe, expect, it } from 'vitest';
import { messageText } from '../../src/content.js';
import { bestOfN, pipeline, safety, guardFromFunction, scoreThreshold, scorerFromFunction, type Completion, type Middleware, type PipelineEvent } from '../../src/index.js';
import { drain, scriptedModel, user } from './test-model.js';

// The docs' example, as written there.
const shorten: Middleware = {
  name: 'shorten',
  async generate(ctx, next) {
    const c = await next({ ...ctx.request, max_tokens: 200 });
    return { ...c, text: c.text.trim() };
  },
  async *stream(ctx, next) {
    yield* next({ ...ctx.request, max_tokens: 200 });
  },
};
// Copies by Object.assign, and its stream path copies the finish completion too.
const upper: Middleware = {
  name: 'upper',
  async generate(_ctx, next) {
    const c = await next();
    return Object.assign({}, c, { text: c.text.toUpperCase() });
  },
  async *stream(_ctx, next) {
    for await (const e of next()) yield e.type === 'finish' ? { ...e, completion: { ...e.completion, text: e.completion.text.toUpperCase() } } : e;
  },
};
const byLength = scorerFromFunction((c) => messageText(c.at(-1)!).length);
const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;

describe('candidate tracking through copies', () => {
  it("the docs' shorten middleware, outermost, keeps report.chosen", async () => {
    const model = scriptedModel(() => ({ text: '  padded answer  ' }));
    const out = await pipeline(model, [shorten]).generate(user('q'));
    expect(out.text).toBe('padded answer');
    expect(out.report.chosen).toBe(0);
    expect(model.requests[0]!.max_tokens).toBe(200);
  });

  it('inside bestOfN, copies keep their scores and the winner is chosen (generate and stream)', async () => {
    const texts = [' short ', ' the longest one ', ' mid one '];
    for (const inner of [shorten, upper]) {
      const model = scriptedModel((req) => ({ text: texts[req.seed!]! }));
      const guarded = pipeline(model, [bestOfN({ n: 3, scorer: byLength, sampling: { seed: 0 } }), inner]);
      for (const out of [await guarded.generate(user('q')), finishOf(await drain(guarded.stream(user('q'))))]) {
        const winner = out.report.candidates.find((c) => c.labels.sample === 1)!;
        expect(out.report.chosen).toBe(winner.index);
        expect(out.report.candidates.every((c) => c.score !== undefined)).toBe(true);
      }
    }
  });

  it('scores, verdicts and rejections of copies land on their candidates under threshold and safety', async () => {
    const model = scriptedModel((_req, i) => ({ text: ` a${i + 1} ` }));
    const byNumber = scorerFromFunction((c) => Number(messageText(c.at(-1)!).replace(/\D/g, '')));
    const guard = guardFromFunction(() => ({ safe: true, categories: [] }));
    const out = await pipeline(model, [safety({ guard, input: false }), upper, scoreThreshold({ scorer: byNumber, min: 2, maxAttempts: 3 }), shorten]).generate(user('q'));
    expect(out.text).toBe('A2');
    expect(out.report.chosen).toBe(1);
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([1, 2]);
    expect(out.report.candidates[0]!.reasons).toEqual([{ by: 'scoreThreshold', reason: 'attempt 1: score 1 is below min 2' }]);
    expect(out.report.verdicts[0]).toMatchObject({ rail: 'output', candidate: 1 });
    expect(out.report.candidates[1]!.verdict?.safe).toBe(true);
  });

  it('the tag is invisible to the caller: not in the result, its keys or its JSON', async () => {
    const model = scriptedModel(() => ({ text: 'x' }));
    const out = await pipeline(model, [shorten]).generate(user('q'));
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
    expect(Object.keys(out).sort()).toEqual(['finishReason', 'refused', 'report', 'text', 'usage']);
  });

  it('a completion of another pipeline call is not taken for a candidate of this one', async () => {
    let leaked: Completion | undefined;
    const model = scriptedModel(() => ({ text: 'x' }));
    const capture: Middleware = { name: 'capture', generate: async (_ctx, next) => (leaked = await next()) };
    await pipeline(model, [capture]).generate(user('q'));
    const replay: Middleware = { name: 'replay', generate: async () => ({ ...leaked! }) };
    const out = await pipeline(model, [replay]).generate(user('q'));
    expect(out.report.chosen).toBeNull();
  });
});
