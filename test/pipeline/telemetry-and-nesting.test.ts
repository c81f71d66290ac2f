import { trace } from '@opentelemetry/api';
import { recordingProvider, type Recorded } from '../helpers/span-recorder.js';
import { describe, expect, it } from 'vitest';
import { bestOfN, guardFromFunction, pipeline, safety, scoreThreshold, scorerFromFunction, type PipelineEvent } from '../../src/index.js';
import { drain, scriptedModel, user } from './test-model.js';
import { messageText } from '../../src/content.js';

describe('OpenTelemetry spans', () => {
  it('names spans after the GenAI conventions and nests upstream calls under the pipeline span', async () => {
    const spans: Recorded[] = [];
    trace.setGlobalTracerProvider(recordingProvider(spans));
    const model = scriptedModel(() => ({ text: 'a b' }));
    const guarded = pipeline(model, [bestOfN({ n: 2, scorer: scorerFromFunction(() => 1) })], { modelName: 'my-model' });
    await new Promise((r) => setTimeout(r, 20)); // the optional peer loads lazily
    await guarded.generate(user('hi'));
    // A stream the caller stops reading early still ends its spans (the tracer is cached once, so
    // this reuses the provider above).
    const chunks = ['One. ', 'Two. ', 'Three. '];
    const streamed = pipeline(scriptedModel(() => ({ text: chunks.join(''), chunks })), [safety({ guard: guardFromFunction(() => true), input: false })]);
    for await (const event of streamed.stream(user('hi'))) if (event.type === 'text-delta') break;
    const early = spans.splice(3);
    trace.disable();
    expect(early).toHaveLength(2);
    expect(early.every((s) => s.ended)).toBe(true);
    expect(spans.map((s) => s.name)).toEqual(['chat my-model', 'chat my-model', 'chat my-model']);
    const [top, ...calls] = spans;
    expect(top!.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'my-model', 'rewardgate.pipeline': 'bestOfN', 'rewardgate.candidates': 2 });
    for (const c of calls) {
      expect(c.parent).toBe(top);
      expect(c.attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.finish_reasons': ['stop'] });
    }
    expect(spans.every((s) => s.ended)).toBe(true);
  });
});

describe('nested middleware', () => {
  it('safety > scoreThreshold > bestOfN: every candidate of every attempt is in the report', async () => {
    // Candidates answer "s<seed>". With seed 0, attempt k's candidate i gets seed 3 * (k - 1) + i:
    // attempt 1 samples s0 s1 s2, attempt 2 s3 s4 s5, and s5 reaches the bar.
    const model = scriptedModel((req) => ({ text: `s${req.seed}` }));
    const scorer = scorerFromFunction((c) => Number(messageText(c.at(-1)!).slice(1)));
    const guarded = pipeline(model, [
      safety({ guard: guardFromFunction(() => true) }),
      scoreThreshold({ scorer, min: 5, maxAttempts: 3 }),
      bestOfN({ n: 3, scorer }),
    ]);
    const out = await guarded.generate({ ...user('q'), seed: 0 });
    expect(out.text).toBe('s5');
    expect(out.report.candidates.map((c) => [c.labels.attempt, c.labels.sample, c.text])).toEqual([
      [1, 0, 's0'], [1, 1, 's1'], [1, 2, 's2'],
      [2, 0, 's3'], [2, 1, 's4'], [2, 2, 's5'],
    ]);
    expect(out.report.chosen).toBe(5);
    expect(out.report.verdicts.map((v) => v.rail)).toEqual(['input', 'output']);
    expect(out.report.verdicts[1]!.candidate).toBe(5);
  });

  it('aborting a best-of-n stream cancels every candidate', async () => {
    const model = scriptedModel(() => ({ text: 'slow', delayMs: 10_000 }));
    const guarded = pipeline(model, [bestOfN({ n: 4, scorer: scorerFromFunction(() => 1) })]);
    const seen: PipelineEvent['type'][] = [];
    for await (const e of guarded.stream(user('q'))) {
      seen.push(e.type);
      if (seen.filter((t) => t === 'candidate-start').length === 4) break;
    }
    expect(model.aborted).toBe(4);
  });

  it('streams a pass-through pipeline with the text as the model sent it', async () => {
    const model = scriptedModel(() => ({ text: 'héllo 👋 world', chunks: ['hé', 'llo 👋', ' world'] }));
    const events = await drain(pipeline(model, []).stream(user('q')));
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text)).toEqual(['hé', 'llo 👋', ' world']);
  });
});
