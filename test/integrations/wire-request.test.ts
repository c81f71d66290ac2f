import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { toChatRequest } from '../../src/integrations/openai-wire.js';

function issuesOf(body: unknown): Array<{ path: string; message: string }> {
  try {
    toChatRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

describe('toChatRequest', () => {
  it('maps an OpenAI body onto a ChatRequest', () => {
    const wire = toChatRequest({
      model: 'm',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }] },
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
      nvext: { top_k: 4 },
      user: 'u1',
      tool_choice: 'none',
    });
    expect(wire).toEqual({
      stream: true,
      includeUsage: true,
      request: {
        model: 'm',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello there' },
          { role: 'assistant', content: '' },
        ],
        temperature: 0.5,
        top_p: 0.9,
        max_tokens: 20,
        seed: 7,
        stop: ['\n'],
        extra: { nvext: { top_k: 4 }, user: 'u1' },
      },
    });
  });

  it('treats nulls as absent and can drop unknown fields', () => {
    const wire = toChatRequest({ messages: [{ role: 'user', content: 'Hi' }], temperature: null, stop: null, stream: null, top_k: 3 }, { forwardUnknown: false });
    expect(wire).toEqual({ stream: false, includeUsage: false, request: { messages: [{ role: 'user', content: 'Hi' }] } });
  });

  it('names the bad paths', () => {
    expect(issuesOf({ messages: [] }).map((i) => i.path)).toEqual(['messages']);
    expect(issuesOf({ messages: [{ role: 'robot', content: 'x' }] })[0]!.path).toBe('messages[0].role');
    expect(issuesOf({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })[0]!.path).toMatch(/^messages\[0\]\.content/);
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], temperature: 3 })[0]!.path).toBe('temperature');
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], stop: Array.from({ length: 17 }, () => 'x') })[0]!.path).toBe('stop');
    expect(issuesOf('not an object')[0]!.path).toBe('');
  });

  it('refuses what a text pipeline cannot honour: n > 1 and tools', () => {
    const n = issuesOf({ messages: [{ role: 'user', content: 'x' }], n: 2 });
    expect(n[0]).toMatchObject({ path: 'n' });
    expect(n[0]!.message).toMatch(/bestOfN/);
    expect(issuesOf({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] })[0]!.path).toBe('tools');
    // An empty tools list asks for nothing and passes.
    expect(toChatRequest({ messages: [{ role: 'user', content: 'x' }], tools: [] }).request.extra).toBeUndefined();
  });
});
