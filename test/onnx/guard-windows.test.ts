// Long inputs on a chat-template guard (tiny-guard, real ONNX model): windows judged in one run,
// the worst window deciding; truncation when asked; otherwise a GuardInputError, never a verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardError, GuardInputError, UserAbortError, ValidationError } from '../../src/errors.js';
import { loadGuard, loadTokenizer, type LocalGuard, type LocalGuardRaw } from '../../src/onnx/index.js';
import { pipeline, safety, type ChatModel } from '../../src/index.js';
import type { Message } from '../../src/types.js';
import { GUARD } from './fixtures.js';

// tiny-guard was trained on short conversations, so "the model's length" here is a small
// maxLength: the harmful ask must fall in one window, as it would in a real guard's 512 tokens.
const MAX = 24;
const filler = Array.from({ length: 12 }, (_, i) => ['I want to grow tomatoes.', 'Where do I start?', 'How do I back up files?', 'Give me tips to reduce stress.'][i % 4]).join(' ');
const harmful = "Tell me how to steal my neighbor's password.";
const longAsk: Message[] = [{ role: 'user', content: `${filler} ${harmful}` }];

let windowed: LocalGuard;
let keepStart: LocalGuard;
let strict: LocalGuard;
beforeAll(async () => {
  [windowed, keepStart, strict] = await Promise.all([
    loadGuard({ path: GUARD, device: 'cpu', maxLength: MAX, truncation: 'window' }),
    loadGuard({ path: GUARD, device: 'cpu', maxLength: MAX, truncation: 'keep-start' }),
    loadGuard({ path: GUARD, device: 'cpu', maxLength: MAX }),
  ]);
});
afterAll(() => Promise.all([windowed.close(), keepStart.close(), strict.close()]));

describe('a local guard over its token limit (tiny-guard)', () => {
  it('windowing catches a harmful ask at the very end, in one batched run; the worst window decides', async () => {
    const tok = await loadTokenizer({ path: GUARD });
    const tokens = tok.encodeChat(longAsk).length;
    expect(tokens).toBeGreaterThan(3 * MAX);
    const before = windowed.stats();
    const v = await windowed.check(longAsk);
    const after = windowed.stats();
    const raw = v.raw as LocalGuardRaw;
    // Windows of MAX - 1 text tokens after the BOS, overlapping by a quarter (5 tokens).
    const expected = Math.ceil((tokens - 1 - (MAX - 1)) / (MAX - 1 - 5)) + 1;
    expect(raw.windows!.unsafeness).toHaveLength(expected);
    expect(after.runs - before.runs).toBe(1);
    expect(after.sequences - before.sequences).toBe(expected);
    expect(v.safe).toBe(false);
    expect(v.categories[0]).toMatchObject({ category: 'theft', label: 'theft' });
    expect(raw.windows!.worst).toBe(expected - 1);
    // Only the window with the ask is unsafe; the verdict's probabilities are that window's.
    expect(raw.windows!.unsafeness.filter((u) => u >= 0.5)).toHaveLength(1);
    expect(1 - raw.probabilities.safe!).toBeCloseTo(raw.windows!.unsafeness[expected - 1]!, 6);
  });

  it("truncation 'keep-start' judges only the first maxLength tokens and misses it", async () => {
    const tok = await loadTokenizer({ path: GUARD });
    const v = await keepStart.check(longAsk);
    expect(v.safe).toBe(true);
    expect((v.raw as LocalGuardRaw).truncated).toEqual({ droppedTurns: 0, droppedTokens: tok.encodeChat(longAsk).length - MAX });
    expect((v.raw as LocalGuardRaw).windows).toBeUndefined();
  });

  it("by default (truncation 'error') the input is a GuardInputError, context_length_exceeded, not a verdict", async () => {
    expect(strict.truncation).toBe('error');
    const error = await strict.check(longAsk).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardInputError);
    expect(error).toMatchObject({ code: 'context_length_exceeded', failure: 'input_too_long', guard: 'loadGuard(tiny-guard)' });
    expect((error as Error).message).toMatch(/over the guard's maxLength 24; pass truncation: 'window'.*'oldest-turns'/);
  });

  it("'oldest-turns' drops old turns when that is enough, and is a GuardInputError when the judged turn alone is too long", async () => {
    const oldest = await loadGuard({ path: GUARD, device: 'cpu', maxLength: 40, truncation: 'oldest-turns' });
    try {
      const conversation: Message[] = [
        { role: 'user', content: 'I want to grow tomatoes. Where do I start?' },
        { role: 'assistant', content: 'Start with good soil.' },
        { role: 'user', content: harmful },
      ];
      const v = await oldest.check(conversation);
      expect((v.raw as LocalGuardRaw).truncated).toEqual({ droppedTurns: 2, droppedTokens: 0 });
      expect(v.categories[0]?.category).toBe('theft');
      const error = await oldest.check(longAsk).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GuardInputError);
      expect((error as Error).message).toMatch(/the judged turn is never cut.*'window'/);
    } finally {
      await oldest.close();
    }
  });

  it('an input that fits is one sequence with no window or truncation info', async () => {
    const before = windowed.stats();
    const v = await windowed.check([{ role: 'user', content: harmful }]);
    expect(windowed.stats().sequences - before.sequences).toBe(1);
    expect(v.categories[0]?.category).toBe('theft');
    expect((v.raw as LocalGuardRaw).windows).toBeUndefined();
    expect((v.raw as LocalGuardRaw).truncated).toBeUndefined();
  });

  it('concurrent windowed checks share one run, each judged on its own windows', async () => {
    const before = windowed.stats();
    const [a, b, c] = await Promise.all([windowed.check(longAsk), windowed.check([{ role: 'user', content: filler }]), windowed.check([{ role: 'user', content: 'How do I back up files?' }])]);
    const after = windowed.stats();
    expect(after.runs - before.runs).toBe(1);
    expect(after.sequences - before.sequences).toBe((a.raw as LocalGuardRaw).windows!.unsafeness.length + (b.raw as LocalGuardRaw).windows!.unsafeness.length + 1);
    expect([a.safe, b.safe, c.safe]).toEqual([false, true, true]);
  });

  it('more windows than maxWindows is a GuardInputError naming maxWindows', async () => {
    const few = await loadGuard({ path: GUARD, device: 'cpu', maxLength: MAX, truncation: 'window', maxWindows: 2 });
    try {
      await expect(few.check(longAsk)).rejects.toThrow(/needs \d+ windows, over maxWindows 2/);
      await expect(few.check(longAsk)).rejects.toBeInstanceOf(GuardInputError);
    } finally {
      await few.close();
    }
  });

  it('a windowOverlap that leaves no stride is a ValidationError at load', async () => {
    const error = await loadGuard({ path: GUARD, device: 'cpu', maxLength: MAX, windowOverlap: MAX - 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: 'windowOverlap', message: expect.stringMatching(/below the window's 23 text tokens/) });
    await expect(loadGuard({ path: GUARD, truncation: 'middle' as 'window' })).rejects.toThrow(/truncation/);
  });

  it('an abort passes through as UserAbortError; a closed guard fails with a GuardError, never a verdict', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(windowed.check(longAsk, { signal: controller.signal })).rejects.toBeInstanceOf(UserAbortError);
    const closed = await loadGuard({ path: GUARD, device: 'cpu', maxLength: MAX, truncation: 'window' });
    await closed.close();
    const error = await closed.check(longAsk).catch((e: unknown) => e);
    expect(GuardError.isGuardError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'guard_unavailable', guard: 'loadGuard(tiny-guard)' });
  });

  it('through the safety rail: an over-long input is the GuardInputError, not a refusal; windowed, the harmful ask is refused', async () => {
    const calls: Message[][] = [];
    const upstream: ChatModel = {
      generate: async (request) => (calls.push(request.messages), { text: 'Here you go.', finishReason: 'stop' }),
      stream: () => (async function* () {})(),
    };
    const error = await pipeline(upstream, [safety({ guard: strict, output: false })]).generate({ messages: longAsk }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardInputError);
    expect(calls).toHaveLength(0);
    const refused = await pipeline(upstream, [safety({ guard: windowed, output: false })]).generate({ messages: longAsk });
    expect(refused.report.refused).toBe(true);
    expect(calls).toHaveLength(0);
    const fine = await pipeline(upstream, [safety({ guard: windowed, output: false })]).generate({ messages: [{ role: 'user', content: filler }] });
    expect([fine.text, fine.report.refused]).toEqual(['Here you go.', false]);
  });
});
