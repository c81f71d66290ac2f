// Agents through the guard proxy: every field of a tool-using request reaches the upstream as
// sent, answers come back in OpenAI's exact shape (tool calls, reasoning, logprobs, usage), the
// official client's own agent loop (runTools) completes, and an upstream 4xx keeps its meaning.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/create-client.js';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { agentReply, finalAnswer, TIME_TOOL, WEATHER_TOOL } from '../helpers/agent-upstream.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { openAIChunks } from '../helpers/sse.js';

// `logprobs: true` asks the agent upstream for logprobs; the last user turn "fail 400" makes it refuse.
let upstream: FakeOpenAIServer;
let configured: GuardServer; // from a config: the upstream inside an (empty) pipeline
let direct: GuardServer; // a model built in code, no pipeline: events pass straight through
const proxies = () => [
  ['configured', configured],
  ['direct', direct],
] as const;

beforeAll(async () => {
  upstream = await startOpenAIServer((body) => {
    const last = body.messages.at(-1);
    if (last.content === 'fail 400') return { text: '', status: 400, errorBody: { error: { message: "Invalid 'tools[0].function.name': bad name", type: 'invalid_request_error', param: 'tools[0].function.name', code: 'invalid_value' } } };
    return { ...agentReply(body), logprobs: body.logprobs === true };
  });
  configured = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 2 } });
  direct = await createGuardServer({ model: createClient({ baseURL: upstream.baseURL, maxRetries: 2 }).chatModel('fake-model'), defaultModel: 'fake-model', port: 0 });
  await configured.listen();
  await direct.listen();
});

afterAll(async () => {
  await configured?.close();
  await direct?.close();
  await upstream?.close();
});

const clientOf = (proxy: GuardServer, maxRetries = 0) => new OpenAI({ baseURL: `${proxy.address!.url}/v1`, apiKey: 'unused-on-loopback', maxRetries });
const post = (proxy: GuardServer, body: unknown) =>
  fetch(`${proxy.address!.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sentUpstream = (before: number) => upstream.requests.slice(before).filter((r) => r.path === '/v1/chat/completions');

const weatherCall = { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
const timeCall = { id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } };

// Every field of a tool-using request, the follow-up turn included.
const agentBody = {
  model: 'fake-model',
  messages: [
    { role: 'system', content: 'You answer with tools.' },
    { role: 'user', name: 'ada', content: [{ type: 'text', text: 'Weather in this city?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] },
    { role: 'assistant', content: null, tool_calls: [weatherCall] },
    { role: 'tool', tool_call_id: 'call_weather', content: 'sunny, 21°C' },
  ],
  tools: [WEATHER_TOOL, TIME_TOOL],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  response_format: { type: 'text' },
  logprobs: true,
  top_logprobs: 2,
  max_completion_tokens: 300,
  reasoning_effort: 'low',
  temperature: 0.2,
};

describe('guard proxy: tool-calling requests and answers', () => {
  it('forwards every field of the request as sent (max_completion_tokens stays itself)', async () => {
    for (const [name, proxy] of proxies()) {
      const before = upstream.requests.length;
      expect((await post(proxy, agentBody)).status, name).toBe(200);
      const [sent] = sentUpstream(before);
      expect(sent!.body, name).toEqual(agentBody);
    }
  });

  it('sends developer turns as system turns', async () => {
    const before = upstream.requests.length;
    await post(direct, { messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'Weather?' }] });
    expect(sentUpstream(before)[0]!.body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('answers a tool call in OpenAI’s exact JSON: tool_calls, content null, reasoning_content, usage', async () => {
    for (const [name, proxy] of proxies()) {
      const body = await (await post(proxy, { ...agentBody, logprobs: false })).json();
      expect(body, name).toMatchObject({ object: 'chat.completion', model: 'fake-model' });
      expect(body.choices, name).toEqual([
        { index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: [timeCall], reasoning_content: 'Now the time.' }, finish_reason: 'tool_calls', logprobs: null },
      ]);
      expect(body.usage, name).toEqual({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
    }
  });

  it('answers the final text with the upstream’s logprobs, plain and streamed', async () => {
    const text = finalAnswer('sunny, 21°C', '10:00');
    const tokens = text.match(/\S+\s*/g)!.map((token) => ({ token, logprob: -0.5, bytes: [...Buffer.from(token)], top_logprobs: [] }));
    for (const [name, proxy] of proxies()) {
      const client = clientOf(proxy);
      const plain = await client.chat.completions.create({ ...finalBody(), stream: false });
      expect(plain.choices[0]!.message.content, name).toBe(text);
      expect(plain.choices[0]!.logprobs, name).toEqual({ content: tokens });
      const streamed = await client.chat.completions.stream({ ...finalBody(), stream: true }).finalChatCompletion();
      expect(streamed.choices[0]!.message.content, name).toBe(text);
      expect(streamed.choices[0]!.logprobs?.content, name).toEqual(tokens);
      // openai's stream helper keeps only the last piece of fields it does not know: join them by hand.
      const raw = openAIChunks(await (await post(proxy, { ...finalBody(), stream: true })).text());
      expect(raw.chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join(''), name).toBe('I have both.');
      expect(raw.content, name).toBe(text);
    }
  });

  it('streams tool-call deltas the OpenAI way: index, id, type and name first, then the arguments in pieces', async () => {
    for (const [name, proxy] of proxies()) {
      const res = await post(proxy, { ...agentBody, logprobs: false, stream: true, stream_options: { include_usage: true } });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const { chunks, done } = openAIChunks(await res.text());
      expect(done).toBe(true);
      expect(chunks.map((c) => c.choices[0]?.delta ?? null), name).toEqual([
        { role: 'assistant', content: '' },
        { reasoning_content: 'Now ' },
        { reasoning_content: 'the ' },
        { reasoning_content: 'time.' },
        { tool_calls: [{ index: 0, id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '' } }] },
        // The upstream cuts the arguments in three; they pass through piece for piece.
        { tool_calls: [{ index: 0, function: { arguments: '{"tz":"' } }] },
        { tool_calls: [{ index: 0, function: { arguments: 'Europe/' } }] },
        { tool_calls: [{ index: 0, function: { arguments: 'Paris"}' } }] },
        {},
        null,
      ]);
      expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([...Array(8).fill(null), 'tool_calls', null]);
      expect(chunks.at(-1)).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    }
  });

  it('streams parallel tool calls that the openai client reassembles', async () => {
    const parallel = await startOpenAIServer(() => ({
      text: '',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_b', name: 'get_weather', arguments: '{"city":"Lyon"}' },
      ],
    }));
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: parallel.baseURL, model: 'fake-model', maxRetries: 0 } });
    try {
      await proxy.listen();
      const stream = clientOf(proxy).chat.completions.stream({ model: 'fake-model', messages: [{ role: 'user', content: 'Paris and Lyon?' }], tools: [WEATHER_TOOL], stream: true });
      const message = (await stream.finalChatCompletion()).choices[0]!;
      expect(message.finish_reason).toBe('tool_calls');
      expect(message.message.tool_calls).toEqual([
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
      ]);
    } finally {
      await proxy.close();
      await parallel.close();
    }
  });
});

describe('guard proxy: the openai client’s own agent loop', () => {
  for (const stream of [false, true]) {
    it(`runTools() completes a two-tool conversation to its final answer (${stream ? 'streaming' : 'plain'})`, async () => {
      for (const [name, proxy] of proxies()) {
        const before = upstream.requests.length;
        const seen: string[] = [];
        const tools = [
          { type: 'function' as const, function: { ...WEATHER_TOOL.function, parse: JSON.parse, function: ({ city }: { city: string }) => (seen.push(city), 'sunny, 21°C') } },
          { type: 'function' as const, function: { ...TIME_TOOL.function, parse: JSON.parse, function: ({ tz }: { tz: string }) => (seen.push(tz), '10:00') } },
        ];
        const runner = clientOf(proxy).chat.completions.runTools({ model: 'fake-model', stream, messages: [{ role: 'user', content: 'Weather and time in Paris?' }], tools } as never);
        expect(await (runner as { finalContent(): Promise<string | null> }).finalContent(), name).toBe(finalAnswer('sunny, 21°C', '10:00'));
        expect(seen, name).toEqual(['Paris', 'Europe/Paris']);
        // Three steps upstream; each follow-up carried the calls and their results intact.
        const sent = sentUpstream(before);
        expect(sent, name).toHaveLength(3);
        const last = sent[2]!.body.messages;
        expect(last.filter((m: { role: string }) => m.role === 'tool'), name).toEqual([
          { role: 'tool', tool_call_id: 'call_weather', content: 'sunny, 21°C' },
          { role: 'tool', tool_call_id: 'call_time', content: '10:00' },
        ]);
        expect(last.filter((m: { role: string }) => m.role === 'assistant').map((m: { tool_calls: unknown }) => m.tool_calls), name).toEqual([[weatherCall], [timeCall]]);
      }
    });
  }
});

describe('guard proxy: upstream 4xx', () => {
  it('answers an upstream 400 as 400 with the upstream’s error, so the client does not retry', async () => {
    for (const [name, proxy] of proxies()) {
      for (const stream of [false, true]) {
        const before = upstream.requests.length;
        // maxRetries: 2 would retry a 5xx (and the proxy’s own client too): a 400 must be tried once.
        const error = await clientOf(proxy, 2).chat.completions.create({ model: 'fake-model', stream, messages: [{ role: 'user', content: 'fail 400' }] }).catch((e: unknown) => e);
        expect(error, name).toBeInstanceOf(OpenAI.BadRequestError);
        const e = error as InstanceType<typeof OpenAI.BadRequestError>;
        expect(e.status).toBe(400);
        expect(e.error).toEqual({ message: "Invalid 'tools[0].function.name': bad name", type: 'invalid_request_error', param: 'tools[0].function.name', code: 'invalid_value' });
        expect(sentUpstream(before), `${name} stream=${stream}`).toHaveLength(1);
      }
    }
  });
});

function finalBody() {
  return {
    model: 'fake-model',
    logprobs: true,
    messages: [
      ...agentBody.messages.slice(0, 2),
      { role: 'assistant' as const, content: null, tool_calls: [weatherCall] },
      { role: 'tool' as const, tool_call_id: 'call_weather', content: 'sunny, 21°C' },
      { role: 'assistant' as const, content: null, tool_calls: [timeCall] },
      { role: 'tool' as const, tool_call_id: 'call_time', content: '10:00' },
    ],
  } as never as OpenAI.ChatCompletionCreateParamsNonStreaming;
}
