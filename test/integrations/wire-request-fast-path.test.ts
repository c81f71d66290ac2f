// toChatRequest checks the common body by hand and sends anything else to zod: the two must agree.
// For every body: the hand check passes only bodies the schema accepts, and then the request is
// the one zod's output gives; a body the schema refuses throws the same ValidationError as before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { OpenAIChatBodySchema, toChatRequest } from '../../src/integrations/openai-wire.js';
import { isPlainChatBody } from '../../src/integrations/wire/request-check.js';
import { fromChatBody } from '../../src/integrations/wire/request.js';
import { tryParse } from '../../src/internal/validate.js';

const user = { role: 'user', content: 'Say hello.' };

// Bodies the hand check takes as they are.
const plain: unknown[] = [
  { model: 'fake-model', stream: false, messages: [user] },
  { messages: [user] },
  { model: 'm', stream: true, stream_options: { include_usage: true, extra_flag: 1 }, messages: [{ role: 'system', content: 'Be brief.' }, user] },
  { model: 'm', messages: [{ role: 'developer', content: 'Rules.' }, { role: 'user', content: 'Hi', name: 'ada' }, { role: 'assistant', content: 'Hello', reasoning_content: 'greet back' }, { role: 'user', content: '' }] },
  { model: 'm', messages: [{ role: 'assistant', content: 'x', reasoning: 'r', reasoning_content: null, tool_calls: null, refusal: null, audio: null }] },
  { model: 'm', messages: [user], temperature: 0, top_p: 1, max_tokens: 1, max_completion_tokens: 4096, seed: -3, stop: ['\n', 'END'], n: 1, logprobs: true, top_logprobs: 0, parallel_tool_calls: false, reasoning_effort: 'minimal' },
  { model: 'm', messages: [user], temperature: 2, top_p: 0.01, stop: 'STOP', top_logprobs: 20, reasoning_effort: 'none' },
  { model: 'm', messages: [user], temperature: null, top_p: null, max_tokens: null, seed: null, stop: null, n: null, stream: null, stream_options: null, tools: null, tool_choice: null, response_format: null, functions: null, logprobs: null, top_logprobs: null, reasoning_effort: null },
  { model: 'm', messages: [user], nvext: { top_k: 4 }, user: 'u1', function_call: 'none', metadata: { a: [1, 2] } },
  { model: 'm', messages: [user], stop: [] },
];

// Bodies that go to zod: valid ones it maps, invalid ones it names.
const toZod: unknown[] = [
  { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
  { model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }] },
  { model: 'm', messages: [{ role: 'assistant', content: 'x', tool_calls: [] }] },
  { model: 'm', messages: [{ role: 'tool', tool_call_id: 'c1', content: '{}' }] },
  { model: 'm', messages: [{ role: 'assistant' }] },
  { model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] },
  { model: 'm', messages: [user], tool_choice: 'auto' },
  { model: 'm', messages: [user], response_format: { type: 'json_object' } },
  { model: 'm', messages: [user], functions: [] },
  // Refused by the schema.
  { model: 'm', messages: [] },
  { model: 'm' },
  { model: '', messages: [user] },
  { model: null, messages: [user] },
  { model: 3, messages: [user] },
  { model: 'm', messages: [{ role: 'bot', content: 'x' }] },
  { model: 'm', messages: [{ role: 'user', content: 'x', name: null }] },
  { model: 'm', messages: [{ role: 'user', content: null }] },
  { model: 'm', messages: [{ role: 'user', content: 'x', tool_call_id: 'c1' }] },
  { model: 'm', messages: [{ role: 'user', content: 'x', reasoning: 5 }] },
  { model: 'm', messages: [user, 'hello'] },
  { model: 'm', messages: [user], temperature: 2.5 },
  { model: 'm', messages: [user], temperature: -0.1 },
  { model: 'm', messages: [user], temperature: '1' },
  { model: 'm', messages: [user], temperature: Number.NaN },
  { model: 'm', messages: [user], temperature: Number.POSITIVE_INFINITY },
  { model: 'm', messages: [user], top_p: 0 },
  { model: 'm', messages: [user], top_p: 1.5 },
  { model: 'm', messages: [user], max_tokens: 0 },
  { model: 'm', messages: [user], max_tokens: 1.5 },
  { model: 'm', messages: [user], max_completion_tokens: -1 },
  { model: 'm', messages: [user], seed: 0.5 },
  { model: 'm', messages: [user], seed: 2 ** 60 },
  { model: 'm', messages: [user], stop: Array.from({ length: 17 }, () => 'x') },
  { model: 'm', messages: [user], stop: [1] },
  { model: 'm', messages: [user], n: 2 },
  { model: 'm', messages: [user], stream: 'yes' },
  { model: 'm', messages: [user], stream_options: [] },
  { model: 'm', messages: [user], stream_options: { include_usage: 'yes' } },
  { model: 'm', messages: [user], logprobs: 1 },
  { model: 'm', messages: [user], top_logprobs: 21 },
  { model: 'm', messages: [user], parallel_tool_calls: 'no' },
  { model: 'm', messages: [user], reasoning_effort: 'max' },
  { model: 'm', messages: [user], functions: [{ name: 'f' }] },
  // Not a plain JSON object: zod reads it its own way.
  JSON.parse('{"__proto__": {"model": "x"}, "messages": [{"role": "user", "content": "hi"}]}'),
  Object.assign(Object.create({ model: 'inherited' }), { messages: [user] }),
  [user],
  null,
  'body',
];

// The request either path gives, or the ValidationError's issues.
function outcome(run: () => unknown): unknown {
  try {
    return { ok: run() };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { issues: (error as ValidationError).issues };
  }
}

function expectSameAsZod(body: unknown): void {
  const parsed = tryParse(OpenAIChatBodySchema, body);
  if (isPlainChatBody(body)) expect(parsed.success).toBe(true);
  for (const options of [{}, { forwardUnknown: false }]) {
    const viaZod = outcome(() => {
      if (!parsed.success) throw ValidationError.fromZod('chat completion request', parsed.error);
      return fromChatBody(parsed.data, options);
    });
    expect(outcome(() => toChatRequest(body, options))).toEqual(viaZod);
  }
}

describe('toChatRequest fast path', () => {
  it('takes the common bodies without zod, with the request zod gives', () => {
    for (const body of plain) {
      expect(isPlainChatBody(body), JSON.stringify(body)).toBe(true);
      expectSameAsZod(body);
    }
  });

  it('sends every other body to zod: the same request, or the same issues', () => {
    for (const body of toZod) {
      expect(isPlainChatBody(body), JSON.stringify(body)).toBe(false);
      expectSameAsZod(body);
    }
  });

  it('never shares the body’s stop list with the request', () => {
    const body = { messages: [user], stop: ['\n'] };
    const { request } = toChatRequest(body);
    expect(request.stop).toEqual(['\n']);
    expect(request.stop).not.toBe(body.stop);
  });

  it('agrees with zod on generated bodies', () => {
    // Mostly absent fields and values near each bound, so that many bodies are plain and many just miss.
    const near = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.constantFrom(-1, 0, 0.5, 1, 1.5, 2, 2.5, 16, 20, 21, 2 ** 53),
      fc.double(),
      fc.constantFrom('', 'm', 'low', 'max', 'user'),
      fc.array(fc.string({ maxLength: 2 }), { maxLength: 18 }),
      fc.dictionary(fc.constantFrom('include_usage', 'x'), fc.oneof(fc.boolean(), fc.string())),
    );
    const value = fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: near });
    const content = fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 4 }) }, fc.constant(null), fc.constant(undefined), fc.constant([{ type: 'text', text: 'x' }]));
    const message = fc.record(
      { role: fc.constantFrom('system', 'developer', 'user', 'user', 'assistant', 'tool', 'bot'), content, name: value, tool_calls: fc.constantFrom(undefined, undefined, null, []), tool_call_id: fc.constantFrom(undefined, undefined, undefined, 'c1'), reasoning: value, reasoning_content: value, extra: value },
      { requiredKeys: ['role', 'content'] },
    );
    const keys = ['model', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'n', 'stream', 'stream_options', 'logprobs', 'top_logprobs', 'parallel_tool_calls', 'reasoning_effort', 'tools', 'functions', 'user'] as const;
    const body = fc.record({ messages: fc.array(message, { minLength: 1, maxLength: 3 }), ...Object.fromEntries(keys.map((k) => [k, value])) }, { requiredKeys: ['messages'] });
    let fast = 0;
    fc.assert(
      fc.property(body, (b) => {
        const json = JSON.parse(JSON.stringify(b));
        if (isPlainChatBody(json)) fast++;
        expectSameAsZod(json);
      }),
      { numRuns: 3000 },
    );
    // The run says something about both paths.
    expect(fast).toBeGreaterThan(100);
    expect(fast).toBeLessThan(2700);
  });
});
