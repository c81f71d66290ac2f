import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { toChatRequest } from '../../src/integrations/openai-wire.js';
import { ChatRequestSchema } from '../../src/types.js';

function issuesOf(body: unknown): Array<{ path: string; message: string }> {
  try {
    toChatRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const call = { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

describe('toChatRequest', () => {
  it('maps an OpenAI body onto a ChatRequest, keeping every field as sent', () => {
    const image = { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } };
    const wire = toChatRequest({
      model: 'm',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', name: 'ada', content: [{ type: 'text', text: 'Hello ' }, image, { type: 'future_part', data: 1 }] },
        { role: 'assistant', content: null, tool_calls: [call], reasoning_content: 'Paris needs a lookup.', refusal: null },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'assistant', content: null, tool_calls: [] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      max_tokens: 10,
      max_completion_tokens: 20,
      seed: 7,
      stop: ['\n'],
      n: 1,
      stream: true,
      stream_options: { include_usage: true },
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      logprobs: true,
      top_logprobs: 2,
      reasoning_effort: 'low',
      nvext: { top_k: 4 },
      user: 'u1',
    });
    expect(wire).toEqual({
      stream: true,
      includeUsage: true,
      request: {
        model: 'm',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', name: 'ada', content: [{ type: 'text', text: 'Hello ' }, image, { type: 'future_part', data: 1 }] },
          { role: 'assistant', content: null, tool_calls: [call], reasoning: 'Paris needs a lookup.' },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
          { role: 'assistant', content: '' },
        ],
        temperature: 0.5,
        top_p: 0.9,
        max_tokens: 10,
        max_completion_tokens: 20,
        seed: 7,
        stop: ['\n'],
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
        logprobs: true,
        top_logprobs: 2,
        reasoning_effort: 'low',
        extra: { nvext: { top_k: 4 }, user: 'u1' },
      },
    });
    // What it builds is a valid ChatRequest as it is.
    expect(ChatRequestSchema.safeParse(wire.request).success).toBe(true);
  });

  it('treats nulls as absent and can drop unknown fields', () => {
    const wire = toChatRequest({ messages: [{ role: 'user', content: 'Hi' }], temperature: null, stop: null, stream: null, tools: null, tool_choice: null, top_k: 3 }, { forwardUnknown: false });
    expect(wire).toEqual({ stream: false, includeUsage: false, request: { messages: [{ role: 'user', content: 'Hi' }] } });
  });

  it('names the bad paths', () => {
    expect(issuesOf({ messages: [] }).map((i) => i.path)).toEqual(['messages']);
    expect(issuesOf({ messages: [{ role: 'robot', content: 'x' }] })[0]!.path).toBe('messages[0].role');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], temperature: 3 })[0]!.path).toBe('temperature');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], stop: Array.from({ length: 17 }, () => 'x') })[0]!.path).toBe('stop');
    expect(issuesOf('not an object')[0]!.path).toBe('');
  });

  it('says in words what was wrong, not only where (zod/mini loads no locale)', () => {
    const messages = (m: unknown) => issuesOf({ model: 'm', messages: [m] })[0]!.message;
    expect(messages({ role: 'user', content: 42 })).toBe('Invalid input: expected string, array or null, received number');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], temperature: 3 })[0]!.message).toMatch(/^Too big: expected number to be <=\s?2$/i);
    expect(issuesOf({ model: 'm' })[0]).toEqual({ path: 'messages', message: 'Invalid input: expected array, received undefined' });
  });

  it('names the exact path of a broken content part, tool call or tool', () => {
    const user = (content: unknown) => ({ messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, content] }] });
    expect(issuesOf(user({ type: 'image_url', image_url: { url: '' } }))[0]!.path).toBe('messages[0].content[1].image_url.url');
    expect(issuesOf(user({ type: 'image_url' }))[0]!.path).toBe('messages[0].content[1].image_url');
    expect(issuesOf(user({ type: 'input_audio', input_audio: { data: 'x' } }))[0]!.path).toBe('messages[0].content[1].input_audio.format');
    const badCall = { messages: [{ role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'f' } }] }] };
    expect(issuesOf(badCall)[0]!.path).toBe('messages[0].tool_calls[0].function.arguments');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] })[0]!.path).toBe('tools[0].function.name');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], tool_choice: 'sometimes' })[0]!.path).toBe('tool_choice');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], top_logprobs: 21 })[0]!.path).toBe('top_logprobs');
  });

  it('checks the turn rules: tool turns answer a call, only assistants call tools', () => {
    expect(issuesOf({ messages: [{ role: 'tool', content: '21' }] })[0]).toMatchObject({ path: 'messages[0].tool_call_id', message: expect.stringMatching(/tool_call_id/) });
    expect(issuesOf({ messages: [{ role: 'user', content: 'x', tool_calls: [call] }] })[0]!.path).toBe('messages[0].tool_calls');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x', tool_call_id: 'c' }] })[0]!.path).toBe('messages[0].tool_call_id');
    expect(issuesOf({ messages: [{ role: 'user', content: null }] })[0]!.path).toBe('messages[0].content');
  });

  it('refuses what the pipeline cannot honour: n > 1 and legacy functions', () => {
    const n = issuesOf({ messages: [{ role: 'user', content: 'x' }], n: 2 });
    expect(n[0]).toMatchObject({ path: 'n' });
    expect(n[0]!.message).toMatch(/bestOfN/);
    const functions = issuesOf({ messages: [{ role: 'user', content: 'x' }], functions: [{ name: 'f' }] });
    expect(functions[0]).toMatchObject({ path: 'functions', message: expect.stringMatching(/use `tools`/) });
    // An empty tools list asks for nothing and passes.
    expect(toChatRequest({ messages: [{ role: 'user', content: 'x' }], tools: [] }).request).toEqual({ messages: [{ role: 'user', content: 'x' }], tools: [] });
  });
});
