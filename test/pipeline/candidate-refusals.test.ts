import { describe, expect, it } from 'vitest';
import { bestOfN, guardFromFunction, pipeline, safety, scorerFromFunction, type GuardedCompletion, type PipelineEvent, type Verdict } from '../../src/index.js';
import { drain, scriptedModel, user } from './test-model.js';
import { messageText } from '../../src/content.js';

// The guard blocks any answer mentioning "poison"; the scorer prefers the longest answer, so
// without the rail the unsafe candidate would win.
const guard = guardFromFunction((c): Verdict => (c.at(-1)!.role === 'assistant' && messageText(c.at(-1)!).includes('poison') ? { safe: false, categories: [{ category: 'violence', label: 'Violence' }] } : { safe: true, categories: [] }));
const byLength = scorerFromFunction((c) => messageText(c.at(-1)!).length);
const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;
const BLOCK = { by: 'safety', reason: 'output blocked: unsafe: violence (Violence)' };

// Candidate seeds 0, 1, 2: the middle one is the unsafe one. Streams send a whole first sentence,
// so the streaming rail blocks it mid-stream, before the model's finish.
const texts = ['Use flour. Then bake.', 'Add poison to the dough. Then bake it long and slow.', 'Knead.'];
const model = () => scriptedModel((req) => ({ text: texts[req.seed!]!, chunks: texts[req.seed!]!.split(/(?<= )/) }));
const build = (m: ReturnType<typeof model>) => pipeline(m, [bestOfN({ n: 3, scorer: byLength, sampling: { seed: 0 } }), safety({ guard, input: false })]);

function expectSafeWinner(out: GuardedCompletion) {
  expect(out.text).toBe('Use flour. Then bake.');
  expect(out.finishReason).toBe('stop');
  expect(out.refused).toBe(false);
  expect(out.report.refused).toBe(false);
  const blocked = out.report.candidates.find((c) => c.labels.sample === 1)!;
  const winner = out.report.candidates.find((c) => c.labels.sample === 0)!;
  expect(out.report.chosen).toBe(winner.index);
  // The block is a fact about that candidate, not about the answer returned.
  expect(blocked.reasons).toEqual([BLOCK]);
  expect(winner.reasons).toBeUndefined();
  expect(out.report.reasons).toEqual([]);
}

describe('an inner rail blocking a best-of-n candidate', () => {
  it('generate: a safe winner is not marked refused; the block is recorded on the candidate', async () => {
    const out = await build(model()).generate(user('How do I bake bread?'));
    expectSafeWinner(out);
    expect(out.report.candidates.find((c) => c.labels.sample === 1)!.verdict?.safe).toBe(false);
  });

  it('stream: the same, also when the rail blocks the candidate mid-stream', async () => {
    const events = await drain(build(model()).stream(user('How do I bake bread?')));
    const out = finishOf(events);
    expectSafeWinner(out);
    const rejection = events.find((e) => e.type === 'rejection') as Extract<PipelineEvent, { type: 'rejection' }>;
    expect(rejection.candidate).toBe(out.report.candidates.find((c) => c.labels.sample === 1)!.index);
  });

  it('when every candidate is blocked, the answer is the refusal and the report says why', async () => {
    const m = scriptedModel(() => ({ text: 'Add poison.' }));
    const out = await pipeline(m, [bestOfN({ n: 2, scorer: byLength }), safety({ guard, input: false, refusal: 'No.' })]).generate(user('q'));
    expect(out).toMatchObject({ text: 'No.', finishReason: 'refused', refused: true });
    expect(out.report).toMatchObject({ refused: true, chosen: null, reasons: [BLOCK, BLOCK] });
    expect(out.report.candidates.map((c) => c.reasons)).toEqual([[BLOCK], [BLOCK]]);
  });
});
