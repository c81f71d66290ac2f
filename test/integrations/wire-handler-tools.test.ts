// createChatHandler (the web handler behind Next.js, Hono, Bun...) with tool-using requests:
// the request reaches the upstream as sent, answers come back in OpenAI's exact shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/create-client.js';
import { createChatHandler } from '../../src/integrations/openai-wire.js';
import type { ChatModel, StreamEvent } from '../../src/interfaces.js';
import type { Completion } from '../../src/types.js';
import { agentReply, TIME_TOOL, WEATHER_TOOL } from '../helpers/agent-upstream.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { openAIChunks } from '../helpers/sse.js';

let upstream: FakeOpenAIServer;
let handle: (request: Request) => Promise<Response>;
beforeAll(async () => {
  upstream = await startOpenAIServer((body) => ({ ...agentReply(body), logprobs: body.logprobs === true }));
  handle = createChatHandler(createClient({ baseURL: upstream.baseURL, maxRetries: 0 }).chatModel('fake-model'));
});
afterAll(() => upstream?.close());

const post = (body: unknown, to = handle) => to(new Request('http://localhost/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
const weatherCall = { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
const ask = { model: 'fake-model', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL, TIME_TOOL], tool_choice: 'required', parallel_tool_calls: false, max_completion_tokens: 50, reasoning_effort: 'minimal' };

describe('createChatHandler with tools', () => {
  it('forwards the request as sent and answers the call as OpenAI does', async () => {
    const before = upstream.requests.length;
    const res = await post(ask);
    expect(res.status).toBe(200);
    expect(upstream.requests[before]!.body).toEqual(ask);
    const body = await res.json();
    expect(body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: [weatherCall], reasoning_content: 'I need the weather first.' }, finish_reason: 'tool_calls', logprobs: null }]);
  });

  it('streams the call as deltas, then finish_reason tool_calls and [DONE]', async () => {
    const { chunks, done } = openAIChunks(await (await post({ ...ask, stream: true })).text());
    expect(done).toBe(true);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({ index: 0, id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.slice(1).every((c: object) => Object.keys(c).join() === 'index,function')).toBe(true);
    expect(calls.map((c: { function: { arguments: string } }) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams the calls of a model that only emits whole tool-call events, and its reasoning', async () => {
    const call = { id: 'c1', type: 'function' as const, function: { name: 'get_time', arguments: '{"tz":"UTC"}' } };
    const completion: Completion = { text: '', reasoning: 'Time.', toolCalls: [call], finishReason: 'tool_calls' };
    const model: ChatModel = {
      generate: async () => completion,
      async *stream(): AsyncGenerator<StreamEvent> {
        yield { type: 'reasoning-delta', text: 'Time.' };
        yield { type: 'tool-call', index: 0, toolCall: call };
        yield { type: 'finish', completion };
      },
    };
    const { chunks } = openAIChunks(await (await post({ ...ask, stream: true }, createChatHandler(model))).text());
    expect(chunks.map((c) => c.choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'Time.' },
      { tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'get_time', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"tz":"UTC"}' } }] },
      {},
    ]);
  });

  it('answers an upstream 422 with the same status and body', async () => {
    const refusing = await startOpenAIServer(() => ({ text: '', status: 422, errorBody: { error: { message: 'tool_choice names no offered tool', type: 'invalid_request_error', param: 'tool_choice', code: null } } }));
    try {
      const res = await post(ask, createChatHandler(createClient({ baseURL: refusing.baseURL, maxRetries: 2 }).chatModel('fake-model')));
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ error: { message: 'tool_choice names no offered tool', type: 'invalid_request_error', param: 'tool_choice', code: null } });
      expect(refusing.requests).toHaveLength(1);
    } finally {
      await refusing.close();
    }
  });

  it('names the path of a broken image part', async () => {
    const res = await post({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: '' } }] }] });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ param: 'messages[0].content[0].image_url.url', code: 'invalid_value' });
  });
});
