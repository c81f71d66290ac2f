import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { messageText } from '../../src/content.js';
import { ValidationError } from '../../src/errors.js';
import { guardFromFunction } from '../../src/guards/guard-from-function.js';
import { rewardgate } from '../../src/integrations/ai-sdk.js';
import { bestOfN } from '../../src/middleware/best-of-n/best-of-n.js';
import { safety } from '../../src/middleware/safety/safety.js';
import { scoreThreshold } from '../../src/middleware/score-threshold/score-threshold.js';
import { scorerFromFunction } from '../../src/scorers/from-function.js';
import { answerNumber, REFUSAL } from '../helpers/guarded-upstream.js';

const usage = { inputTokens: { total: 4, noCache: 4, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 3, text: 3, reasoning: undefined } };

/** The "remote" AI SDK model: answers "Answer number <seed>.", streamed word by word. */
function remoteModel(text = (seed: number | undefined) => `Answer number ${seed ?? 0}.`) {
  return new MockLanguageModelV4({
    doGenerate: async ({ seed }) => ({
      content: [{ type: 'text', text: text(seed) }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage,
      warnings: [],
    }),
    doStream: async ({ seed, abortSignal }) => ({
      stream: simulateReadableStream({
        chunkDelayInMs: 5,
        chunks: [
          { type: 'stream-start' as const, warnings: [] },
          { type: 'text-start' as const, id: 't' },
          ...text(seed).split(/(?<= )/).map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
          { type: 'text-end' as const, id: 't' },
          { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: 'stop' }, usage },
        ],
      }).pipeThrough(abortable(abortSignal)),
    }),
  });
}
// Stops the simulated stream when the call is aborted, as a real provider's fetch would.
function abortable<T>(signal: AbortSignal | undefined) {
  return new TransformStream<T, T>({
    transform(chunk, controller) {
      if (signal?.aborted) controller.error(signal.reason);
      else controller.enqueue(chunk);
    },
  });
}

const scorer = scorerFromFunction((conversation) => answerNumber(messageText(conversation.at(-1)!)));
const guard = guardFromFunction((conversation) => {
  const last = conversation.at(-1)!;
  return !(last.role === 'user' ? /bomb/i.test(messageText(last)) : /forbidden/i.test(messageText(last)));
});
const rails = () => [safety({ guard, refusal: REFUSAL }), bestOfN({ n: 4, scorer, sampling: { seed: 10 } })];

describe('rewardgate() AI SDK middleware', () => {
  it('gives generateText best-of-n with the report in providerMetadata', async () => {
    const remote = remoteModel();
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: rails() }) });
    const result = await generateText({ model, prompt: 'Hello', temperature: 0.7 });
    expect(result.text).toBe('Answer number 13.');
    expect(remote.doGenerateCalls.map((c) => c.seed).sort()).toEqual([10, 11, 12, 13]);
    expect(remote.doGenerateCalls.every((c) => c.temperature === 0.7)).toBe(true);
    const meta = result.providerMetadata?.rewardgate as { refused: boolean; report: { candidates: unknown[]; chosen: number } };
    expect(meta.refused).toBe(false);
    expect(meta.report.candidates).toHaveLength(4);
    expect(result.usage.inputTokens).toBe(4);
  });

  it('streams the chosen answer through streamText', async () => {
    const remote = remoteModel();
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: rails() }) });
    const result = streamText({ model, prompt: 'Hello' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Answer number 13.');
    expect(await result.finishReason).toBe('stop');
    expect(((await result.providerMetadata)?.rewardgate as { report: { candidates: unknown[] } }).report.candidates).toHaveLength(4);
    expect(remote.doStreamCalls).toHaveLength(4);
  });

  it('refuses harmful prompts without calling the model, plain and streaming', async () => {
    const remote = remoteModel();
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: rails() }) });
    const plain = await generateText({ model, prompt: 'How to build a bomb' });
    expect(plain.text).toBe(REFUSAL);
    expect(plain.finishReason).toBe('content-filter');
    expect((plain.providerMetadata?.rewardgate as { refused: boolean }).refused).toBe(true);
    const streamed = streamText({ model, system: 'Be nice.', messages: [{ role: 'user', content: 'bomb recipe' }] });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text).toBe(REFUSAL);
    expect(await streamed.finishReason).toBe('content-filter');
    expect(remote.doGenerateCalls.length + remote.doStreamCalls.length).toBe(0);
  });

  it('blocks unsafe answers on the output rail and applies a score threshold', async () => {
    const unsafe = remoteModel(() => 'Here is the forbidden recipe.');
    const blocked = await generateText({ model: wrapLanguageModel({ model: unsafe, middleware: rewardgate({ middleware: [safety({ guard, refusal: REFUSAL })] }) }), prompt: 'Tell me' });
    expect(blocked.text).toBe(REFUSAL);

    // Seeds 1 and 2 score below 5: the threshold retries, then refuses.
    const low = remoteModel();
    const rejected = await generateText({
      model: wrapLanguageModel({ model: low, middleware: rewardgate({ middleware: [scoreThreshold({ scorer, min: 5, maxAttempts: 2, onReject: 'refuse', refusal: REFUSAL })] }) }),
      prompt: 'Hello',
      seed: 1,
    });
    expect(rejected.text).toBe(REFUSAL);
    expect((rejected.providerMetadata?.rewardgate as { report: { rejected: boolean } }).report.rejected).toBe(true);
    expect(low.doGenerateCalls).toHaveLength(2);
  });

  it('stops the model streams when the caller aborts', async () => {
    const remote = remoteModel(() => 'w '.repeat(200));
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: [bestOfN({ n: 2, scorer })] }) });
    const controller = new AbortController();
    const result = streamText({ model, prompt: 'Hello', abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text.length).toBeLessThan(400);
    expect(remote.doStreamCalls.every((c) => c.abortSignal?.aborted)).toBe(true);
  });

  it('aborts the model calls when the stream is cancelled before any text, leaving no listener', async () => {
    // A model that has not answered yet: its stream ends only when its call is aborted.
    const remote = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => ({
        stream: new ReadableStream({
          start(controller) {
            controller.enqueue({ type: 'stream-start', warnings: [] });
            abortSignal?.addEventListener('abort', () => controller.error(abortSignal.reason), { once: true });
          },
        }),
      }),
    });
    // No middleware: no pipeline events either, so the cancel finds the pipeline waiting on the model.
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: [] }) });
    const caller = new AbortController();
    const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], abortSignal: caller.signal });
    const reader = stream.getReader();
    const pending = reader.read();
    await vi.waitFor(() => expect(remote.doStreamCalls).toHaveLength(1));
    // Let the pipeline hand out its first events and wait on the model (a timing-free outcome either way).
    await new Promise((r) => setTimeout(r, 50));
    await reader.cancel();
    expect((await pending).done).toBe(true);
    expect(remote.doStreamCalls.every((c) => c.abortSignal?.aborted)).toBe(true);
    expect(caller.signal.aborted).toBe(false);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it("passes the model's warnings on (once), plain and streaming", async () => {
    const warnings = [{ type: 'unsupported' as const, feature: 'seed', details: 'sampling is not seeded' }];
    const remote = new MockLanguageModelV4({
      doGenerate: async ({ seed }) => ({ content: [{ type: 'text', text: `Answer number ${seed ?? 0}.` }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings }),
      doStream: async ({ seed }) => ({
        stream: simulateReadableStream({
          chunks: [
            { type: 'stream-start' as const, warnings },
            { type: 'text-delta' as const, id: 't', delta: `Answer number ${seed ?? 0}.` },
            { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: 'stop' }, usage },
          ],
        }),
      }),
    });
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: rails() }) });
    const flags = globalThis as { AI_SDK_LOG_WARNINGS?: boolean };
    flags.AI_SDK_LOG_WARNINGS = false; // asserted below, not printed
    try {
      const plain = await generateText({ model, prompt: 'Hello' });
      expect(plain.warnings).toEqual(warnings);
      const streamed = streamText({ model, prompt: 'Hello' });
      expect(await streamed.text).toBe('Answer number 13.');
      expect(await streamed.warnings).toEqual(warnings);
    } finally {
      delete flags.AI_SDK_LOG_WARNINGS;
    }
  });

  it('validates its options, and the removed tools option is an error rather than ignored', () => {
    expect(() => rewardgate({ middleware: [{} as never] })).toThrow(ValidationError);
    expect(() => rewardgate({ middleware: [], tools: 'bypass' } as never)).toThrow(/Invalid rewardgate\(\) options: .*tools/);
  });
});
