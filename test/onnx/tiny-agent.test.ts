// tiny-agent: a real tool-calling decoder with a KV cache in the transformers.js layout
// (onnx/model.onnx). Its references come from a PyTorch port of transformers' Llama (README).
import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAbortError, ValidationError } from '../../src/errors.js';
import type { StreamEvent } from '../../src/interfaces.js';
import { loadChatModel, type LocalChatModel, type LocalCompletion } from '../../src/onnx/index.js';
import type { ChatRequest, Message, Tool } from '../../src/types.js';
import { expectFirstStepLogits } from './first-step.js';
import { MODELS } from './fixtures.js';

const AGENT = `${MODELS}/tiny-agent`;

interface AgentCase {
  name: string;
  messages: Array<Record<string, unknown>>;
  tools?: Tool[];
  prompt_text: string;
  prompt_ids: number[];
  greedy_ids: number[];
  greedy_text: string;
  first_step_top5: Array<{ id: number; logit: number }>;
}
const cases = (JSON.parse(readFileSync(`${AGENT}/refs-agent.json`, 'utf8')) as { cases: AgentCase[] }).cases;

/** Python's json.dumps (", " and ": " separators): what the template's tojson writes for a mapping. */
function pyDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyDumps(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

/** The case's messages in rewardgate's shape: tool-call arguments are JSON text (a mapping as tojson writes it). */
function messagesOf(c: AgentCase): Message[] {
  return c.messages.map((m) => {
    const calls = m.tool_calls as Array<{ id: string; type: 'function'; function: { name: string; arguments: unknown } }> | undefined;
    if (!calls) return m as Message;
    return {
      ...m,
      tool_calls: calls.map((t) => ({ ...t, function: { name: t.function.name, arguments: typeof t.function.arguments === 'string' ? t.function.arguments : pyDumps(t.function.arguments) } })),
    } as Message;
  });
}

const requestOf = (c: AgentCase, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  messages: messagesOf(c),
  ...(c.tools ? { tools: c.tools } : {}),
  temperature: 0,
  max_tokens: 128,
  ...extra,
});

/** What the reference text says the completion is: the tool calls in it, and the text outside them. */
function expectedOf(c: AgentCase) {
  const calls = [...c.greedy_text.matchAll(/<tool_call>\n([\s\S]*?)\n<\/tool_call>/g)].map((m) => {
    const json = JSON.parse(m[1]!) as { name: string; arguments: unknown };
    return { name: json.name, arguments: m[1]!.slice(m[1]!.indexOf('"arguments": ') + '"arguments": '.length, -1) };
  });
  const text = c.tools ? c.greedy_text.replace(/\n?<tool_call>\n[\s\S]*?\n<\/tool_call>\n?/g, '') : c.greedy_text;
  return { calls, text };
}

function check(c: AgentCase, completion: LocalCompletion) {
  expect(completion.tokenIds, c.name).toEqual(c.greedy_ids);
  const { calls, text } = expectedOf(c);
  expect(completion.text, c.name).toBe(text);
  expect((completion.toolCalls ?? []).map((t) => t.function), c.name).toEqual(calls);
  expect(completion.finishReason, c.name).toBe(calls.length > 0 ? 'tool_calls' : 'stop');
  for (const call of completion.toolCalls ?? []) expect(call).toMatchObject({ id: expect.stringMatching(/^call_/), type: 'function' });
}

let chat: LocalChatModel;
beforeAll(async () => {
  chat = await loadChatModel({ path: AGENT, device: 'cpu' });
});
afterAll(() => chat.close());

describe('tiny-agent (KV cache, tools) on CPU', () => {
  it('loads onnx/model.onnx with its cache and renders every reference prompt, tools included', () => {
    expect(chat.cached).toBe(true);
    expect(chat.maxLength).toBe(512);
    for (const c of cases) {
      const text = chat.tokenizer.render(messagesOf(c), { addGenerationPrompt: true, ...(c.tools ? { variables: { tools: c.tools } } : {}) });
      expect(text, c.name).toBe(c.prompt_text);
      expect(chat.tokenizer.encode(text), c.name).toEqual(c.prompt_ids);
    }
  });

  it('the first step gives the reference top-5 logits', async () => {
    await expectFirstStepLogits(AGENT, cases);
  });

  it('greedy decoding reproduces every reference id list, one call at a time; tool calls are parsed', async () => {
    for (const c of cases) check(c, await chat.generate(requestOf(c)));
  });

  it('all 20 at once decode in shared steps and give the same ids', async () => {
    const before = chat.stats();
    const completions = await Promise.all(cases.map((c) => chat.generate(requestOf(c))));
    cases.forEach((c, i) => check(c, completions[i]!));
    const after = chat.stats();
    const runs = after.runs - before.runs;
    const rows = after.rows - before.rows;
    expect(rows).toBe(cases.reduce((n, c) => n + c.greedy_ids.length, 0));
    // Unbatched, every token is its own run; 16 rows a step at most, so at least 20 rows share a run early on.
    expect(runs).toBeLessThan(rows / 4);
  });

  it('streams tool calls as tool-call events; the markup never appears as text', async () => {
    const c = cases.find((x) => x.name === 'email')!;
    const events: StreamEvent<LocalCompletion>[] = [];
    for await (const e of chat.stream(requestOf(c))) events.push(e);
    expect(events.filter((e) => e.type === 'text-delta')).toEqual([]);
    const deltas = events.filter((e) => e.type === 'tool-call-delta');
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas[0]).toMatchObject({ index: 0, name: 'send_email', id: expect.stringMatching(/^call_/) });
    const call = events.find((e) => e.type === 'tool-call');
    const finish = events.at(-1);
    expect(finish?.type).toBe('finish');
    const completion = (finish as { completion: LocalCompletion }).completion;
    expect(call).toEqual({ type: 'tool-call', index: 0, toolCall: completion.toolCalls![0] });
    expect(deltas.map((d) => d.argumentsDelta).join('')).toBe(completion.toolCalls![0]!.function.arguments);
    check(c, completion);
  });

  it('streams plain answers as text deltas when tools are offered', async () => {
    const c = cases.find((x) => x.name === 'weather_result')!;
    const deltas: string[] = [];
    let completion: LocalCompletion | undefined;
    const signal = new AbortController().signal;
    for await (const e of chat.stream(requestOf(c), { signal })) {
      if (e.type === 'text-delta') deltas.push(e.text);
      if (e.type === 'finish') completion = e.completion;
      expect(e.type === 'tool-call' || e.type === 'tool-call-delta').toBe(false);
    }
    expect(deltas.join('')).toBe(c.greedy_text);
    check(c, completion!);
    expect(getEventListeners(signal, 'abort')).toEqual([]);
  });

  it("tool_choice 'none' leaves call markup as text", async () => {
    const c = cases.find((x) => x.name === 'weather_paris')!;
    const completion = await chat.generate(requestOf(c, { tool_choice: 'none' }));
    expect(completion.toolCalls).toBeUndefined();
    expect(completion.text).toBe(c.greedy_text);
    expect(completion.finishReason).toBe('stop');
  });

  it('an aborted stream leaves the batch; the calls decoding beside it are unchanged', async () => {
    const controller = new AbortController();
    const victim = (async () => {
      let n = 0;
      for await (const e of chat.stream(requestOf(cases[3]!), { signal: controller.signal })) if (e.type === 'tool-call-delta' && ++n === 2) controller.abort();
    })();
    const others = Promise.all(cases.slice(0, 3).map((c) => chat.generate(requestOf(c))));
    await expect(victim).rejects.toBeInstanceOf(UserAbortError);
    (await others).forEach((completion, i) => check(cases[i]!, completion));
  });

  it('a seed samples the same tokens alone and in a batch', async () => {
    const c = cases.find((x) => x.name === 'chat_no_tools')!;
    const request = requestOf(c, { temperature: 1, top_p: 0.9, seed: 21, max_tokens: 40 });
    const alone = await chat.generate(request);
    const [batched] = await Promise.all([chat.generate(request), ...cases.slice(0, 4).map((x) => chat.generate(requestOf(x, { temperature: 1, seed: 5 })))]);
    expect(batched!.tokenIds).toEqual(alone.tokenIds);
  });

  it('min_new_tokens holds back the end of sequence; top_k 1 is greedy; bad extras are named', async () => {
    const c = cases.find((x) => x.name === 'harmful_no_tools')!; // 18 greedy tokens, then </s>
    const long = await chat.generate(requestOf(c, { max_tokens: 30, extra: { min_new_tokens: 30 } }));
    expect(long.tokenIds).toHaveLength(30);
    expect(long.tokenIds.slice(0, 17)).toEqual(c.greedy_ids.slice(0, 17));
    expect(long.tokenIds).not.toContain(2);
    expect(long.finishReason).toBe('length');
    const topK = await chat.generate(requestOf(c, { temperature: 1.5, seed: 9, extra: { top_k: 1 } }));
    expect(topK.tokenIds).toEqual(c.greedy_ids);
    const penalized = await chat.generate(requestOf(c, { extra: { repetition_penalty: 3 } }));
    expect(penalized.tokenIds).not.toEqual(c.greedy_ids);
    await expect(chat.generate(requestOf(c, { extra: { top_k: -1 } }))).rejects.toThrow(ValidationError);
    await expect(chat.generate(requestOf(c, { extra: { repetition_penalty: 0 } }))).rejects.toThrow(/extra\.repetition_penalty/);
  });

  it('takes session options, and rejects bad ones by path', async () => {
    const own = await loadChatModel({ path: AGENT, device: 'cpu', batchSize: 2, session: { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' } });
    try {
      const c = cases[0]!;
      const results = await Promise.all([c, c, c].map((x) => own.generate(requestOf(x))));
      for (const r of results) check(c, r);
    } finally {
      await own.close();
    }
    await expect(loadChatModel({ path: AGENT, session: { intraOpNumThreads: -1 } })).rejects.toThrow(/session\.intraOpNumThreads/);
    await expect(loadChatModel({ path: AGENT, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});
