import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, GuardrailError, guardFromFunction, pipeline, safety, type Middleware, type PipelineEvent, type Verdict } from '../../src/index.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { drain, scriptedModel, user } from '../pipeline/test-model.js';
import { turnText } from '../../src/content.js';

const unsafeIf = (word: string) =>
  guardFromFunction((c): Verdict => (turnText(c.at(-1)!).includes(word) ? { safe: false, categories: [{ category: 'violence', label: 'Violence' }] } : { safe: true, categories: [] }));
const deltas = (events: PipelineEvent[]) => events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text);
const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;

describe('safety: input rail', () => {
  it('blocks a prompt before any generation request, on generate and stream', async () => {
    const model = scriptedModel(() => ({ text: 'sure' }));
    const guarded = pipeline(model, [safety({ guard: unsafeIf('bomb'), refusal: 'Cannot help.' })]);
    const out = await guarded.generate(user('build a bomb'));
    expect(out).toMatchObject({ text: 'Cannot help.', refused: true, finishReason: 'refused' });
    expect(out.report.verdicts).toEqual([{ rail: 'input', by: 'safety', verdict: { safe: false, categories: [{ category: 'violence', label: 'Violence' }] } }]);
    expect(out.report.reasons[0]!.reason).toBe('input blocked: unsafe: violence (Violence)');
    const events = await drain(guarded.stream(user('build a bomb')));
    expect(deltas(events)).toEqual(['Cannot help.']);
    expect(model.requests).toHaveLength(0);
  });

  it('throws GuardrailError when asked to', async () => {
    const model = scriptedModel(() => ({ text: 'sure' }));
    const error = await pipeline(model, [safety({ guard: unsafeIf('bomb'), throwOnRefusal: true })]).generate(user('bomb')).catch((e) => e);
    expect(error).toBeInstanceOf(GuardrailError);
    expect(error.reason).toBe('refused');
    expect(error.report.refused).toBe(true);
  });

  it('blocks only the configured categories', async () => {
    const model = scriptedModel(() => ({ text: 'fine' }));
    const guard = guardFromFunction(() => ({ safe: false, categories: [{ category: 'profanity', label: 'Profanity' }] }));
    const lenient = await pipeline(model, [safety({ guard, categories: ['violence'], output: false })]).generate(user('damn'));
    expect(lenient.refused).toBe(false);
    const strict = await pipeline(model, [safety({ guard, categories: ['profanity'], output: false })]).generate(user('damn'));
    expect(strict.refused).toBe(true);
  });

  it('fails closed when the guard throws, or open when asked, and says so', async () => {
    const model = scriptedModel(() => ({ text: 'fine' }));
    const broken = { check: async () => Promise.reject(new Error('guard down')) };
    const closed = await pipeline(model, [safety({ guard: broken })]).generate(user('hi'));
    expect(closed.refused).toBe(true);
    // Any failure of a guard of yours that is not a GuardError counts as unavailable.
    expect(closed.report.verdicts[0]!.guardError).toEqual({ name: 'Error', message: 'guard down', code: 'guard_unavailable' });
    expect(closed.report.reasons[0]).toMatchObject({ code: 'guard_unavailable' });
    expect(closed.report.reasons[0]!.reason).toMatch(/guard is unavailable \(guard down\); refusing/);
    expect(model.requests).toHaveLength(0);
    const open = await pipeline(model, [safety({ guard: broken, failMode: 'open' })]).generate(user('hi'));
    expect(open).toMatchObject({ text: 'fine', refused: false });
    expect(open.report.verdicts).toHaveLength(2);
  });
});

describe('safety: output rail', () => {
  it('refuses an unsafe answer and reports the verdict on the candidate', async () => {
    const model = scriptedModel(() => ({ text: 'here is the bomb recipe' }));
    const out = await pipeline(model, [safety({ guard: unsafeIf('bomb'), input: false })]).generate(user('hi'));
    expect(out.refused).toBe(true);
    expect(out.report.candidates[0]!.verdict?.safe).toBe(false);
    expect(out.report.verdicts[0]).toMatchObject({ rail: 'output', candidate: 0 });
  });

  it('reports an unparsable guard reply as failing closed', async () => {
    const model = scriptedModel(() => ({ text: 'hello' }));
    const guard = guardFromFunction(() => ({ safe: false, categories: [], raw: '???', failedToParse: true }));
    const out = await pipeline(model, [safety({ guard, input: false })]).generate(user('hi'));
    expect(out.refused).toBe(true);
    expect(out.report.reasons[0]!.reason).toBe('output blocked: unsafe; the guard reply could not be parsed; failing closed');
  });

  const word = 'BOMB';
  const answer = fc
    .tuple(fc.array(fc.constantFrom('Hi there. ', 'Mix it well! ', 'ok\n', 'Step one is easy. ', 'no '), { maxLength: 6 }), fc.boolean(), fc.array(fc.constantFrom('More text. ', 'fine '), { maxLength: 3 }))
    .map(([before, bad, after]) => before.join('') + (bad ? `then add the ${word} now. ` : '') + after.join(''));
  const chunking = (text: string) =>
    fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }).map((cuts) => {
      const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b);
      return points.slice(1).map((p, i) => text.slice(points[i], p));
    });

  it('never streams a byte of a blocked answer, whatever the chunking (property)', async () => {
    const holdBacks = fc.constantFrom<'sentence' | 'all' | number>('sentence', 'all', word.length, 12);
    await fc.assert(
      fc.asyncProperty(answer.chain((text) => fc.tuple(fc.constant(text), chunking(text), holdBacks)), async ([text, chunks, holdBack]) => {
        const model = scriptedModel(() => ({ text, chunks }));
        const events = await drain(pipeline(model, [safety({ guard: unsafeIf(word), input: false, refusal: 'REFUSED', holdBack })]).stream(user('q')));
        const out = deltas(events).join('');
        const final = finishOf(events);
        const at = text.indexOf(word);
        if (at === -1) {
          expect(out).toBe(text);
          expect(final.refused).toBe(false);
          return;
        }
        expect(final.refused).toBe(true);
        // What went out before the refusal is a prefix that ends before the blocked word,
        // and, in sentence mode, before the sentence that holds it; nothing at all with 'all'.
        const released = out.slice(0, out.lastIndexOf('REFUSED')).replace(/\n\n$/, '');
        expect(text.startsWith(released)).toBe(true);
        expect(released.length).toBeLessThanOrEqual(at);
        if (holdBack === 'all') expect(released).toBe('');
        if (holdBack === 'sentence') expect(released.length).toBeLessThanOrEqual(text.lastIndexOf('then add', at));
        expect(model.aborted + model.completed).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  it('stops the upstream stream when it blocks mid-answer', async () => {
    const chunks = ['Fine. ', 'Now the BOMB. ', 'More. ', 'More. '];
    const model = scriptedModel(() => ({ text: chunks.join(''), chunks }));
    const events = await drain(pipeline(model, [safety({ guard: unsafeIf('BOMB'), input: false, refusal: 'No.' })]).stream(user('q')));
    expect(deltas(events)).toEqual(['Fine.', '\n\nNo.']);
    expect(model.aborted).toBe(1);
    expect(finishOf(events).report.candidates[0]).toMatchObject({ cancelled: true, text: 'Fine. Now the BOMB. ' });
  });

  it('an outer rail passes on an inner refusal whole, after the text it released', async () => {
    const chunks = ['Fine. ', 'Now the BOMB. ', 'More. '];
    const model = scriptedModel(() => ({ text: chunks.join(''), chunks }));
    const outer = safety({ guard: unsafeIf('NOTHING'), input: false, refusal: 'Outer no.' });
    const inner = safety({ guard: unsafeIf('BOMB'), input: false, refusal: 'Inner refusal, sorry.' });
    const events = await drain(pipeline(model, [outer, inner]).stream(user('q')));
    expect(finishOf(events)).toMatchObject({ text: 'Inner refusal, sorry.', refused: true });
    const streamed = deltas(events).join('');
    expect(streamed.startsWith('Fine.')).toBe(true);
    expect(streamed.endsWith('\n\nInner refusal, sorry.')).toBe(true);
    expect(streamed).not.toContain('BOMB');
  });

  it('judges a finish text that differs from the streamed text, even at the same length', async () => {
    const model = scriptedModel(() => ({ text: 'Hello. ' }));
    // An inner layer whose final completion is not the concatenation of its deltas.
    const rewrite: Middleware = {
      name: 'rewrite',
      async *stream(_ctx, next) {
        for await (const e of next()) yield e.type === 'finish' ? { ...e, completion: { ...e.completion, text: 'BOMB!! ' } } : e;
      },
    };
    const events = await drain(pipeline(model, [safety({ guard: unsafeIf('BOMB'), input: false, refusal: 'No.' }), rewrite]).stream(user('q')));
    expect(finishOf(events)).toMatchObject({ text: 'No.', refused: true });
    expect(JSON.stringify(deltas(events))).not.toContain('BOMB');
  });
});

describe('safety: output rail over HTTP', () => {
  it('a block mid-stream aborts the HTTP request and leaves no listener on the caller signal', async () => {
    const server = await startOpenAIServer(() => ({ text: 'Fine start. Then the BOMB part. ' + 'And a long tail. '.repeat(40), chunkDelayMs: 2 }));
    try {
      const llm = createClient({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 }).chatModel('fake-model');
      const controller = new AbortController();
      const events = await drain(pipeline(llm, [safety({ guard: unsafeIf('BOMB'), input: false, refusal: 'No.' })]).stream(user('q'), { signal: controller.signal }));
      expect(deltas(events).join('')).toBe('Fine start.\n\nNo.');
      await expect.poll(() => server.aborted).toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
