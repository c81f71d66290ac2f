import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDiskScoreCache } from '../../src/cli/disk-score-cache.js';
import { messageText } from '../../src/content.js';
import { ValidationError } from '../../src/errors.js';
import { cachedScorer, conversationKey, evaluateRewardBench } from '../../src/eval/index.js';
import type { Scorer } from '../../src/interfaces.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// A real Scorer (answer length) that records every answer it was asked to score.
function countingScorer(onCall?: (call: number) => void) {
  const seen: string[] = [];
  let calls = 0;
  const scorer: Scorer & { seen: string[] } = {
    seen,
    async score(conversations) {
      onCall?.(++calls);
      return conversations.map((c) => {
        const text = messageText(c.at(-1)!);
        seen.push(text);
        return { value: text.length };
      });
    },
  };
  return scorer;
}

const rows = Array.from({ length: 10 }, (_, i) => ({ id: i, prompt: `q${i}`, chosen: `chosen answer ${i}`, rejected: `no ${i}`, subset: 'chat' }));

describe('score cache', () => {
  it('resumes an interrupted evaluation without scoring any conversation twice', async () => {
    const controller = new AbortController();
    const first = countingScorer((call) => call === 2 && controller.abort(new Error('interrupted')));
    const cache1 = await openDiskScoreCache(dir, 'scorer-a', 'scorer a');
    await expect(evaluateRewardBench(rows, cachedScorer(first, cache1), { batchSize: 2, signal: controller.signal })).rejects.toThrow('interrupted');
    expect(first.seen).toHaveLength(8); // two batches of two rows, two answers each

    const second = countingScorer();
    const cache2 = await openDiskScoreCache(dir, 'scorer-a', 'scorer a');
    expect(cache2.loaded).toBe(8);
    const resumed = await evaluateRewardBench(rows, cachedScorer(second, cache2), { batchSize: 2 });
    expect(second.seen).toHaveLength(12);
    expect(second.seen.filter((text) => first.seen.includes(text))).toEqual([]);
    // Results equal those of a run without cache.
    const plain = await evaluateRewardBench(rows, countingScorer(), { batchSize: 2 });
    expect(resumed).toEqual(plain);

    const third = countingScorer();
    await evaluateRewardBench(rows, cachedScorer(third, await openDiskScoreCache(dir, 'scorer-a', 'scorer a')));
    expect(third.seen).toHaveLength(0);
    // Another scorer id has its own file and scores everything.
    const other = countingScorer();
    await evaluateRewardBench(rows, cachedScorer(other, await openDiskScoreCache(dir, 'scorer-b', 'scorer a')));
    expect(other.seen).toHaveLength(20);
  });

  it('skips a torn last line and keeps the next entries readable', async () => {
    const cache = await openDiskScoreCache(dir, 'torn', 'torn');
    await cache.set([[conversationKey([{ role: 'user', content: 'a' }]), { value: 1 }]]);
    await appendFile(cache.file, '{"k":"abc","v":');
    const reopened = await openDiskScoreCache(dir, 'torn', 'torn');
    expect(reopened.loaded).toBe(1);
    await reopened.set([[conversationKey([{ role: 'user', content: 'b' }]), { value: 2, attributes: { helpfulness: 2 } }]]);
    const again = await openDiskScoreCache(dir, 'torn', 'torn');
    expect(again.loaded).toBe(2);
    expect(await again.get([conversationKey([{ role: 'user', content: 'b' }]), 'missing'])).toEqual([{ value: 2, attributes: { helpfulness: 2 } }, undefined]);
    expect((await readFile(cache.file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('keys conversations by content, whatever the order of their fields', () => {
    expect(conversationKey([{ role: 'user', content: 'Hi' }])).toBe(conversationKey([{ content: 'Hi', role: 'user' } as never]));
    expect(conversationKey([{ role: 'user', content: 'Hi' }])).not.toBe(conversationKey([{ role: 'user', content: 'Hi!' }]));
  });

  it('renumbers a refusal of the inner scorer to the caller\'s positions', async () => {
    const memory = new Map<string, { value: number }>();
    const cache = { get: async (keys: readonly string[]) => keys.map((k) => memory.get(k)), set: async (e: ReadonlyArray<readonly [string, { value: number }]>) => void e.forEach(([k, s]) => memory.set(k, s)) };
    const refusing: Scorer = {
      async score(conversations) {
        const bad = conversations.findIndex((c) => messageText(c.at(-1)!) === 'too long');
        if (bad >= 0) throw new ValidationError('conversations', [{ path: `[${bad}]`, message: 'over maxLength' }]);
        return conversations.map(() => ({ value: 1 }));
      },
    };
    memory.set(conversationKey([{ role: 'user', content: 'q' }, { role: 'assistant', content: 'cached' }]), { value: 5 });
    const error = await evaluateRewardBench([{ prompt: 'q', chosen: 'cached', rejected: 'fine', subset: 'chat' }, { prompt: 'q', chosen: 'x', rejected: 'too long', subset: 'chat' }], cachedScorer(refusing, cache)).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Invalid rows[1]: rejected: over maxLength');
  });
});
