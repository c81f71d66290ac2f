import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CategorySchema, everyGuard, everyScorer, someScorer, guardFromFunction, messageText, scorerFromFunction, ValidationError } from '../../src/index.js';
import { llamaGuardCategories, mapCategory, nemoguardCategories, openaiModerationCategories } from '../../src/guards/taxonomy-entry.js';

const convo = [{ role: 'user' as const, content: 'hello' }];

describe('taxonomy maps', () => {
  it('cover every NemoGuard name, Llama Guard code and OpenAI moderation category, all inside the taxonomy', () => {
    expect(Object.keys(nemoguardCategories)).toHaveLength(23);
    expect(Object.keys(llamaGuardCategories)).toEqual(Array.from({ length: 14 }, (_, i) => `S${i + 1}`));
    expect(Object.keys(openaiModerationCategories)).toHaveLength(13);
    const all = [...Object.values(nemoguardCategories), ...Object.values(llamaGuardCategories).map((v) => v.category), ...Object.values(openaiModerationCategories)];
    for (const c of all) expect(CategorySchema.safeParse(c).success).toBe(true);
  });

  it('map labels tolerantly and keep the vendor label', () => {
    expect(mapCategory('nemoguard', ' hate/identity  hate ')).toEqual({ category: 'hate', label: 'hate/identity  hate' });
    expect(mapCategory('llama-guard', 's11')).toEqual({ category: 'self_harm', label: 's11' });
    expect(mapCategory('openai-moderation', 'harassment/threatening')).toEqual({ category: 'threat', label: 'harassment/threatening' });
    expect(mapCategory('nemoguard', 'Something New')).toEqual({ category: 'other', label: 'Something New' });
  });
});

describe('guardFromFunction / everyGuard', () => {
  it('turns booleans into verdicts and validates returned verdicts', async () => {
    expect(await guardFromFunction(() => true).check(convo)).toEqual({ safe: true, categories: [] });
    const bad = guardFromFunction(() => ({ safe: false, categories: [{ category: 'nope' as never, label: 'x' }] }));
    await expect(bad.check(convo)).rejects.toThrow(/categories\[0\]\.category/);
    expect(() => guardFromFunction('x' as never)).toThrow(ValidationError);
  });

  it('everyGuard is safe only when all are, merging categories', async () => {
    const ok = guardFromFunction(() => true);
    const flag = guardFromFunction(() => ({ safe: false, categories: [{ category: 'fraud', label: 'Fraud/Deception' }] }));
    const unparsable = guardFromFunction(() => ({ safe: false, categories: [], failedToParse: true }));
    expect((await everyGuard(ok, ok).check(convo)).safe).toBe(true);
    const v = await everyGuard(ok, flag, unparsable).check(convo);
    expect(v).toMatchObject({ safe: false, categories: [{ category: 'fraud', label: 'Fraud/Deception' }], failedToParse: true });
    expect(() => everyGuard()).toThrow(/give at least one guard/);
  });

  it('everyGuard cancels the other guards when one fails, and leaves no listener on the caller signal', async () => {
    const broken = guardFromFunction(async () => Promise.reject(new Error('guard down')));
    let sawAbort = false;
    const slow = guardFromFunction(
      (_c, { signal }) =>
        new Promise<boolean>((resolve, reject) => {
          const timer = setTimeout(() => resolve(true), 5_000);
          signal!.addEventListener('abort', () => {
            sawAbort = true;
            clearTimeout(timer);
            reject(signal!.reason);
          });
        }),
    );
    const caller = new AbortController();
    await expect(everyGuard(slow, broken).check(convo, { signal: caller.signal })).rejects.toThrow('guard down');
    expect(sawAbort).toBe(true);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});

describe('scorerFromFunction', () => {
  it('scores each conversation, or all at once with batch', async () => {
    const single = scorerFromFunction((c) => messageText(c.at(-1)!).length);
    expect(await single.score([convo, [{ role: 'user', content: 'abc' }]])).toEqual([{ value: 5 }, { value: 3 }]);
    const batch = scorerFromFunction((cs) => cs.map((_, i) => ({ value: i, attributes: { helpfulness: 1 } })), { batch: true });
    expect(await batch.score([convo, convo])).toEqual([
      { value: 0, attributes: { helpfulness: 1 } },
      { value: 1, attributes: { helpfulness: 1 } },
    ]);
  });

  it('rejects a wrong number of scores or a non-number', async () => {
    await expect(scorerFromFunction(() => [1], { batch: true }).score([convo, convo])).rejects.toThrow(/expected 2 scores, got 1/);
    await expect(scorerFromFunction(() => 'high' as never).score([convo])).rejects.toThrow(/score \[0\]/);
  });
});

describe('someScorer / everyScorer', () => {
  it('take the highest or the lowest value, keeping each', async () => {
    const a = scorerFromFunction(() => 1);
    const b = scorerFromFunction((c) => messageText(c.at(-1)!).length);
    expect(await someScorer(a, b).score([convo])).toEqual([{ value: 5, attributes: { s0: 1, s1: 5 } }]);
    expect(await everyScorer(a, b).score([convo])).toEqual([{ value: 1, attributes: { s0: 1, s1: 5 } }]);
    expect(() => someScorer()).toThrow(/give at least one scorer/);
    // An inner scorer that returns too few scores is a typed error naming the combinator, not a TypeError.
    const short = { score: async () => [] };
    await expect(everyScorer(a, short).score([convo])).rejects.toThrow(/everyScorer: scorer 1 returned 0 scores for 1 conversation/);
    // The first failure cancels the other scorers' calls.
    let sawAbort = false;
    const slow = {
      score: (_cs: unknown, options?: { signal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          options!.signal!.addEventListener('abort', () => {
            sawAbort = true;
            reject(options!.signal!.reason);
          });
        }),
    };
    const failing = { score: async () => Promise.reject(new Error('scorer down')) };
    const caller = new AbortController();
    await expect(someScorer(slow, failing).score([convo], { signal: caller.signal })).rejects.toThrow('scorer down');
    expect(sawAbort).toBe(true);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
