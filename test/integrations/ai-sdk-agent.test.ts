// AI SDK tool loops through rewardgate/ai-sdk against a real OpenAI-compatible upstream on
// loopback, reached by @ai-sdk/openai-compatible: every step goes through the pipeline.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { turnText } from '../../src/content.js';
import { guardFromFunction } from '../../src/guards/guard-from-function.js';
import { rewardgate } from '../../src/integrations/ai-sdk.js';
import { bestOfN } from '../../src/middleware/best-of-n/best-of-n.js';
import { safety } from '../../src/middleware/safety/safety.js';
import type { Middleware } from '../../src/pipeline/types.js';
import { scorerFromFunction } from '../../src/scorers/from-function.js';
import type { ChatRequest } from '../../src/types.js';
import { REFUSAL } from '../helpers/guarded-upstream.js';
import { type FakeOpenAIServer, type FakeReply, startOpenAIServer } from '../helpers/openai-server.js';

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SIGNATURE = { extra_content: { google: { thought_signature: 'sig-1' } } };

/** Step 1 calls `weather` (with reasoning and a thought signature); once it has the result, it answers. */
function weatherAgent(body: any): FakeReply {
  if (body.messages.some((m: any) => m.role === 'tool')) return { text: 'It is sunny in Paris.', reasoning: 'The tool says sunny.' };
  return { text: '', reasoning: 'The user wants the weather.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}', extra: SIGNATURE }], argumentChunks: 3 };
}

function weatherTool(cities: string[], forecast = 'sunny') {
  return tool({
    description: 'Weather of a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    execute: async ({ city }) => {
      cities.push(city);
      return { forecast };
    },
  });
}

/** A middleware that records the request of every pipeline call (each agent step is one). */
function recorder() {
  const seen: ChatRequest[] = [];
  const middleware: Middleware = {
    name: 'recorder',
    async generate(ctx, next) {
      seen.push(ctx.request);
      return next();
    },
    async *stream(ctx, next) {
      seen.push(ctx.request);
      yield* next();
    },
  };
  return { seen, middleware };
}

async function upstream(reply: (body: any) => FakeReply) {
  server = await startOpenAIServer(reply);
  return createOpenAICompatible({ name: 'fake', baseURL: server.baseURL, apiKey: 'sk-test' }).chatModel('fake-model');
}

// The second step's turns as the pipeline must see them: the call with JSON text arguments, its result.
const STEP_TWO_TURNS = [
  { role: 'assistant', content: null, reasoning: 'The user wants the weather.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: '{"forecast":"sunny"}' },
];

describe('rewardgate/ai-sdk with tools, against an OpenAI-compatible upstream', () => {
  it('runs a generateText tool loop with every step through the pipeline', async () => {
    const cities: string[] = [];
    const { seen, middleware } = recorder();
    const model = wrapLanguageModel({ model: await upstream(weatherAgent), middleware: rewardgate({ middleware: [middleware] }) });
    const result = await generateText({ model, prompt: 'Weather in Paris?', tools: { weather: weatherTool(cities) }, stopWhen: stepCountIs(3) });

    expect(result.text).toBe('It is sunny in Paris.');
    expect(cities).toEqual(['Paris']);
    expect(result.steps).toHaveLength(2);
    const [first, second] = result.steps;
    expect(first!.finishReason).toBe('tool-calls');
    expect(first!.toolCalls.map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Paris' }]]);
    expect(first!.reasoningText).toBe('The user wants the weather.');
    expect(second!.reasoningText).toBe('The tool says sunny.');
    // The provider's own metadata (the call's thought signature) comes through next to the report.
    expect(first!.toolCalls[0]!.providerMetadata).toEqual({ fake: { thoughtSignature: 'sig-1' } });
    for (const step of result.steps) {
      expect(step.providerMetadata?.fake).toBeDefined();
      expect((step.providerMetadata?.rewardgate as { report: { candidates: unknown[] } }).report.candidates).toHaveLength(1);
    }

    // Both steps went through the pipeline, in the OpenAI shape.
    expect(seen).toHaveLength(2);
    expect(seen[0]!.tools).toEqual([{ type: 'function', function: { name: 'weather', description: 'Weather of a city', parameters: expect.objectContaining({ properties: { city: { type: 'string' } } }) } }]);
    expect(seen[0]!.tool_choice).toBe('auto');
    expect(seen[1]!.messages).toEqual([{ role: 'user', content: 'Weather in Paris?' }, ...STEP_TWO_TURNS]);

    // The upstream got the second step whole: the call with its signature, reasoning and the result.
    const body = server!.requests[1]!.body;
    expect(body.tools[0].function.name).toBe('weather');
    expect(body.messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'The user wants the weather.', tool_calls: [{ id: 'call_1', function: { name: 'weather', arguments: '{"city":"Paris"}' }, ...SIGNATURE }] });
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '{"forecast":"sunny"}' });
  });

  it('keeps the earlier turns as they were when a middleware changes the conversation', async () => {
    const brief: Middleware = { name: 'brief', generate: (ctx, next) => next({ ...ctx.request, messages: [{ role: 'system', content: 'Be brief.' }, ...ctx.request.messages] }) };
    const model = wrapLanguageModel({ model: await upstream(weatherAgent), middleware: rewardgate({ middleware: [brief] }) });
    const result = await generateText({ model, prompt: 'Weather in Paris?', tools: { weather: weatherTool([]) }, stopWhen: stepCountIs(3) });
    expect(result.text).toBe('It is sunny in Paris.');
    const messages = server!.requests[1]!.body.messages;
    expect(messages.map((m: any) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(messages[2].tool_calls[0]).toMatchObject(SIGNATURE);
    expect(messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '{"forecast":"sunny"}' });
  });

  it('runs a streamText tool loop with every step through the pipeline', async () => {
    const cities: string[] = [];
    const { seen, middleware } = recorder();
    const model = wrapLanguageModel({ model: await upstream(weatherAgent), middleware: rewardgate({ middleware: [middleware] }) });
    const result = streamText({ model, prompt: 'Weather in Paris?', tools: { weather: weatherTool(cities) }, stopWhen: stepCountIs(3) });
    const parts: Array<{ type: string; [key: string]: unknown }> = [];
    for await (const part of result.fullStream) parts.push(part);

    expect(await result.text).toBe('It is sunny in Paris.');
    expect(cities).toEqual(['Paris']);
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[0]!.toolCalls.map((c) => [c.toolCallId, c.input])).toEqual([['call_1', { city: 'Paris' }]]);
    expect(steps[0]!.toolCalls[0]!.providerMetadata).toEqual({ fake: { thoughtSignature: 'sig-1' } });
    expect(steps[0]!.reasoningText).toBe('The user wants the weather.');
    expect(seen).toHaveLength(2);
    expect(seen[1]!.messages.slice(1)).toEqual(STEP_TWO_TURNS);

    // The first step in AI SDK order: reasoning block, the call's input, the call, its result.
    const first = parts.slice(0, parts.findIndex((p) => p.type === 'finish-step') + 1).map((p) => p.type);
    const order = ['reasoning-start', 'reasoning-end', 'tool-input-start', 'tool-input-end', 'tool-call', 'finish-step'].map((t) => first.indexOf(t));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    const inputs = parts.filter((p) => p.type === 'tool-input-delta').map((p) => p.delta as string);
    expect(inputs.join('')).toBe('{"city":"Paris"}');
    expect(parts.some((p) => p.type === 'tool-result' && (p.output as { forecast: string }).forecast === 'sunny')).toBe(true);
  });

  it('streams reasoning and tool input as the model sends them, in pieces', async () => {
    const { middleware } = recorder();
    const model = wrapLanguageModel({ model: await upstream(weatherAgent), middleware: rewardgate({ middleware: [middleware] }) });
    const result = streamText({ model, prompt: 'Weather in Paris?', tools: { weather: weatherTool([]) } });
    const parts: Array<{ type: string; [key: string]: unknown }> = [];
    for await (const part of result.fullStream) parts.push(part);
    // The upstream sends the reasoning word by word and the arguments in three pieces.
    expect(parts.filter((p) => p.type === 'reasoning-delta').map((p) => p.text)).toEqual(['The ', 'user ', 'wants ', 'the ', 'weather.']);
    expect(parts.filter((p) => p.type === 'tool-input-delta')).toHaveLength(3);
  });

  it('picks the best tool call of n by the arguments the scorer reads, then runs only that one', async () => {
    const ns: number[] = [];
    server = await startOpenAIServer((body) =>
      body.messages.some((m: any) => m.role === 'tool') ? { text: 'Done.' } : { text: '', toolCalls: [{ id: `call_${body.seed}`, name: 'pick', arguments: `{"n":${body.seed}}` }] },
    );
    const provider = createOpenAICompatible({ name: 'fake', baseURL: server.baseURL }).chatModel('fake-model');
    // Scores the number the call passes; a text answer scores 0.
    const scorer = scorerFromFunction((conversation) => {
      const call = conversation.at(-1)!.tool_calls?.[0];
      return call ? (JSON.parse(call.function.arguments) as { n: number }).n : 0;
    });
    const model = wrapLanguageModel({ model: provider, middleware: rewardgate({ middleware: [bestOfN({ n: 3, scorer, sampling: { seed: 10 } })] }) });
    const pick = tool({
      inputSchema: jsonSchema<{ n: number }>({ type: 'object', properties: { n: { type: 'number' } } }),
      execute: async ({ n }) => {
        ns.push(n);
        return 'ok';
      },
    });
    const result = await generateText({ model, prompt: 'Pick a number', tools: { pick }, stopWhen: stepCountIs(3) });
    expect(ns).toEqual([12]);
    expect(result.steps[0]!.toolCalls.map((c) => c.toolCallId)).toEqual(['call_12']);
    expect(result.text).toBe('Done.');
    expect(server.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(6);
  });

  it('refuses a tool call the output guard blocks, plain and streaming, and never runs it', async () => {
    const cities: string[] = [];
    // The guard reads the call as text, in the documented <tool_call> form.
    const guard = guardFromFunction((conversation) => !/"city":"Paris"/.test(turnText(conversation.at(-1)!)));
    const model = wrapLanguageModel({ model: await upstream(weatherAgent), middleware: rewardgate({ middleware: [safety({ guard, refusal: REFUSAL })] }) });
    const tools = { weather: weatherTool(cities) };
    const plain = await generateText({ model, prompt: 'Weather in Paris?', tools, stopWhen: stepCountIs(3) });
    expect(plain.text).toBe(REFUSAL);
    expect(plain.finishReason).toBe('content-filter');
    expect(plain.steps).toHaveLength(1);
    expect(plain.toolCalls).toEqual([]);
    expect((plain.providerMetadata?.rewardgate as { refused: boolean }).refused).toBe(true);
    // Provider metadata is often forwarded to browsers: the blocked call is not in it.
    expect(JSON.stringify(plain.providerMetadata)).not.toContain('Paris');

    const streamed = streamText({ model, prompt: 'Weather in Paris?', tools, stopWhen: stepCountIs(3) });
    const types: string[] = [];
    for await (const part of streamed.fullStream) types.push(part.type);
    expect(await streamed.text).toBe(REFUSAL);
    expect(await streamed.finishReason).toBe('content-filter');
    expect(types).not.toContain('tool-call');
    expect(cities).toEqual([]);
  });
});
