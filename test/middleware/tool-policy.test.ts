// toolPolicy: each kind of violation, each onViolation, plain and streamed; best-of-n over
// tool-call candidates picks a valid call; the winner is scored once.
import { describe, expect, it } from 'vitest';
import { turnText } from '../../src/content.js';
import { GuardrailError, ValidationError } from '../../src/errors.js';
import { bestOfN, pipeline, scoreThreshold, scorerFromFunction, toolPolicy, type ChatRequest, type PipelineEvent, type Tool, type ToolCall } from '../../src/index.js';
import { call, drain, scriptedModel } from '../pipeline/test-model.js';

const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;
const WEATHER: Tool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string', minLength: 1 } }, required: ['city'], additionalProperties: false } } };
const DELETE: Tool = { type: 'function', function: { name: 'delete_files', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } };
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER, DELETE], ...extra });
const raw = (name: string, args: string, id = `call_${name}`): ToolCall => ({ id, type: 'function', function: { name, arguments: args } });
const good = call('get_weather', { city: 'Paris' }, 'good');

describe('toolPolicy: kinds of violation', () => {
  const cases: Array<[string, ToolCall[], NonNullable<Parameters<typeof toolPolicy>[0]>, string]> = [
    ['unknown-tool', [call('launch', {})], {}, 'tool "launch" was not offered (offered: get_weather, delete_files)'],
    ['denied', [call('delete_files', { path: '/' })], { deny: ['delete_files'] }, 'tool "delete_files" is not allowed by the tool policy'],
    ['denied', [call('delete_files', { path: '/' })], { allow: ['get_weather'] }, 'tool "delete_files" is not allowed by the tool policy'],
    ['invalid-json', [raw('get_weather', '{"city": "Paris"')], {}, 'the arguments of "get_weather" are not valid JSON (16 characters)'],
    ['schema', [call('get_weather', { town: 'Paris' })], {}, 'the arguments of "get_weather" do not match its schema'],
    ['max-calls', [good, call('get_weather', { city: 'Rome' }, 'second')], { maxCalls: 1 }, 'at most 1 tool call per answer are allowed'],
    ['check', [call('delete_files', { path: '/' })], { check: (_c, { args }) => ((args as { path: string }).path === '/' ? 'deleting / is never allowed' : true) }, 'deleting / is never allowed'],
  ];

  for (const [kind, calls, policy, message] of cases) {
    it(`${kind}${policy.allow ? ' (allow)' : ''}: refused with the violation in the report, plain and streamed`, async () => {
      const model = scriptedModel(() => ({ text: '', toolCalls: calls }));
      const guarded = pipeline(model, [toolPolicy({ ...policy, onViolation: 'refuse', refusal: 'No.' })]);
      const out = await guarded.generate(ask());
      expect(out).toMatchObject({ text: 'No.', refused: true });
      expect(out.toolCalls).toBeUndefined();
      expect(out.report.toolViolations).toHaveLength(1);
      expect(out.report.toolViolations![0]).toMatchObject({ candidate: 0, kind, call: calls.at(-1) });
      expect(out.report.toolViolations![0]!.message).toContain(message);
      const events = await drain(guarded.stream(ask()));
      expect(events.filter((e) => e.type === 'tool-call' || e.type === 'tool-call-delta')).toEqual([]);
      expect(events.filter((e) => e.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'No.' }]);
      expect(finishOf(events).report.toolViolations?.[0]).toMatchObject({ kind });
    });
  }

  it('a valid call and a text answer pass untouched; check sees the tool and the parsed arguments', async () => {
    const seen: unknown[] = [];
    const model = scriptedModel((_r, i) => (i === 0 ? { text: '', toolCalls: [good] } : { text: 'Just text.' }));
    const guarded = pipeline(model, [toolPolicy({ check: (c, ctx) => void seen.push([c.id, ctx.tool?.function.name, ctx.args]) })]);
    expect((await guarded.generate(ask())).toolCalls).toEqual([good]);
    expect(seen).toEqual([['good', 'get_weather', { city: 'Paris' }]]);
    expect(await guarded.generate(ask())).toMatchObject({ text: 'Just text.', refused: false });
    expect(model.requests).toHaveLength(2);
  });
});

describe('toolPolicy: onViolation', () => {
  it("'resample' asks again with the violation as feedback and returns the valid call (plain and streamed)", async () => {
    const model = scriptedModel((req) => (req.messages.some((m) => m.role === 'tool') ? { text: '', toolCalls: [good] } : { text: 'Let me check. ', toolCalls: [call('get_weather', { town: 'Paris' }, 'bad')] }));
    const guarded = pipeline(model, [toolPolicy()]);
    const out = await guarded.generate(ask({ seed: 5 }));
    expect(out).toMatchObject({ refused: false, toolCalls: [good] });
    const retry = model.requests[1]!;
    expect(retry.seed).toBe(6);
    expect(retry.messages.at(-2)).toEqual({ role: 'assistant', content: 'Let me check. ', tool_calls: [call('get_weather', { town: 'Paris' }, 'bad')] });
    expect(retry.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'bad' });
    expect(String(retry.messages.at(-1)!.content)).toMatch(/^Not run: the arguments of "get_weather" do not match its schema: .*city.*Fix the call and try again\.$/);
    expect(out.report.toolViolations).toEqual([expect.objectContaining({ candidate: 0, kind: 'schema' })]);
    expect(out.report.chosen).toBe(1);
    expect(out.report.candidates.map((c) => c.labels)).toEqual([{ resample: 0 }, { resample: 1 }]);
    // Streamed: only the accepted attempt's events go out.
    const events = await drain(guarded.stream(ask()));
    const shown = events.filter((e) => e.type === 'text-delta' || e.type === 'tool-call');
    expect(shown).toEqual([{ type: 'tool-call', index: 0, toolCall: good }]);
  });

  it("'resample' is bounded: after maxResamples it refuses", async () => {
    const model = scriptedModel(() => ({ text: '', toolCalls: [raw('get_weather', 'not json')] }));
    const out = await pipeline(model, [toolPolicy({ maxResamples: 1, refusal: 'No.' })]).generate(ask());
    expect(out).toMatchObject({ refused: true, text: 'No.' });
    expect(model.requests).toHaveLength(2);
    expect(out.report.toolViolations?.map((v) => v.candidate)).toEqual([0, 1]);
    expect(out.report.reasons.at(-1)!.reason).toMatch(/no valid answer in 2 attempts, refusing$/);
  });

  it("'throw' throws GuardrailError with the report", async () => {
    const model = scriptedModel(() => ({ text: '', toolCalls: [call('delete_files', { path: '/' })] }));
    const error = await pipeline(model, [toolPolicy({ deny: ['delete_files'], onViolation: 'throw' })]).generate(ask()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardrailError);
    expect((error as GuardrailError).report.toolViolations?.[0]).toMatchObject({ kind: 'denied' });
  });

  it('options are validated with the key named', () => {
    expect(() => toolPolicy({ onViolation: 'ignore' as never })).toThrow(ValidationError);
    expect(() => toolPolicy({ maxCalls: 0 })).toThrow(/maxCalls/);
    expect(() => toolPolicy({ check: 'no' as never })).toThrow(/check: expected a function/);
  });
});

describe('best-of-n over tool calls', () => {
  // Broken candidates score highest, so only the policy keeps them from winning.
  const replies = [
    { text: '', toolCalls: [raw('get_weather', '{"city": ')] },
    { text: '', toolCalls: [call('get_weather', { town: 'Paris' })] },
    { text: '', toolCalls: [good] },
    { text: 'It is probably sunny.' },
  ];
  const byLength = scorerFromFunction((c) => turnText(c.at(-1)!).length);
  const inverse = scorerFromFunction((c) => (c.at(-1)!.tool_calls?.[0]?.id === 'good' ? 1 : 50));

  it('a candidate breaking the policy loses to any valid one (plain and streamed)', async () => {
    const model = () => scriptedModel((req) => replies[req.seed!]!);
    for (const stream of [false, true]) {
      const guarded = pipeline(model(), [bestOfN({ n: 3, scorer: inverse, sampling: { seed: 0 } }), toolPolicy({ onViolation: 'refuse' })]);
      const out = stream ? finishOf(await drain(guarded.stream(ask()))) : await guarded.generate(ask());
      expect(out.toolCalls, String(stream)).toEqual([good]);
      expect(out.report.toolViolations?.map((v) => v.kind).sort()).toEqual(['invalid-json', 'schema']);
      expect(out.report.refused).toBe(false);
    }
    // A valid text answer beats broken calls too.
    const text = await pipeline(scriptedModel((req) => replies[[0, 1, 3][req.seed!]!]!), [bestOfN({ n: 3, scorer: byLength, sampling: { seed: 0 } }), toolPolicy({ onViolation: 'refuse' })]).generate(ask());
    expect(text).toMatchObject({ text: 'It is probably sunny.', refused: false });
  });

  it('local and function scorers get the request tools; each distinct answer, the winner too, is scored once under a threshold', async () => {
    const scored: string[] = [];
    const seenTools: unknown[] = [];
    const scorer = scorerFromFunction((c, options) => {
      scored.push(turnText(c.at(-1)!));
      seenTools.push((options as { tools?: unknown }).tools);
      return c.at(-1)!.tool_calls?.[0]?.id === 'good' ? 3 : 1;
    });
    const model = scriptedModel((req) => replies[[2, 2, 3][req.seed!]!]!);
    const out = await pipeline(model, [scoreThreshold({ scorer, min: 2 }), bestOfN({ n: 3, scorer, sampling: { seed: 0 } })]).generate(ask());
    expect(out.toolCalls).toEqual([good]);
    // Two distinct answers among three candidates; the threshold scores none again.
    expect(scored).toHaveLength(2);
    expect(seenTools.every((t) => JSON.stringify(t) === JSON.stringify([WEATHER, DELETE]))).toBe(true);
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([3, 3, 1]);
  });
});
