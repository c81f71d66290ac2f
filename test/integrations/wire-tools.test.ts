// Golden bodies of the server side of the wire for agents: tool calls (one and parallel, live and
// whole), reasoning and logprobs, as OpenAI writes them; and upstream 4xx errors keeping their meaning.
import { describe, expect, it } from 'vitest';
import { APIError } from '../../src/errors.js';
import { createResponseMeta, toChatCompletion, toSSE, toWireError } from '../../src/integrations/openai-wire.js';
import type { StreamEvent } from '../../src/interfaces.js';
import type { Completion } from '../../src/types.js';
import { sseData } from '../helpers/sse.js';

const meta = createResponseMeta('m', 1_700_000_000_000);
const head = { id: meta.id, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'm' };
const chunk = (delta: unknown, finish: string | null = null, logprobs: unknown = null) => ({ ...head, choices: [{ index: 0, delta, finish_reason: finish, logprobs }] });
const weather = { id: 'call_w', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
const time = { id: 'call_t', type: 'function' as const, function: { name: 'get_time', arguments: '{"tz":"CET"}' } };
const usage = { promptTokens: 3, completionTokens: 4, totalTokens: 7 };

async function chunks(events: StreamEvent[], includeUsage = false): Promise<unknown[]> {
  async function* source() {
    yield* events;
  }
  let text = '';
  for await (const line of toSSE(source(), meta, includeUsage)) text += line;
  const data = sseData(text);
  expect(data.at(-1)).toBe('[DONE]');
  return data.slice(0, -1).map((d) => JSON.parse(d));
}

describe('toSSE with tool calls, reasoning and logprobs', () => {
  it('streams parallel tool-call deltas as OpenAI does: index, id, type and name first, then argument pieces', async () => {
    const completion: Completion = { text: '', toolCalls: [weather, time], finishReason: 'tool_calls', usage };
    const events: StreamEvent[] = [
      { type: 'tool-call-delta', index: 0, id: 'call_w', name: 'get_weather', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-delta', index: 1, id: 'call_t', name: 'get_time', argumentsDelta: '{"tz":"CET"}' },
      { type: 'tool-call', index: 0, toolCall: weather },
      { type: 'tool-call', index: 1, toolCall: time },
      { type: 'finish', completion },
    ];
    expect(await chunks(events, true)).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_t', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } }] }),
      chunk({}, 'tool_calls'),
      { ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
    ]);
  });

  it('sends a call that only came whole (a tool-call event, or only in the completion) as its first piece, then its arguments', async () => {
    const completion: Completion = { text: '', toolCalls: [weather, time], finishReason: 'tool_calls' };
    const events: StreamEvent[] = [{ type: 'tool-call', index: 0, toolCall: weather }, { type: 'finish', completion }];
    expect(await chunks(events)).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }),
      // The second call is only in the finished completion (a middleware that buffered it).
      chunk({ tool_calls: [{ index: 1, id: 'call_t', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"tz":"CET"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
  });

  it('sends the rest of a call whose streamed arguments stopped short of the final ones', async () => {
    const events: StreamEvent[] = [
      { type: 'tool-call-delta', index: 0, id: 'call_w', name: 'get_weather', argumentsDelta: '{"city":' },
      { type: 'finish', completion: { text: '', toolCalls: [weather], finishReason: 'tool_calls' } },
    ];
    const out = await chunks(events);
    expect(out.slice(1, -1)).toEqual([
      chunk({ tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    ]);
  });

  it('streams reasoning as reasoning_content before the text, and logprobs on the finish chunk', async () => {
    const logprobs = { content: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [] }] };
    const events: StreamEvent[] = [
      { type: 'reasoning-delta', text: 'The user ' },
      { type: 'reasoning-delta', text: 'greets.' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', completion: { text: 'Hi', reasoning: 'The user greets. Answer.', logprobs, finishReason: 'stop' } },
    ];
    expect(await chunks(events)).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ reasoning_content: 'The user ' }),
      chunk({ reasoning_content: 'greets.' }),
      chunk({ content: 'Hi' }),
      // Reasoning the completion has beyond what was streamed comes before the finish.
      chunk({ reasoning_content: ' Answer.' }),
      chunk({}, 'stop', logprobs),
    ]);
  });
});

describe('toChatCompletion with tool calls, reasoning and logprobs', () => {
  it('writes tool calls in message.tool_calls, content null, finish_reason tool_calls', () => {
    const body = toChatCompletion({ id: 'up', model: 'up-model', text: '', toolCalls: [weather, time], reasoning: 'Two lookups.', finishReason: 'tool_calls', usage }, meta);
    expect(body).toEqual({
      id: 'up',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'up-model',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: [weather, time], reasoning_content: 'Two lookups.' }, finish_reason: 'tool_calls', logprobs: null }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
  });

  it('keeps text next to calls, and logprobs as given', () => {
    const logprobs = { content: [{ token: 'On', logprob: -0.1, bytes: null, top_logprobs: [{ token: 'On', logprob: -0.1 }] }] };
    const body = toChatCompletion({ text: 'On it.', toolCalls: [weather], logprobs, finishReason: 'tool_calls' }, meta);
    expect(body.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: 'On it.', refusal: null, tool_calls: [weather] }, finish_reason: 'tool_calls', logprobs });
  });
});

describe('toWireError for upstream 4xx', () => {
  it('keeps the status and the upstream OpenAI-style body, whichever form the client kept it in', () => {
    const error = { message: "Invalid 'messages[1].tool_calls': empty array.", type: 'invalid_request_error', param: 'messages[1].tool_calls', code: 'empty_array' };
    for (const body of [{ error }, error]) expect(toWireError(APIError.generate(400, body))).toEqual({ status: 400, body: { error } });
    expect(toWireError(APIError.generate(404, { error: { message: 'The model `x` does not exist', type: 'invalid_request_error', param: null, code: 'model_not_found' } }))).toEqual({
      status: 404,
      body: { error: { message: 'The model `x` does not exist', type: 'invalid_request_error', param: null, code: 'model_not_found' } },
    });
  });

  it('reads vLLM, problem-details and text bodies into the OpenAI shape', () => {
    expect(toWireError(APIError.generate(400, { object: 'error', message: 'max_tokens too large', type: 'BadRequestError', param: null, code: 400 }))).toEqual({
      status: 400,
      body: { error: { message: 'max_tokens too large', type: 'BadRequestError', param: null, code: '400' } },
    });
    expect(toWireError(APIError.generate(422, { type: 'urn:problem:validation', title: 'Unprocessable', detail: 'messages: field required', status: 422 }))).toEqual({
      status: 422,
      body: { error: { message: 'messages: field required', type: 'invalid_request_error', param: null, code: null } },
    });
    expect(toWireError(APIError.generate(413, 'Payload Too Large'))).toEqual({ status: 413, body: { error: { message: 'Payload Too Large', type: 'invalid_request_error', param: null, code: null } } });
    expect(toWireError(APIError.generate(404, undefined))).toMatchObject({ status: 404, body: { error: { message: 'request failed', type: 'not_found_error' } } });
  });

  it('masks credentials and internal addresses the upstream echoed, keeps public links', () => {
    const said = 'Bad key sk-abcdefghijklmnop1234 for http://10.1.2.3:8000/v1/chat and vllm-0.svc.cluster.local:8000 (192.168.0.7); see https://platform.openai.com/docs';
    const { status, body } = toWireError(APIError.generate(400, { error: { message: said, type: 'invalid_request_error', param: null, code: null } }));
    expect(status).toBe(400);
    expect(body.error.message).toBe('Bad key [redacted] for [internal address] and [internal address] ([internal address]); see https://platform.openai.com/docs');
  });

  it('keeps 5xx, and the upstream refusing this server\u2019s own key, as 502', () => {
    expect(toWireError(APIError.generate(500, { error: { message: 'boom' } }))).toMatchObject({ status: 502, body: { error: { code: 'upstream_500' } } });
    expect(toWireError(APIError.generate(401, { error: { message: 'Incorrect API key' } }))).toMatchObject({ status: 502, body: { error: { code: 'upstream_401' } } });
    expect(toWireError(APIError.generate(403, {}))).toMatchObject({ status: 502, body: { error: { code: 'upstream_403' } } });
    expect(toWireError(APIError.generate(429, {}))).toMatchObject({ status: 429, body: { error: { type: 'rate_limit_error' } } });
  });
});
