import { describe, expect, it } from 'vitest';
import { DEFAULT_REFUSAL, GuardrailError, pipeline, scoreThreshold, scorerFromFunction, type PipelineEvent } from '../../src/index.js';
import { drain, scriptedModel, user } from '../pipeline/test-model.js';
import { messageText } from '../../src/content.js';

// Answers "a1", "a2", ... in call order; the scorer reads the number as the score.
const numbered = () => scriptedModel((_req, i) => ({ text: `a${i + 1}`, chunks: ['a', String(i + 1)] }));
const byNumber = scorerFromFunction((c) => Number(messageText(c.at(-1)!).replace(/\D/g, '') || 0));

describe('scoreThreshold', () => {
  it('retries exactly maxAttempts times below the bar', async () => {
    for (const maxAttempts of [1, 2, 5]) {
      const model = numbered();
      const out = await pipeline(model, [scoreThreshold({ scorer: byNumber, min: 100, maxAttempts, onReject: 'best' })]).generate(user('q'));
      expect(model.requests).toHaveLength(maxAttempts);
      expect(out.report.candidates.map((c) => c.labels.attempt)).toEqual(Array.from({ length: maxAttempts }, (_, i) => i + 1));
    }
  });

  it('stops at the first attempt that reaches min', async () => {
    const model = numbered();
    const out = await pipeline(model, [scoreThreshold({ scorer: byNumber, min: 2, maxAttempts: 5 })]).generate(user('q'));
    expect(out.text).toBe('a2');
    expect(model.requests).toHaveLength(2);
    expect(out.refused).toBe(false);
    expect(out.report.rejected).toBe(false);
    expect(out.report.reasons).toEqual([{ by: 'scoreThreshold', reason: 'attempt 1: score 1 is below min 2' }]);
  });

  it("onReject 'refuse' returns the refusal, marked refused and rejected", async () => {
    const out = await pipeline(numbered(), [scoreThreshold({ scorer: byNumber, min: 10, maxAttempts: 2, onReject: 'refuse', refusal: 'No good answer.' })]).generate(user('q'));
    expect(out).toMatchObject({ text: 'No good answer.', finishReason: 'refused', refused: true });
    expect(out.report).toMatchObject({ refused: true, rejected: true, chosen: null });
    const dflt = await pipeline(numbered(), [scoreThreshold({ scorer: byNumber, min: 10 })]).generate(user('q'));
    expect(dflt.text).toBe(DEFAULT_REFUSAL);
  });

  it("onReject 'best' returns the best attempt, marked rejected", async () => {
    const model = scriptedModel((_r, i) => ({ text: ['a3', 'a7', 'a5'][i]! }));
    const out = await pipeline(model, [scoreThreshold({ scorer: byNumber, min: 10, maxAttempts: 3, onReject: 'best' })]).generate(user('q'));
    expect(out.text).toBe('a7');
    expect(out.refused).toBe(false);
    expect(out.report.rejected).toBe(true);
    expect(out.report.chosen).toBe(1);
  });

  it("onReject 'throw' throws GuardrailError carrying the report", async () => {
    const error = await pipeline(numbered(), [scoreThreshold({ scorer: byNumber, min: 10, maxAttempts: 2, onReject: 'throw' })])
      .generate(user('q'))
      .catch((e) => e);
    expect(error).toBeInstanceOf(GuardrailError);
    expect(error.reason).toBe('rejected');
    expect(error.report.candidates).toHaveLength(2);
    expect(error.report.rejected).toBe(true);
  });

  it('minMargin compares with the reference answer scored in the same batch, once per request', async () => {
    const batches: string[][] = [];
    const scorer = scorerFromFunction(
      (convs) => (batches.push(convs.map((c) => messageText(c.at(-1)!))), convs.map((c) => (messageText(c.at(-1)!) === 'REF' ? 4 : Number(messageText(c.at(-1)!).slice(1))))),
      { batch: true },
    );
    const model = numbered();
    const out = await pipeline(model, [scoreThreshold({ scorer, minMargin: 1, reference: 'REF', maxAttempts: 9 })]).generate(user('q'));
    expect(out.text).toBe('a5');
    expect(batches).toEqual([['a1', 'REF'], ['a2'], ['a3'], ['a4'], ['a5']]);
  });

  it('appends the feedback turn on retry', async () => {
    const model = numbered();
    await pipeline(model, [scoreThreshold({ scorer: byNumber, min: 3, maxAttempts: 3, feedback: ({ score }) => `Scored ${score}; be more helpful.` })]).generate(user('q'));
    expect(model.requests[0]!.messages).toEqual([{ role: 'user', content: 'q' }]);
    expect(model.requests[1]!.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'Scored 1; be more helpful.' },
    ]);
    expect(model.requests[2]!.messages.at(-2)).toEqual({ role: 'assistant', content: 'a2' });
  });

  it('streams only the accepted attempt, with a rejection event for each failed one', async () => {
    const events = await drain(pipeline(numbered(), [scoreThreshold({ scorer: byNumber, min: 3, maxAttempts: 3 })]).stream(user('q')));
    const text = events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text);
    expect(text).toEqual(['a', '3']);
    expect(events.filter((e) => e.type === 'rejection')).toHaveLength(2);
    const finish = events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>;
    expect(finish.completion.text).toBe('a3');
  });

  it('streams the refusal when every attempt fails', async () => {
    const events = await drain(pipeline(numbered(), [scoreThreshold({ scorer: byNumber, min: 9, maxAttempts: 2, refusal: 'Nope.' })]).stream(user('q')));
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text)).toEqual(['Nope.']);
    expect((events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion.refused).toBe(true);
  });
});
