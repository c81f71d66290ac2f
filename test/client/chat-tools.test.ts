// The whole chat shape through the client and fromOpenAI: tools, tool calls (whole and streamed by
// index), reasoning and logprobs, against a real loopback OpenAI-compatible server.
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, fromOpenAI, ValidationError, type ChatModel, type ChatRequest, type Message, type StreamEvent } from '../../src/index.js';
import { startLoopbackSSE, type LoopbackSSE } from '../helpers/loopback-sse.js';
import { startOpenAIServer, type FakeOpenAIServer, type FakeReply } from '../helpers/openai-server.js';

const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const calls = [
  { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
  { id: 'call_b', name: 'get_weather', arguments: '{"city":"Oslo, Norway"}' },
];
const asToolCalls = (list: typeof calls) => list.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));

let server: FakeOpenAIServer;
let next: Partial<FakeReply> = {};
beforeAll(async () => {
  server = await startOpenAIServer(() => ({ text: '', ...next }));
});
afterAll(() => server.close());

const client = () => createClient({ baseURL: server.baseURL, apiKey: 'sk-test', maxRetries: 0 });
const models = (): Array<[string, ChatModel]> => [
  ['client', client().chatModel('m')],
  ['fromOpenAI', fromOpenAI(new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test', maxRetries: 0 }), { model: 'm' })],
];

async function collect(model: ChatModel, request: ChatRequest): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of model.stream(request)) events.push(e);
  return events;
}

const followUp: Message[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
  { role: 'assistant', content: null, tool_calls: asToolCalls(calls.slice(0, 1)) as never, reasoning: 'I should call the tool.' },
  { role: 'tool', tool_call_id: 'call_a', content: '{"temp": 21}' },
];

describe('chat requests carry the whole OpenAI shape', () => {
  it('sends tools, tool_choice, logprobs, max_completion_tokens and follow-up turns as given, without our reasoning field', async () => {
    next = { text: 'It is 21 degrees.' };
    const request: ChatRequest = {
      messages: followUp,
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      logprobs: true,
      top_logprobs: 2,
      max_completion_tokens: 64,
      reasoning_effort: 'low',
      extra: { nvext: { top_k: 5 } },
    };
    for (const [, model] of models()) {
      const before = server.requests.length;
      await model.generate(request);
      const body = server.requests[before]!.body;
      expect(body).toMatchObject({ model: 'm', tools: [weather], tool_choice: request.tool_choice, parallel_tool_calls: false, response_format: { type: 'json_object' }, logprobs: true, top_logprobs: 2, max_completion_tokens: 64, reasoning_effort: 'low', nvext: { top_k: 5 } });
      expect(body.max_tokens).toBeUndefined();
      expect(body.messages).toEqual([
        followUp[0],
        followUp[1],
        { role: 'assistant', content: null, tool_calls: asToolCalls(calls.slice(0, 1)) },
        { role: 'tool', tool_call_id: 'call_a', content: '{"temp": 21}' },
      ]);
    }
  });

  it('names the path of a malformed part or a misplaced field before any request', async () => {
    const before = server.requests.length;
    const bad = async (messages: unknown) => client().chat.create({ model: 'm', messages: messages as Message[] }).catch((e: unknown) => e);
    const noUrl = await bad([{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: {} }] }]);
    expect(noUrl).toBeInstanceOf(ValidationError);
    expect((noUrl as ValidationError).issues.map((i) => i.path)).toEqual(['messages[0].content[1].image_url.url']);
    const userCalls = await bad([{ role: 'user', content: 'hi', tool_calls: asToolCalls(calls) }]);
    expect((userCalls as ValidationError).issues.map((i) => i.path)).toEqual(['messages[0].tool_calls']);
    const nullContent = await bad([{ role: 'user', content: null }]);
    expect((nullContent as ValidationError).issues.map((i) => i.path)).toEqual(['messages[0].content']);
    const badCall = await bad([{ role: 'assistant', content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: '', arguments: '{}' } }] }]);
    expect((badCall as ValidationError).issues.map((i) => i.path)).toEqual(['messages[0].tool_calls[0].function.name']);
    expect(server.requests.length).toBe(before);
  });

  it('keeps content parts of unknown types instead of dropping them', async () => {
    next = { text: 'ok' };
    const before = server.requests.length;
    const part = { type: 'video_url', video_url: { url: 'https://example.com/v.mp4' } };
    await client().chat.create({ model: 'm', messages: [{ role: 'user', content: [part] }] });
    expect(server.requests[before]!.body.messages[0].content).toEqual([part]);
  });
});

describe('answers with tool calls, reasoning and logprobs', () => {
  it('generate reads parallel tool calls, reasoning_content and logprobs', async () => {
    next = { text: '', toolCalls: calls, reasoning: 'Two cities, two calls.', logprobs: false };
    for (const [name, model] of models()) {
      const completion = await model.generate({ messages: [{ role: 'user', content: 'Paris and Oslo?' }], tools: [weather] });
      expect(completion, name).toMatchObject({ text: '', finishReason: 'tool_calls', toolCalls: asToolCalls(calls), reasoning: 'Two cities, two calls.' });
    }
    next = { text: 'Sunny today.', logprobs: true };
    for (const [name, model] of models()) {
      const completion = await model.generate({ messages: [{ role: 'user', content: 'Weather?' }], logprobs: true });
      expect(completion.logprobs?.content?.map((t) => t.token), name).toEqual(['Sunny ', 'today.']);
      expect(completion.logprobs?.content?.[0]).toMatchObject({ logprob: -0.5, bytes: [...Buffer.from('Sunny ')] });
    }
  });

  it('stream yields reasoning, text, tool-call pieces by index, then each whole call before finish', async () => {
    next = { text: 'Checking both. ', toolCalls: calls, reasoning: 'Two cities.' };
    for (const [name, model] of models()) {
      const events = await collect(model, { messages: [{ role: 'user', content: 'Paris and Oslo?' }], tools: [weather] });
      const types = events.map((e) => e.type);
      expect(types[0], name).toBe('reasoning-delta');
      expect(types.at(-1)).toBe('finish');
      expect(events.filter((e) => e.type === 'reasoning-delta').map((e) => (e as { text: string }).text).join('')).toBe('Two cities.');
      expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { text: string }).text).join('')).toBe('Checking both. ');
      const pieces = events.filter((e) => e.type === 'tool-call-delta');
      expect(pieces[0]).toEqual({ type: 'tool-call-delta', index: 0, id: 'call_a', name: 'get_weather', argumentsDelta: '' });
      expect(pieces.filter((p) => p.index === 1).map((p) => p.argumentsDelta).join('')).toBe(calls[1]!.arguments);
      // The whole calls come after every piece, in index order, before finish.
      const whole = events.filter((e) => e.type === 'tool-call');
      expect(whole).toEqual(asToolCalls(calls).map((toolCall, index) => ({ type: 'tool-call', index, toolCall })));
      expect(types.indexOf('tool-call')).toBeGreaterThan(types.lastIndexOf('tool-call-delta'));
      const finish = events.at(-1) as Extract<StreamEvent, { type: 'finish' }>;
      expect(finish.completion).toMatchObject({ text: 'Checking both. ', reasoning: 'Two cities.', finishReason: 'tool_calls', toolCalls: asToolCalls(calls) });
    }
  });

  it('a text-only stream yields only text deltas and finish, as before', async () => {
    next = { text: 'Just words here.' };
    for (const [, model] of models()) {
      const events = await collect(model, { messages: [{ role: 'user', content: 'Hi' }] });
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(['text-delta', 'finish']));
    }
  });

  it('any chunking of a streamed call gives the same call', async () => {
    const model = client().chatModel('m');
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 12 }), async (city, pieces) => {
        const args = JSON.stringify({ city });
        next = { text: '', toolCalls: [{ id: 'call_p', name: 'get_weather', arguments: args }], argumentChunks: pieces };
        const events = await collect(model, { messages: [{ role: 'user', content: 'x' }] });
        const finish = events.at(-1) as Extract<StreamEvent, { type: 'finish' }>;
        expect(finish.completion.toolCalls).toEqual([{ id: 'call_p', type: 'function', function: { name: 'get_weather', arguments: args } }]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('streamed calls numbered unlike OpenAI', () => {
  // Servers number parallel calls their own way: from 1 or with gaps, every call at index 0
  // (Ollama, some Gemini bridges), or no index with the id on every piece. Pieces and whole calls
  // must still agree on each call's index, and distinct calls (a new id) stay distinct.
  const scripts: Record<string, unknown[]> = {
    'from 1, with a gap': [
      { index: 1, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
      { index: 1, function: { arguments: '"Paris"}' } },
      { index: 3, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
    ],
    'every call at index 0': [
      { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
      { index: 0, function: { arguments: '"Paris"}' } },
      { index: 0, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
      { index: 0, function: { arguments: '"Oslo"}' } },
    ],
    'no index, the id on every piece': [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
      { id: 'call_a', function: { arguments: '"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
    ],
  };
  const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  let sse: LoopbackSSE;
  beforeAll(async () => {
    sse = await startLoopbackSSE(async (res, req) => {
      let body = '';
      for await (const piece of req) body += String(piece);
      const pieces = scripts[(JSON.parse(body) as { messages: Array<{ content: string }> }).messages[0]!.content]!;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const piece of pieces) res.write(chunk({ tool_calls: [piece] }));
      res.end(chunk({}, 'tool_calls') + 'data: [DONE]\n\n');
    });
  });
  afterAll(() => sse.close());

  it.each(Object.keys(scripts))('%s: two calls, each piece under the index of its whole call', async (shape) => {
    const gapModels: Array<[string, ChatModel]> = [
      ['client', createClient({ baseURL: sse.baseURL, apiKey: 'sk-test', maxRetries: 0 }).chatModel('m')],
      ['fromOpenAI', fromOpenAI(new OpenAI({ baseURL: sse.baseURL, apiKey: 'sk-test', maxRetries: 0 }), { model: 'm' })],
    ];
    for (const [name, model] of gapModels) {
      const events = await collect(model, { messages: [{ role: 'user', content: shape }], tools: [weather] });
      const whole = events.filter((e) => e.type === 'tool-call');
      expect(whole.map((e) => [e.index, e.toolCall.id, e.toolCall.function.name, e.toolCall.function.arguments]), name).toEqual([
        [0, 'call_a', 'get_weather', '{"city":"Paris"}'],
        [1, 'call_b', 'get_weather', '{"city":"Oslo"}'],
      ]);
      const pieces = events.filter((e) => e.type === 'tool-call-delta');
      for (const call of whole) expect(pieces.filter((p) => p.index === call.index).map((p) => p.argumentsDelta).join(''), name).toBe(call.toolCall.function.arguments);
      expect(pieces.filter((p) => p.id !== undefined).map((p) => [p.index, p.id]), name).toEqual([[0, 'call_a'], [1, 'call_b']]);
      const finish = events.at(-1) as Extract<StreamEvent, { type: 'finish' }>;
      expect(finish.completion.toolCalls, name).toEqual(whole.map((e) => e.toolCall));
    }
  });
});
