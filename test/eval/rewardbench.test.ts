import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { evaluateRewardBench, sectionOf, summarizeRewardBench } from '../../src/eval/index.js';
import { loadScorer } from '../../src/onnx/index.js';
import { messageText } from '../../src/content.js';
import type { Scorer } from '../../src/interfaces.js';
import type { Message } from '../../src/types.js';

// A real Scorer with a rule we can reason about: longer answers score higher. Counts its calls.
function lengthScorer() {
  const calls: Message[][][] = [];
  const scorer: Scorer & { calls: typeof calls } = {
    calls,
    async score(conversations) {
      calls.push(conversations);
      return conversations.map((c) => ({ value: messageText(c.at(-1)!).length }));
    },
  };
  return scorer;
}

const row = (subset: string, chosen: string, rejected: string, id?: number) => ({ id, prompt: 'q', chosen, rejected, subset });
const outcomes = (subset: string, right: number, wrong: number) => [
  ...Array.from({ length: right }, () => ({ subset, correct: true })),
  ...Array.from({ length: wrong }, () => ({ subset, correct: false })),
];

describe('summarizeRewardBench', () => {
  it('weights official subsets by the official example counts, not by the rows present', () => {
    // alpacaeval-easy weighs 100, mt-bench-easy 28: Chat = (100 * 1 + 28 * 0) / 128.
    const s = summarizeRewardBench([...outcomes('alpacaeval-easy', 2, 0), ...outcomes('mt-bench-easy', 0, 5)]);
    expect(s.subsets['alpacaeval-easy']).toMatchObject({ correct: 2, total: 2, accuracy: 1, section: 'Chat', weight: 100 });
    expect(s.subsets['mt-bench-easy']).toMatchObject({ correct: 0, total: 5, accuracy: 0, section: 'Chat', weight: 28 });
    expect(s.sections.Chat).toBeCloseTo(100 / 128, 12);
    expect(s.overall).toBeCloseTo(100 / 128, 12);
    expect(s.rows).toEqual({ correct: 2, total: 7, accuracy: 2 / 7 });
  });

  it('counts math-prm as 984 and each hep-* as 164 in Reasoning', () => {
    const s = summarizeRewardBench([...outcomes('math-prm', 1, 1), ...outcomes('hep-go', 3, 0), ...outcomes('hep-rust', 0, 1)]);
    expect(s.sections.Reasoning).toBeCloseTo((984 * 0.5 + 164 * 1 + 164 * 0) / (984 + 164 + 164), 12);
  });

  it('overall is the plain mean of the sections present', () => {
    const s = summarizeRewardBench([
      ...outcomes('llmbar-natural', 1, 1), // Chat Hard 0.5
      ...outcomes('donotanswer', 3, 1), // Safety 0.75
      ...outcomes('hep-js', 1, 0), // Reasoning 1
      ...outcomes('alpacaeval-hard', 0, 1), // Chat 0
    ]);
    expect(s.sections).toEqual({ Chat: 0, 'Chat Hard': 0.5, Safety: 0.75, Reasoning: 1 });
    expect(s.overall).toBeCloseTo(2.25 / 4, 12);
  });

  it('maps subsets named after a section to it, and leaves unknown subsets out of the sections', () => {
    expect(sectionOf('chat')).toBe('Chat');
    expect(sectionOf('Chat_Hard')).toBe('Chat Hard');
    expect(sectionOf('chat-hard')).toBe('Chat Hard');
    expect(sectionOf('SAFETY')).toBe('Safety');
    expect(sectionOf('reasoning')).toBe('Reasoning');
    expect(sectionOf('chatty')).toBeUndefined();
    const s = summarizeRewardBench([...outcomes('chat', 4, 0), ...outcomes('chat-hard', 1, 1), ...outcomes('my-own', 0, 3)]);
    expect(s.subsets['my-own']).toMatchObject({ section: undefined, accuracy: 0, weight: 3 });
    expect(s.sections).toEqual({ Chat: 1, 'Chat Hard': 0.5 });
    expect(s.overall).toBe(0.75);
    expect(s.rows).toEqual({ correct: 5, total: 9, accuracy: 5 / 9 });
  });

  it('reports no overall without rows', () => {
    expect(summarizeRewardBench([])).toEqual({ subsets: {}, sections: {}, overall: null, rows: { correct: 0, total: 0, accuracy: null } });
  });
});

describe('evaluateRewardBench', () => {
  it('scores chosen and rejected in batches, and a row is right only when chosen scores strictly higher', async () => {
    const scorer = lengthScorer();
    const rows = [
      row('chat', 'a long answer', 'short', 1),
      row('chat', 'tie!', 'same', 2), // equal scores: wrong
      row('chat', 'x', 'longer', 3),
      row('safety', 'refusal text', 'no', 4),
      row('safety', 'abc', 'ab', 5),
    ];
    const progress: Array<[number, number]> = [];
    const result = await evaluateRewardBench(rows, scorer, { format: 'rb1', batchSize: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(scorer.calls.map((c) => c.length)).toEqual([4, 4, 2]);
    // The conversation is the prompt as a user turn, then the answer.
    expect(scorer.calls[0]![0]).toEqual([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a long answer' }]);
    expect(progress).toEqual([[2, 5], [4, 5], [5, 5]]);
    expect(result.outcomes.map((o) => o.correct)).toEqual([true, false, false, true, true]);
    expect(result.outcomes[0]).toEqual({ id: 1, subset: 'chat', chosen: 13, rejected: 5, correct: true });
    expect(result.subsets.chat!.accuracy).toBeCloseTo(1 / 3, 12);
    expect(result.sections).toEqual({ Chat: 1 / 3, Safety: 1 });
  });

  it('rejects a bad row naming its index and field, before scoring anything', async () => {
    const scorer = lengthScorer();
    const bad = [row('chat', 'a', 'b'), { prompt: 'q', chosen: 7, rejected: 'b', subset: 'chat' }];
    const error = await evaluateRewardBench(bad, scorer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe('chosen');
    expect((error as ValidationError).message).toContain('rows[1]');
    expect(scorer.calls).toHaveLength(0);
  });

  it('rejects a batchSize that is not a positive integer instead of scoring nothing', async () => {
    const scorer = lengthScorer();
    for (const batchSize of [Number.NaN, 0, 1.5]) {
      await expect(evaluateRewardBench([row('chat', 'long answer', 'short')], scorer, { batchSize })).rejects.toBeInstanceOf(ValidationError);
    }
    expect(scorer.calls).toHaveLength(0);
  });

  it('names the row and field of an answer the scorer refuses (over maxLength), not its place in a batch', async () => {
    const scorer = await loadScorer({ path: 'test/fixtures/models/tiny-reward', device: 'cpu' });
    try {
      const rows = [row('chat', 'a', 'b'), row('chat', 'c', 'd'), row('chat', 'e', 'f'), row('chat', 'g', 'word '.repeat(3000))];
      const error = await evaluateRewardBench(rows, scorer, { batchSize: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/^Invalid rows\[3\]: rejected: is \d+ tokens, over maxLength/);
    } finally {
      await scorer.close();
    }
  });

  it('stops between batches when the signal aborts, leaving no listener behind', async () => {
    const controller = new AbortController();
    const scorer: Scorer = {
      async score(conversations) {
        controller.abort(new Error('stop'));
        return conversations.map(() => ({ value: 0 }));
      },
    };
    const rows = Array.from({ length: 6 }, () => row('chat', 'a', 'b'));
    await expect(evaluateRewardBench(rows, scorer, { batchSize: 2, signal: controller.signal })).rejects.toThrow('stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
