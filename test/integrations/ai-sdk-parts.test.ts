// The AI SDK shapes no OpenAI-compatible upstream produces (sources, provider-executed tools, part
// metadata, files in the prompt) through rewardgate/ai-sdk, with the AI SDK's own mock model.
import { generateText, jsonSchema, type ModelMessage, simulateReadableStream, streamText, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { rewardgate } from '../../src/integrations/ai-sdk.js';
import type { Middleware } from '../../src/pipeline/types.js';
import type { ChatRequest } from '../../src/types.js';

const usage = { inputTokens: { total: 4, noCache: 2, cacheRead: 2, cacheWrite: undefined }, outputTokens: { total: 3, text: 1, reasoning: 2 } };
const mock = (value: Record<string, string | number | boolean>) => ({ mock: value });
const source = { type: 'source' as const, sourceType: 'url' as const, id: 's1', url: 'https://example.com/doc', title: 'Doc' };
// A search the provider ran itself: its call and result come with the answer.
const searched = [
  { type: 'tool-call' as const, toolCallId: 'p1', toolName: 'web_search', input: '{"q":"rain"}', providerExecuted: true, dynamic: true },
  { type: 'tool-result' as const, toolCallId: 'p1', toolName: 'web_search', result: { hits: 1 }, dynamic: true },
];

/** A model whose answer has every kind of part, each with provider metadata. */
function richModel() {
  return new MockLanguageModelV4({
    doGenerate: async () => ({
      content: [
        { type: 'reasoning', text: 'Check the docs.', providerMetadata: mock({ signature: 'r-sig' }) },
        { type: 'text', text: 'It rains.', providerMetadata: mock({ cited: true }) },
        source,
        ...searched,
        { type: 'tool-call', toolCallId: 'c1', toolName: 'umbrella', input: '{"open":true}', providerMetadata: mock({ thoughtSignature: 't-sig' }) },
      ],
      finishReason: { unified: 'tool-calls', raw: 'TOOL_USE' },
      usage,
      providerMetadata: mock({ requestCost: 3 }),
      response: { id: 'resp-1', modelId: 'mock-1' },
      warnings: [],
    }),
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start' as const, warnings: [] },
          { type: 'response-metadata' as const, id: 'resp-1', modelId: 'mock-1' },
          { type: 'reasoning-start' as const, id: 'r' },
          { type: 'reasoning-delta' as const, id: 'r', delta: 'Check ' },
          { type: 'reasoning-delta' as const, id: 'r', delta: 'the docs.' },
          { type: 'reasoning-end' as const, id: 'r' },
          { type: 'text-start' as const, id: 't' },
          { type: 'text-delta' as const, id: 't', delta: 'It ' },
          { type: 'text-delta' as const, id: 't', delta: 'rains.' },
          { type: 'text-end' as const, id: 't' },
          source,
          ...searched,
          { type: 'tool-input-start' as const, id: 'c1', toolName: 'umbrella' },
          { type: 'tool-input-delta' as const, id: 'c1', delta: '{"open":' },
          { type: 'tool-input-delta' as const, id: 'c1', delta: 'true}' },
          { type: 'tool-input-end' as const, id: 'c1' },
          { type: 'tool-call' as const, toolCallId: 'c1', toolName: 'umbrella', input: '{"open":true}', providerMetadata: mock({ thoughtSignature: 't-sig' }) },
          { type: 'finish' as const, finishReason: { unified: 'tool-calls' as const, raw: 'TOOL_USE' }, usage, providerMetadata: mock({ requestCost: 3 }) },
        ],
      }),
    }),
  });
}

// No execute: the loop stops at the call, and the result shows it.
const umbrella = tool({ description: 'Opens the umbrella', inputSchema: jsonSchema<{ open: boolean }>({ type: 'object', properties: { open: { type: 'boolean' } } }) });
const passthrough: Middleware = { name: 'passthrough', generate: (_ctx, next) => next(), stream: (_ctx, next) => next() };
// Rewrites the answer text, as docs/pipeline.md's `shorten` does.
const shout: Middleware = { name: 'shout', generate: async (_ctx, next) => ({ ...(await next()), text: 'IT RAINS.' }) };

describe('rewardgate/ai-sdk with the AI SDK part types', () => {
  it('returns the model answer it passed on with all its parts and metadata', async () => {
    const model = wrapLanguageModel({ model: richModel(), middleware: rewardgate({ middleware: [passthrough] }) });
    const result = await generateText({ model, prompt: 'Weather?', tools: { umbrella } });
    expect(result.text).toBe('It rains.');
    expect(result.reasoning).toEqual([{ type: 'reasoning', text: 'Check the docs.', providerMetadata: mock({ signature: 'r-sig' }) }]);
    expect(result.sources).toEqual([expect.objectContaining({ id: 's1', url: 'https://example.com/doc' })]);
    expect(result.staticToolCalls.map((c) => [c.toolCallId, c.input, c.providerMetadata])).toEqual([['c1', { open: true }, mock({ thoughtSignature: 't-sig' })]]);
    expect(result.toolResults).toEqual([expect.objectContaining({ toolCallId: 'p1', output: { hits: 1 }, providerExecuted: true })]);
    expect(result.finishReason).toBe('tool-calls');
    expect(result.rawFinishReason).toBe('TOOL_USE');
    // The model's own usage, with its cache and reasoning counts (the pipeline has totals only).
    expect(result.usage.inputTokenDetails.cacheReadTokens).toBe(2);
    expect(result.usage.outputTokenDetails.reasoningTokens).toBe(2);
    expect(result.providerMetadata?.mock).toEqual({ requestCost: 3 });
    expect((result.providerMetadata?.rewardgate as { refused: boolean }).refused).toBe(false);
    expect(result.response.id).toBe('resp-1');
  });

  it('builds the parts of an answer a middleware rewrote, keeping each call with its own metadata', async () => {
    const model = wrapLanguageModel({ model: richModel(), middleware: rewardgate({ middleware: [shout] }) });
    const result = await generateText({ model, prompt: 'Weather?', tools: { umbrella } });
    expect(result.text).toBe('IT RAINS.');
    expect(result.reasoningText).toBe('Check the docs.');
    expect(result.staticToolCalls.map((c) => [c.toolCallId, c.providerMetadata])).toEqual([['c1', mock({ thoughtSignature: 't-sig' })]]);
    // The model's metadata and sources describe an answer that is not the one returned.
    expect(result.providerMetadata?.mock).toBeUndefined();
    expect(result.sources).toEqual([]);
    expect((result.providerMetadata?.rewardgate as { report: { candidates: unknown[] } }).report.candidates).toHaveLength(1);
  });

  it('streams reasoning, text, sources, provider-run tools and the call with its metadata', async () => {
    const model = wrapLanguageModel({ model: richModel(), middleware: rewardgate({ middleware: [passthrough] }) });
    const result = streamText({ model, prompt: 'Weather?', tools: { umbrella } });
    const parts: Array<{ type: string; [key: string]: unknown }> = [];
    for await (const part of result.fullStream) parts.push(part);
    expect(parts.filter((p) => p.type === 'reasoning-delta').map((p) => p.text)).toEqual(['Check ', 'the docs.']);
    expect(parts.filter((p) => p.type === 'text-delta').map((p) => p.text)).toEqual(['It ', 'rains.']);
    expect(parts.filter((p) => p.type === 'tool-input-delta').map((p) => p.delta)).toEqual(['{"open":', 'true}']);
    const call = parts.find((p) => p.type === 'tool-call' && p.toolCallId === 'c1');
    expect(call).toMatchObject({ input: { open: true }, providerMetadata: mock({ thoughtSignature: 't-sig' }) });
    expect(parts.some((p) => p.type === 'source' && p.id === 's1')).toBe(true);
    expect(parts.some((p) => p.type === 'tool-result' && p.toolCallId === 'p1')).toBe(true);
    expect(await result.reasoningText).toBe('Check the docs.');
    expect(await result.finishReason).toBe('tool-calls');
    expect((await result.providerMetadata)?.mock).toEqual({ requestCost: 3 });
  });

  it('gives the pipeline the prompt in the OpenAI shape: file parts, reasoning, tool calls and results', async () => {
    const seen: ChatRequest[] = [];
    const record: Middleware = { name: 'record', generate: (ctx, next) => (seen.push(ctx.request), next()) };
    const call = { type: 'tool-call' as const, toolCallId: 'c2', toolName: 'lookup', input: '{"q":"y"}' };
    const remote = new MockLanguageModelV4({ doGenerate: async () => ({ content: [call], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] }) });
    const model = wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: [record] }) });
    await generateText({ model, instructions: 'Be helpful.', messages: conversation(), tools: { lookup }, toolChoice: { type: 'tool', toolName: 'lookup' }, temperature: 0.2, topK: 5 });
    expect(seen[0]).toMatchObject({ temperature: 0.2, tool_choice: { type: 'function', function: { name: 'lookup' } }, extra: { top_k: 5 } });
    expect(seen[0]!.messages).toEqual([
      { role: 'system', content: 'Be helpful.' },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } }, { type: 'file', file: { file_data: 'data:application/pdf;base64,BAU=', filename: 'a.pdf' } }] },
      { role: 'assistant', content: 'Let me look.', reasoning: 'Think.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '{"hits":2}' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('sends the model only what a middleware changed: tools, tool choice, format and new turns', async () => {
    const remote = new MockLanguageModelV4({ doGenerate: async () => ({ content: [{ type: 'text', text: '{}' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] }) });
    const narrow: Middleware = {
      name: 'narrow',
      generate: (ctx, next) =>
        next({
          ...ctx.request,
          messages: [{ role: 'system', content: 'Rules.' }, ...ctx.request.messages],
          tools: ctx.request.tools!.filter((t) => t.function.name === 'lookup'),
          tool_choice: { type: 'function', function: { name: 'lookup' } },
          response_format: { type: 'json_object' },
        }),
    };
    const tools = { lookup, umbrella };
    await generateText({ model: wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: [passthrough] }) }), instructions: 'Be helpful.', messages: conversation(), tools });
    await generateText({ model: wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: [narrow] }) }), instructions: 'Be helpful.', messages: conversation(), tools });
    const [unchanged, changed] = remote.doGenerateCalls;
    expect(unchanged!.tools).toHaveLength(2);
    // The turns a middleware left alone go out as the AI SDK wrote them (provider options and all).
    expect(changed!.prompt[0]).toEqual({ role: 'system', content: 'Rules.' });
    expect(changed!.prompt.slice(1)).toEqual(unchanged!.prompt);
    expect(unchanged!.prompt.find((m) => m.role === 'user')?.providerOptions).toEqual(mock({ cache: true }));
    expect(changed!.tools).toEqual(unchanged!.tools!.filter((t) => t.name === 'lookup'));
    expect(changed!.toolChoice).toEqual({ type: 'tool', toolName: 'lookup' });
    expect(changed!.responseFormat).toEqual({ type: 'json' });
    expect(unchanged!.responseFormat).toBeUndefined();
  });

  it('converts the turns a middleware rewrote back to AI SDK parts', async () => {
    const remote = new MockLanguageModelV4({ doGenerate: async () => ({ content: [{ type: 'text', text: 'Ok.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] }) });
    // Redacts the question's text and the tool's output, keeps the image.
    const redact: Middleware = {
      name: 'redact',
      generate: (ctx, next) =>
        next({
          ...ctx.request,
          messages: ctx.request.messages.map((m) => {
            if (m.role === 'tool') return { ...m, content: '[redacted]' };
            if (m.role === 'user' && Array.isArray(m.content)) return { ...m, content: m.content.map((p) => (p.type === 'text' ? { type: 'text', text: '[question]' } : p)) };
            return m;
          }),
        }),
    };
    await generateText({ model: wrapLanguageModel({ model: remote, middleware: rewardgate({ middleware: [redact] }) }), instructions: 'Be helpful.', messages: conversation(), tools: { lookup } });
    const prompt = remote.doGenerateCalls[0]!.prompt;
    expect(prompt[1]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: '[question]' },
        { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'AQID' } },
        { type: 'file', mediaType: 'application/pdf', filename: 'a.pdf', data: { type: 'data', data: 'BAU=' } },
      ],
    });
    expect(prompt[3]).toEqual({ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'lookup', output: { type: 'text', value: '[redacted]' } }] });
    // The turns it left alone are the AI SDK's own.
    expect(prompt[2]!.content).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'tool-call', toolCallId: 'c1', input: { q: 'x' } })]));
    expect(prompt[4]).toMatchObject({ role: 'user', content: [{ type: 'text', text: 'Thanks' }] });
  });
});

const lookup = tool({ description: 'Looks up', inputSchema: jsonSchema<{ q: string }>({ type: 'object', properties: { q: { type: 'string' } } }), execute: async () => ({ hits: 2 }) });

function conversation(): ModelMessage[] {
  return [
    {
      role: 'user',
      providerOptions: mock({ cache: true }),
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'file', data: new Uint8Array([1, 2, 3]), mediaType: 'image/png' },
        { type: 'file', data: new Uint8Array([4, 5]), mediaType: 'application/pdf', filename: 'a.pdf' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Think.' },
        { type: 'text', text: 'Let me look.' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: { q: 'x' } },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'lookup', output: { type: 'json', value: { hits: 2 } } }] },
    { role: 'user', content: 'Thanks' },
  ];
}
