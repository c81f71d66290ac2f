import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAbortError, ValidationError } from '../../src/errors.js';
import { loadScorer, type LocalScorer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { GUARD, REWARD, rewardRefs } from './fixtures.js';

const refs = rewardRefs();
let scorer: LocalScorer;
beforeAll(async () => {
  scorer = await loadScorer({ path: REWARD, device: 'cpu', batchSize: 8, maxWaitMs: 5 });
});
afterAll(() => scorer.close());

describe('loadScorer on tiny-reward (CPU)', () => {
  it('encodes every reference conversation to the exact transformers ids', () => {
    for (const c of refs) expect(scorer.tokenizer.encodeChat(c.messages)).toEqual(c.input_ids);
  });

  it('scores every reference conversation within 1e-4 of transformers', async () => {
    const scores = await scorer.score(refs.map((c) => c.messages));
    expect(scores).toHaveLength(refs.length);
    scores.forEach((s, i) => {
      expect(Math.abs(s.value - refs[i]!.score)).toBeLessThan(1e-4);
      expect(s.attributes).toBeUndefined();
    });
  });

  it('batched and one-at-a-time scoring agree within 1e-5', async () => {
    const single = await loadScorer({ path: REWARD, device: 'cpu', batchSize: 1 });
    try {
      const alone: number[] = [];
      for (const c of refs) alone.push((await single.score([c.messages]))[0]!.value);
      // Concurrent single-conversation calls: coalesced into padded batches of up to 8.
      const before = scorer.stats();
      const together = await Promise.all(refs.map(async (c) => (await scorer.score([c.messages]))[0]!.value));
      const after = scorer.stats();
      expect(after.sequences - before.sequences).toBe(refs.length);
      expect(after.runs - before.runs).toBe(Math.ceil(refs.length / 8));
      expect(single.stats()).toEqual({ runs: refs.length, sequences: refs.length });
      together.forEach((v, i) => expect(Math.abs(v - alone[i]!)).toBeLessThan(1e-5));
    } finally {
      await single.close();
    }
  });

  it("reports the device it runs on; 'auto' here falls back to CPU and says why", async () => {
    expect(scorer.device).toBe('cpu');
    const auto = await loadScorer({ path: REWARD });
    try {
      expect(auto.device).toBe('cpu');
      expect(auto.provider).toBe('CPUExecutionProvider');
      expect(auto.skipped.map((s) => s.device)).toEqual(['cuda', 'webgpu']);
      expect(auto.skipped.every((s) => s.reason.length > 20)).toBe(true);
    } finally {
      await auto.close();
    }
  });

  it("one caller's abort or bad input does not fail the others sharing its batch", async () => {
    const controller = new AbortController();
    const bad = [{ role: 'user', content: 'no answer to score' }] as Message[];
    const calls = [
      scorer.score([refs[0]!.messages]),
      scorer.score([refs[1]!.messages], { signal: controller.signal }),
      scorer.score([bad]),
      scorer.score([refs[2]!.messages]),
    ];
    controller.abort();
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(UserAbortError);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect(Math.abs((settled[3] as PromiseFulfilledResult<{ value: number }[]>).value[0]!.value - refs[2]!.score)).toBeLessThan(1e-4);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects bad conversations with ValidationErrors naming the index', async () => {
    await expect(scorer.score([refs[0]!.messages, [{ role: 'user', content: 'hi' }]])).rejects.toThrow(/\[1\]: the last turn must be the assistant/);
    await expect(scorer.score([[{ role: 'robot', content: 'x' }]] as unknown as Message[][])).rejects.toThrow(/\[0\]\[0\]\.role/);
    await expect(scorer.score([])).resolves.toEqual([]);
  });

  it("rejects conversations over maxLength by default, and 'oldest-turns' drops old turns but keeps the scored exchange", async () => {
    const short = await loadScorer({ path: REWARD, device: 'cpu', maxLength: 60 });
    const trunc = await loadScorer({ path: REWARD, device: 'cpu', maxLength: 60, truncation: 'oldest-turns' });
    try {
      const last = refs[0]!.messages; // 46 tokens
      const long: Message[] = [{ role: 'user', content: 'Tell me a long story about many things.' }, { role: 'assistant', content: 'Once upon a time there was a very long story.' }, ...last];
      await expect(short.score([long])).rejects.toThrow(/\[0\]: is \d+ tokens, over maxLength 60/);
      await expect(short.score([long])).rejects.toMatchObject({ name: 'ValidationError', code: 'context_length_exceeded' });
      await expect(short.score([[{ role: 'user', content: 'hi' }]])).rejects.toMatchObject({ code: 'invalid_value' });
      const [kept] = await trunc.score([long]);
      expect(Math.abs(kept!.value - refs[0]!.score)).toBeLessThan(1e-4);
      const huge: Message[] = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'word '.repeat(80) }];
      await expect(trunc.score([huge])).rejects.toThrow(/judged turn is never cut/);
    } finally {
      await Promise.all([short.close(), trunc.close()]);
    }
  });

  it('rejects bad options with a ValidationError naming the key', async () => {
    await expect(loadScorer({ path: REWARD, batchSize: 0 })).rejects.toThrow(/loadScorer options: batchSize/);
    await expect(loadScorer({ path: REWARD, device: 'tpu' as 'cpu' })).rejects.toThrow(/device/);
    await expect(loadScorer({ path: REWARD, weights: { helpfulness: 1 } })).rejects.toThrow(/weights\.helpfulness: no such label/);
  });

  it('close() releases the session; later calls fail', async () => {
    const s = await loadScorer({ path: REWARD, device: 'cpu' });
    await s.close();
    await expect(s.score([refs[0]!.messages])).rejects.toThrow(/closed/);
    // A second close (a finally after an explicit close) is a no-op, not "Session already disposed".
    await expect(Promise.all([s.close(), s.close()])).resolves.toBeDefined();
  });
});

describe('loadScorer with several labels (tiny-guard as a multi-attribute model)', () => {
  it('names attributes from id2label and weighs them into value', async () => {
    const weights = { safe: 1, violence: -0.5 };
    const multi = await loadScorer({ path: GUARD, device: 'cpu', weights });
    const plain = await loadScorer({ path: GUARD, device: 'cpu' });
    try {
      const conversation = refs[0]!.messages;
      const [s] = await multi.score([conversation]);
      expect(Object.keys(s!.attributes!)).toEqual(['safe', 'violence', 'weapons', 'theft', 'harassment', 'animal_abuse', 'criminal_planning']);
      expect(s!.value).toBeCloseTo(s!.attributes!.safe! - 0.5 * s!.attributes!.violence!, 5);
      const [p] = await plain.score([conversation]);
      expect(p!.value).toBeCloseTo(Object.values(p!.attributes!).reduce((a, b) => a + b, 0), 5);
    } finally {
      await Promise.all([multi.close(), plain.close()]);
    }
  });

  it("gives a label named like an inherited property (e.g. 'toString') weight 0 when weights leave it out", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rewardgate-scorer-'));
    try {
      await cp(GUARD, dir, { recursive: true });
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      config.id2label['1'] = 'toString';
      if (config.label2id) config.label2id = Object.fromEntries(Object.entries(config.id2label).map(([k, v]) => [v, Number(k)]));
      await writeFile(join(dir, 'config.json'), JSON.stringify(config));
      const odd = await loadScorer({ path: dir, device: 'cpu', weights: { safe: 1 } });
      try {
        const [s] = await odd.score([refs[0]!.messages]);
        expect(s!.value).toBeCloseTo(s!.attributes!.safe!, 5);
      } finally {
        await odd.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
