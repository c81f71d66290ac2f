import { describe, expect, it } from 'vitest';
import { messageText } from '../../src/content.js';
import { ValidationError } from '../../src/errors.js';
import { bestOfNResult, detectRewardBenchFormat, evaluateRewardBench, scoreTies, summarizeRewardBench2 } from '../../src/eval/index.js';
import type { Scorer } from '../../src/interfaces.js';
import { loadScorer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';

// A real Scorer with a rule we can reason about: each answer's score is looked up by its text.
function tableScorer(table: Record<string, number>) {
  const calls: Message[][][] = [];
  const scorer: Scorer & { calls: typeof calls } = {
    calls,
    async score(conversations) {
      calls.push(conversations);
      return conversations.map((c) => ({ value: table[messageText(c.at(-1)!)] ?? 0 }));
    },
  };
  return scorer;
}

describe('RewardBench 2 best-of-n', () => {
  it('scores 1 for a strict win, 1/k for a k-way tie at the top, 0 otherwise', () => {
    expect(bestOfNResult([3, 1, 2, 0])).toBe(1);
    expect(bestOfNResult([3, 3, 2, 0])).toBe(0.5);
    expect(bestOfNResult([5, 5, 5, 1])).toBe(1 / 3);
    expect(bestOfNResult([2, 2, 2, 2])).toBe(0.25);
    expect(bestOfNResult([2, 3, 2, 0])).toBe(0);
    expect(bestOfNResult([-1, -2, -1.5, -3])).toBe(1);
  });
});

describe('RewardBench 2 Ties formula', () => {
  it('matches a hand computation of every term', () => {
    const t = scoreTies([
      { id: 'ref:1', numCorrect: 1, scores: [3, 1, 2] }, // margin 3 - 2 = 1, accurate
      { id: 'tied:1', numCorrect: 2, scores: [4, 3.75, 1, 3] }, // margin 0.75, spread 0.25, accurate
      { id: 'ref:2', numCorrect: 1, scores: [1, 2] }, // margin -1, wrong
      { id: 'tied:2', numCorrect: 3, scores: [5, 2, 4, 1] }, // margin 1, spread 3, accurate
      { id: 'ref:3', numCorrect: 1, scores: [2, 0] }, // accurate, no tied:3 (not paired)
      { id: 'tied:4', numCorrect: 2, scores: [1, 1, 2] }, // margin -1, wrong, no ref:4
    ]);
    expect(t.prompts).toEqual({ ref: 3, tied: 3, paired: 2 });
    expect(t.refAccuracy).toBeCloseTo(2 / 3, 12);
    expect(t.tiedAccuracy).toBeCloseTo(2 / 3, 12);
    // Prompt 1: 0.75 > 0.25 and min(1, 0.75) > 0.25; prompt 2: 1 > 3 no, min(-1, 1) > 3 no.
    expect(t.correctnessPreferred).toBe(0.5);
    expect(t.correctnessPreferredHard).toBe(0.5);
    const margin = (Math.tanh(0.75 / 0.25 - 1) + Math.tanh(-1 / 3 - 1)) / 2;
    expect(t.marginScore).toBeCloseTo(margin, 12);
    expect(t.score).toBeCloseTo(0.3 * (2 / 3) + 0.3 * (2 / 3) + 0.2 * 0.5 + 0.2 * 0.5 + 0.01 * margin, 12);
  });

  it('follows numpy on a zero spread: x/0 is infinite (tanh 1), 0/0 is NaN (counted as 0)', () => {
    const perfect = scoreTies([
      { id: 'ref:5', numCorrect: 1, scores: [1, 0] },
      { id: 'tied:5', numCorrect: 2, scores: [2, 2, 1] },
    ]);
    expect(perfect.marginScore).toBe(1);
    expect(perfect.score).toBeCloseTo(1.01, 12);
    const flat = scoreTies([
      { id: 'ref:6', numCorrect: 1, scores: [1, 1] },
      { id: 'tied:6', numCorrect: 2, scores: [1, 1, 1] },
    ]);
    expect(flat).toMatchObject({ refAccuracy: 0, tiedAccuracy: 0, correctnessPreferred: 0, correctnessPreferredHard: 0, marginScore: 0, score: 0 });
  });

  it('pools rows that share an id into one prompt, as the official grouping does', () => {
    const pooled = scoreTies([
      { id: 'ref:1', numCorrect: 1, scores: [3, 1] },
      { id: 'ref:1', numCorrect: 1, scores: [0.5, 0] }, // the pooled prompt's worst correct (0.5) is under its best incorrect (1)
    ]);
    expect(pooled.prompts.ref).toBe(1);
    expect(pooled.refAccuracy).toBe(0);
  });
});

describe('summarizeRewardBench2', () => {
  it('overall is the plain mean of the six official subsets; other subsets stay out', () => {
    const row = (subset: string, scores: number[], id: string = 'x', numCorrect = 1) => ({ id, subset, scores, numCorrect });
    const s = summarizeRewardBench2([
      row('Factuality', [2, 1, 0, 0]), // 1
      row('precise_if', [2, 2, 0, 0]), // 0.5 (name matched ignoring case and separators)
      row('Math', [0, 1, 0, 0]), // 0
      row('Safety', [1, 1, 1, 0]), // 1/3
      row('Safety', [1, 0, 0, 0]), // 1: Safety = (1/3 + 1) / 2
      row('Focus', [1, 1, 1, 1]), // 0.25
      row('Ties', [2, 0], 'ref:1'),
      row('Ties', [3, 2.5, 1], 'tied:1', 2),
      row('my-own', [0, 5, 0, 0]),
    ]);
    expect(Object.keys(s.subsets)).toEqual(['Factuality', 'Precise IF', 'Math', 'Safety', 'Focus', 'Ties', 'my-own']);
    expect(s.subsets.Safety).toMatchObject({ rows: 2, score: (1 / 3 + 1) / 2, official: true });
    expect(s.subsets['my-own']).toMatchObject({ rows: 1, score: 0, official: false });
    // Ties: both accurate; margin_tied 1.5 > spread 0.5, min(2, 1.5) > 0.5; tanh(1.5 / 0.5 - 1) = tanh(2).
    const ties = 0.3 + 0.3 + 0.2 + 0.2 + 0.01 * Math.tanh(2);
    expect(s.subsets.Ties!.score).toBeCloseTo(ties, 12);
    expect(s.overall).toBeCloseTo((1 + 0.5 + 0 + (1 / 3 + 1) / 2 + 0.25 + ties) / 6, 12);
    expect(s.rows).toBe(9);
  });

  it('averages only the official subsets present, and has no overall without one', () => {
    expect(summarizeRewardBench2([{ id: 1, subset: 'Math', scores: [1, 0], numCorrect: 1 }]).overall).toBe(1);
    expect(summarizeRewardBench2([{ id: 1, subset: 'other', scores: [1, 0], numCorrect: 1 }]).overall).toBeNull();
  });
});

describe('evaluateRewardBench on RewardBench 2 rows', () => {
  const scores = { good: 3, meh: 1, bad: 0, tie: 3, alsoGood: 2.5 };

  it('detects the format, scores every answer (chosen first) in row batches, and summarizes', async () => {
    const scorer = tableScorer(scores);
    const rows = [
      { id: '0', prompt: 'q', chosen: ['good'], rejected: ['meh', 'bad', 'bad'], num_correct: 1, subset: 'Math' },
      { id: '1', prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'q2' }], chosen: ['good'], rejected: ['tie', 'bad', 'meh'], subset: 'Focus' },
      { id: 'ref:1', prompt: 'q3', chosen: ['good'], rejected: ['meh'], num_correct: 1, subset: 'Ties' },
      { id: 'tied:1', prompt: 'q3', chosen: ['good', 'alsoGood'], rejected: ['meh'], num_correct: 2, subset: 'Ties' },
      { prompt: 'q4', chosen: ['bad'], rejected: ['good', 'meh', 'meh'] }, // no subset, no id
    ];
    const result = await evaluateRewardBench(rows, scorer, { batchSize: 2, defaultSubset: 'Safety' });
    expect(result.format).toBe('rb2');
    expect(scorer.calls.map((c) => c.length)).toEqual([8, 5, 4]);
    // A messages-array prompt is kept whole, the answer appended as the assistant turn.
    expect(scorer.calls[0]![4]).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'good' }]);
    if (result.format !== 'rb2') throw new Error('expected rb2');
    expect(result.outcomes.map((o) => o.result)).toEqual([1, 0.5, null, null, 0]);
    expect(result.outcomes[1]).toEqual({ id: '1', subset: 'Focus', scores: [3, 3, 0, 1], numCorrect: 1, result: 0.5 });
    expect(result.outcomes[4]).toMatchObject({ id: undefined, subset: 'Safety', numCorrect: 1 });
    expect(result.subsets.Math!.score).toBe(1);
    expect(result.subsets.Safety!.score).toBe(0);
    // Ties: margins 2 and 1.5, spread 0.5: 0.3 + 0.3 + 0.2 + 0.2 + 0.01 tanh(1.5 / 0.5 - 1).
    expect(result.subsets.Ties!.score).toBeCloseTo(1 + 0.01 * Math.tanh(2), 12);
    expect(result.overall).toBeCloseTo((1 + 0.5 + 0 + 1 + 0.01 * Math.tanh(2)) / 4, 12);
  });

  it('reads the format from the first row; format overrides it', () => {
    expect(detectRewardBenchFormat([{ chosen: ['a'] }])).toBe('rb2');
    expect(detectRewardBenchFormat([{ chosen: 'a' }])).toBe('rb1');
    expect(() => detectRewardBenchFormat([{ prompt: 'q' }])).toThrow(ValidationError);
  });

  it('validates rows before scoring: forced rb1 on v2 rows, a Ties id, counts that disagree', async () => {
    const scorer = tableScorer(scores);
    const v2 = { id: '0', prompt: 'q', chosen: ['good'], rejected: ['meh'], subset: 'Math' };
    const cases: Array<[unknown[], object, RegExp]> = [
      [[v2], { format: 'rb1' }, /^Invalid rows\[0\]: chosen: /],
      [[{ ...v2, chosen: 'good' }], { format: 'rb2' }, /^Invalid rows\[0\]: chosen: /],
      [[v2, { ...v2, id: 7, subset: 'ties' }], {}, /^Invalid rows\[1\]: id: a Ties row needs an id of the form ref:N or tied:N, got 7/],
      [[{ ...v2, total_completions: 4 }], {}, /^Invalid rows\[0\]: total_completions: is 4, but chosen and rejected hold 2 answers/],
      [[{ ...v2, id: 'tied:1', subset: 'Ties', num_correct: 2 }], {}, /num_correct: is 2, more than the 2 answers|needs at least one incorrect answer/],
    ];
    for (const [rows, options, message] of cases) {
      const error = await evaluateRewardBench(rows, scorer, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(message);
    }
    expect(scorer.calls).toHaveLength(0);
  });

  it('names the row and answer the scorer refuses (over maxLength)', async () => {
    const scorer = await loadScorer({ path: 'test/fixtures/models/tiny-reward', device: 'cpu' });
    try {
      const rows = [
        { prompt: 'q', chosen: ['a'], rejected: ['b', 'c', 'd'], subset: 'Math' },
        { prompt: 'q', chosen: ['a'], rejected: ['b', 'c', 'word '.repeat(3000)], subset: 'Math' },
      ];
      const error = await evaluateRewardBench(rows, scorer, { batchSize: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/^Invalid rows\[1\]: rejected\[2\]: is \d+ tokens, over maxLength/);
    } finally {
      await scorer.close();
    }
  });
});
