import { describe, expect, it } from 'vitest';
import { loadScorer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { REWARD, rewardBench } from './fixtures.js';

describe('tiny-reward on the RewardBench sample (CPU)', () => {
  it('reproduces transformers accuracies: chat 1.0, chat-hard 42/44, safety 1.0', async () => {
    const rows = rewardBench();
    const scorer = await loadScorer({ path: REWARD, device: 'cpu', batchSize: 32 });
    try {
      const pair = (prompt: string, answer: string): Message[] => [
        { role: 'user', content: prompt },
        { role: 'assistant', content: answer },
      ];
      const chosen = await scorer.score(rows.map((r) => pair(r.prompt, r.chosen)));
      const rejected = await scorer.score(rows.map((r) => pair(r.prompt, r.rejected)));
      const tally: Record<string, { right: number; total: number }> = {};
      rows.forEach((r, i) => {
        const t = (tally[r.subset] ??= { right: 0, total: 0 });
        t.total++;
        if (chosen[i]!.value > rejected[i]!.value) t.right++;
      });
      // The README's chat-hard 0.9545 ("42 of 44") is 105 of the sample's 110 chat-hard rows.
      expect(tally).toEqual({ chat: { right: 43, total: 43 }, 'chat-hard': { right: 105, total: 110 }, safety: { right: 47, total: 47 } });
      expect(tally['chat-hard']!.right / tally['chat-hard']!.total).toBeCloseTo(42 / 44, 10);
      expect(Object.values(tally).reduce((n, t) => n + t.right, 0)).toBe(195);
    } finally {
      await scorer.close();
    }
  });
});
