import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RewardgateError, UserAbortError } from '../../src/errors.js';
import { MicroBatcher } from '../../src/onnx/micro-batcher.js';

// A run function that records each batch it is given and doubles every item.
function recorder(options: { batchSize: number; maxWaitMs: number; failOn?: string }) {
  const batches: string[][] = [];
  const batcher = new MicroBatcher<string, string>({
    ...options,
    size: (s) => s.length,
    run: async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      if (options.failOn && items.includes(options.failOn)) throw new Error(`bad item ${options.failOn}`);
      return items.map((s) => s + s);
    },
  });
  return { batches, batcher };
}

describe('MicroBatcher', () => {
  it('coalesces concurrent submits into runs of at most batchSize and routes each result back', async () => {
    const { batches, batcher } = recorder({ batchSize: 4, maxWaitMs: 50 });
    const items = Array.from({ length: 10 }, (_, i) => 'x'.repeat(i + 1));
    const results = await Promise.all(items.map((s) => batcher.submit(s)));
    expect(results).toEqual(items.map((s) => s + s));
    expect(batches.flat().sort()).toEqual([...items].sort());
    expect(Math.max(...batches.map((b) => b.length))).toBe(4);
    expect(batches.length).toBe(3);
  });

  it('sorts a drained queue by length so each run holds similar lengths', async () => {
    const { batches, batcher } = recorder({ batchSize: 2, maxWaitMs: 10 });
    const items = ['q', 'aaaa', 'a', 'aaa', 'aa', 'aaaaa', 'aaaaaa'];
    await Promise.all(items.map((s) => batcher.submit(s)));
    // The second submit fills a batch and starts a run; the five that arrive meanwhile drain together, sorted.
    expect(batches).toEqual([['q', 'aaaa'], ['a', 'aa'], ['aaa', 'aaaaa'], ['aaaaaa']]);
  });

  it('runs a lone item after maxWaitMs', async () => {
    const { batches, batcher } = recorder({ batchSize: 8, maxWaitMs: 20 });
    const started = performance.now();
    await expect(batcher.submit('solo')).resolves.toBe('solosolo');
    expect(batches).toEqual([['solo']]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it("leaves an aborted caller out of its batch without failing the others, and removes its listener", async () => {
    const { batches, batcher } = recorder({ batchSize: 8, maxWaitMs: 20 });
    const controller = new AbortController();
    const a = batcher.submit('a');
    const b = batcher.submit('b', controller.signal);
    const c = batcher.submit('c');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('user left'));
    await expect(b).rejects.toBeInstanceOf(UserAbortError);
    await expect(Promise.all([a, c])).resolves.toEqual(['aa', 'cc']);
    expect(batches).toEqual([['a', 'c']]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects an abort during the run for that caller only, and cleans up listeners after success', async () => {
    const { batcher } = recorder({ batchSize: 2, maxWaitMs: 0 });
    const controller = new AbortController();
    const kept = new AbortController();
    const a = batcher.submit('a', controller.signal);
    const b = batcher.submit('b', kept.signal);
    await new Promise((r) => setTimeout(r, 1)); // the run has started
    controller.abort();
    await expect(a).rejects.toBeInstanceOf(UserAbortError);
    await expect(b).resolves.toBe('bb');
    expect(getEventListeners(kept.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { batches, batcher } = recorder({ batchSize: 2, maxWaitMs: 0 });
    await expect(batcher.submit('a', AbortSignal.abort())).rejects.toBeInstanceOf(UserAbortError);
    expect(batches).toEqual([]);
  });

  it('fails only the item at fault when a batch run throws', async () => {
    const { batches, batcher } = recorder({ batchSize: 3, maxWaitMs: 10, failOn: 'bad' });
    const results = await Promise.allSettled([batcher.submit('ok1'), batcher.submit('bad'), batcher.submit('ok2')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('bad item bad');
    expect(batches[0]).toHaveLength(3);
    expect(batches.slice(1)).toEqual([['ok1'], ['bad'], ['ok2']]);
  });

  it('rejects queued items on close and refuses new ones', async () => {
    const { batches, batcher } = recorder({ batchSize: 8, maxWaitMs: 1000 });
    const pending = batcher.submit('a');
    await batcher.close();
    await expect(pending).rejects.toBeInstanceOf(RewardgateError);
    await expect(batcher.submit('b')).rejects.toThrow(/closed/);
    expect(batches).toEqual([]);
  });

  it('close() waits for the run in progress, whose callers still get their results', async () => {
    const { batcher } = recorder({ batchSize: 1, maxWaitMs: 0 });
    const running = batcher.submit('a');
    let closed = false;
    const closing = batcher.close().then(() => (closed = true));
    await expect(running).resolves.toBe('aa');
    await closing;
    expect(closed).toBe(true);
  });
});
