// Backpressure in the local decoder: a stream whose reader stops reading sits out the batched
// steps (tiny-agent, so its KV cache is set aside and restored), and gives the same ids as alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAbortError } from '../../src/errors.js';
import type { StreamEvent } from '../../src/interfaces.js';
import { loadChatModel, type LocalChatModel, type LocalCompletion } from '../../src/onnx/index.js';
import type { ChatRequest } from '../../src/types.js';
import { MODELS } from './fixtures.js';

let chat: LocalChatModel;
beforeAll(async () => {
  chat = await loadChatModel({ path: `${MODELS}/tiny-agent`, device: 'cpu' });
});
afterAll(() => chat.close());

// Sampled (fixed seeds) so the answers run long; min_new_tokens keeps them from ending early.
const request = (content: string, seed: number): ChatRequest => ({
  messages: [{ role: 'user', content }],
  temperature: 1,
  seed,
  max_tokens: 40,
  extra: { min_new_tokens: 40 },
});
const A = request('How do I bake bread?', 11);
const B = request('Give me tips to save money.', 12);

async function finish(events: AsyncIterator<StreamEvent<LocalCompletion>>): Promise<LocalCompletion> {
  for (;;) {
    const r = await events.next();
    if (r.done) throw new Error('no finish event');
    if (r.value.type === 'finish') return r.value.completion;
  }
}

describe('a stream whose reader stops reading', () => {
  it('stops consuming decoder steps until read, then goes on with its unbatched ids', async () => {
    const aloneA = await chat.generate(A);
    const aloneB = await chat.generate(B);
    expect(aloneA.tokenIds).toHaveLength(40);
    expect(aloneB.tokenIds).toHaveLength(40);

    const before = chat.stats();
    const a = chat.stream(A)[Symbol.asyncIterator]();
    const first = await a.next();
    expect(first.value?.type).toBe('text-delta');
    // A is not read while B runs to its end: B's 40 steps must not carry A along.
    const b = await chat.generate(B);
    const during = chat.stats();
    expect(b.tokenIds).toEqual(aloneB.tokenIds);
    expect(during.rows - before.rows - 40).toBeLessThan(8);
    // Read on, A resumes from where it sat out, with the ids it gets alone.
    const completion = await finish(a);
    expect(completion.tokenIds).toEqual(aloneA.tokenIds);
    const after = chat.stats();
    // Parking costs no model runs: every row step made one of the 80 tokens.
    expect(after.rows - before.rows).toBe(80);
  });

  it('an abort frees a paused stream at once; the steps beside it go on alone', async () => {
    const aloneB = await chat.generate(B);
    const controller = new AbortController();
    const a = chat.stream(A, { signal: controller.signal })[Symbol.asyncIterator]();
    await a.next();
    // A sits paused once B starts; the abort lands while nobody reads A.
    const b = chat.generate(B);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = chat.stats();
    controller.abort();
    expect((await b).tokenIds).toEqual(aloneB.tokenIds);
    const after = chat.stats();
    // Only B ran: one row per model run.
    expect(after.rows - before.rows).toBe(after.runs - before.runs);
    await expect(a.next()).rejects.toBeInstanceOf(UserAbortError);
    // Nothing is left decoding: the counters stay still.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(chat.stats()).toEqual(after);
  });

  it('holds no place in the batch: with room for one row, a call behind a paused stream still runs', async () => {
    const narrow = await loadChatModel({ path: `${MODELS}/tiny-agent`, device: 'cpu', batchSize: 1 });
    try {
      const aloneA = await narrow.generate(A);
      const a = narrow.stream(A)[Symbol.asyncIterator]();
      await a.next();
      // A holds the only place unless parking frees it: B would wait for a reader that waits for B.
      const b = await narrow.generate(B);
      expect(b.tokenIds).toHaveLength(40);
      expect((await finish(a)).tokenIds).toEqual(aloneA.tokenIds);
    } finally {
      await narrow.close();
    }
  });

  it('concurrent readers that keep reading still share one step per token', async () => {
    const before = chat.stats();
    const [x, y] = await Promise.all([finish(chat.stream(A)[Symbol.asyncIterator]()), finish(chat.stream(B)[Symbol.asyncIterator]())]);
    const after = chat.stats();
    expect(x.tokenIds).toHaveLength(40);
    expect(y.tokenIds).toHaveLength(40);
    expect(after.rows - before.rows).toBe(80);
    expect(after.runs - before.runs).toBe(40);
  });
});
