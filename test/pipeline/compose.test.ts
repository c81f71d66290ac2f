import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bestOfN, pipeline, RewardgateError, safety, scoreThreshold, scorerFromFunction, UserAbortError, ValidationError, type Middleware, type PipelineEvent } from '../../src/index.js';
import { drain, scriptedModel, user } from './test-model.js';

const tag = (name: string, log: string[]): Middleware => ({
  name,
  async generate(ctx, next) {
    log.push(`${name}:in`);
    const c = await next({ ...ctx.request, messages: [...ctx.request.messages, { role: 'system', content: name }] });
    log.push(`${name}:out`);
    return { ...c, text: `${name}(${c.text})` };
  },
  async *stream(ctx, next) {
    log.push(`${name}:in`);
    for await (const e of next()) yield e.type === 'text-delta' ? { type: 'text-delta', text: e.text.toUpperCase() } : e;
    log.push(`${name}:out`);
  },
});

describe('pipeline composition', () => {
  it('runs middleware as an onion, first listed outermost, on generate', async () => {
    const log: string[] = [];
    const model = scriptedModel(() => ({ text: 'x' }));
    const out = await pipeline(model, [tag('a', log), tag('b', log)]).generate(user('hi'));
    expect(log).toEqual(['a:in', 'b:in', 'b:out', 'a:out']);
    expect(out.text).toBe('a(b(x))');
    // Requests change on the way in, in the same order.
    expect(model.requests[0]!.messages.map((m) => m.content)).toEqual(['hi', 'a', 'b']);
  });

  it('runs the same order on stream', async () => {
    const log: string[] = [];
    const model = scriptedModel(() => ({ text: 'ab', chunks: ['a', 'b'] }));
    const events = await drain(pipeline(model, [tag('a', log), tag('b', log)]).stream(user('hi')));
    expect(log).toEqual(['a:in', 'b:in', 'b:out', 'a:out']);
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text)).toEqual(['A', 'B']);
  });

  it('refuses a second next() unless the middleware declares calls: many', async () => {
    const twice = (calls?: 'many'): Middleware => ({
      name: 'twice',
      ...(calls ? { calls } : {}),
      async generate(_ctx, next) {
        await next();
        return next();
      },
    });
    const model = scriptedModel(() => ({ text: 'x' }));
    await expect(pipeline(model, [twice()]).generate(user('hi'))).rejects.toThrow(/"twice" called next\(\) more than once/);
    expect(model.requests).toHaveLength(1);
    const ok = await pipeline(model, [twice('many')]).generate(user('hi'));
    expect(ok.report.candidates).toHaveLength(2);
    expect(ok.report.chosen).toBe(1);
  });

  it('lets a middleware answer without calling next (zero calls)', async () => {
    const model = scriptedModel(() => ({ text: 'x' }));
    const canned: Middleware = { name: 'canned', generate: async () => ({ text: 'cached', finishReason: 'stop' }) };
    const out = await pipeline(model, [canned]).generate(user('hi'));
    expect(out.text).toBe('cached');
    expect(model.requests).toHaveLength(0);
    expect(out.report.chosen).toBeNull();
    // A generate-only middleware also works on the stream path.
    const events = await drain(pipeline(model, [canned]).stream(user('hi')));
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'finish']);
  });

  it('rejects bad configuration when the pipeline is built, naming the key', () => {
    const scorer = scorerFromFunction(() => 1);
    const model = scriptedModel(() => ({ text: 'x' }));
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('expected a throw');
    };
    const e1 = error(() => bestOfN({ n: 0, scorer }));
    expect(e1).toBeInstanceOf(ValidationError);
    expect(e1.issues[0]!.path).toBe('n');
    expect(e1.message).toMatch(/Invalid bestOfN options: n:/);
    expect(error(() => bestOfN({ n: 2, scorer: {} as never })).issues[0]!.path).toBe('scorer');
    expect(error(() => scoreThreshold({ scorer, min: 1, minMargin: 1 })).message).toMatch(/min: give exactly one of min and minMargin/);
    expect(error(() => scoreThreshold({ scorer, min: 1, onReject: 'ignore' as never })).issues[0]!.path).toBe('onReject');
    expect(error(() => safety({ guard: { check: async () => ({ safe: true, categories: [] }) }, holdBack: -3 })).issues[0]!.path).toBe('holdBack');
    expect(error(() => safety({ guard: { check: async () => ({ safe: true, categories: [] }) }, categories: ['bogus' as never] })).issues[0]!.path).toBe('categories[0]');
    expect(error(() => pipeline(model, [{ name: '' } as Middleware])).issues[0]!.path).toBe('middleware[0].name');
    expect(error(() => pipeline({} as never, [])).issues[0]!.path).toMatch(/^model/);
  });

  it('validates each request before any middleware runs', async () => {
    const model = scriptedModel(() => ({ text: 'x' }));
    await expect(pipeline(model, []).generate({ messages: [] })).rejects.toThrow(ValidationError);
    expect(model.requests).toHaveLength(0);
  });

  it('returns a JSON-serialisable report of the call', async () => {
    const model = scriptedModel(() => ({ text: 'hello there' }));
    const out = await pipeline(model, []).generate(user('hi'));
    const report = JSON.parse(JSON.stringify(out.report));
    expect(report).toEqual(out.report);
    expect(report.candidates[0]).toMatchObject({ index: 0, text: 'hello there', finishReason: 'stop', cancelled: false, usage: { completionTokens: 2 } });
    expect(report.chosen).toBe(0);
    expect(out.refused).toBe(false);
  });

  it('sends events to onEvent and interleaves them into the stream', async () => {
    const seen: PipelineEvent[] = [];
    const model = scriptedModel(() => ({ text: 'one two', chunks: ['one ', 'two'] }));
    const guarded = pipeline(model, [], { onEvent: (e) => seen.push(e) });
    const events = await drain(guarded.stream(user('hi')));
    expect(events.map((e) => e.type)).toEqual(['candidate-start', 'text-delta', 'text-delta', 'candidate', 'finish']);
    expect(seen.map((e) => e.type)).toEqual(['candidate-start', 'candidate', 'finish']);
    const finish = events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>;
    expect(finish.completion.text).toBe('one two');
    expect(finish.completion.report.chosen).toBe(0);
  });

  it('keeps going when an onEvent callback throws', async () => {
    const model = scriptedModel(() => ({ text: 'fine' }));
    const out = await pipeline(model, [], {
      onEvent: () => {
        throw new Error('logger broke');
      },
    }).generate(user('hi'));
    expect(out.text).toBe('fine');
  });

  it('cancels the upstream call when the caller breaks out, leaving no listener', async () => {
    const model = scriptedModel(() => ({ text: 'a b c', chunks: ['a ', 'b ', 'c'] }));
    const controller = new AbortController();
    const seen: PipelineEvent[] = [];
    for await (const e of pipeline(model, [], { onEvent: (ev) => seen.push(ev) }).stream(user('hi'), { signal: controller.signal })) {
      if (e.type === 'text-delta') break;
    }
    expect(model.aborted).toBe(1);
    expect(model.completed).toBe(0);
    const candidate = seen.find((e) => e.type === 'candidate') as Extract<PipelineEvent, { type: 'candidate' }>;
    expect(candidate.candidate).toMatchObject({ cancelled: true, text: 'a ' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('turns a caller abort into UserAbortError and leaves no listener on a reused signal', async () => {
    const model = scriptedModel(() => ({ text: 'slow', delayMs: 10_000 }));
    const controller = new AbortController();
    const guarded = pipeline(model, [bestOfN({ n: 3, scorer: scorerFromFunction(() => 1) })]);
    const quick = pipeline(scriptedModel(() => ({ text: 'ok' })), [bestOfN({ n: 3, scorer: scorerFromFunction(() => 1) })]);
    for (let i = 0; i < 5; i++) await quick.generate(user('hi'), { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const pending = guarded.generate(user('hi'), { signal: controller.signal });
    setTimeout(() => controller.abort('stop'), 5);
    const error = await pending.catch((e) => e);
    expect(error).toBeInstanceOf(UserAbortError);
    expect(model.aborted).toBe(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('surfaces a model failure as the error it is', async () => {
    const model = scriptedModel(() => ({ text: '', fail: new RewardgateError('boom') }));
    await expect(pipeline(model, []).generate(user('hi'))).rejects.toThrow('boom');
    await expect(drain(pipeline(model, []).stream(user('hi')))).rejects.toThrow('boom');
  });
});
