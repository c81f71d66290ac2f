import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserAbortError, ValidationError } from '../../src/errors.js';
import { loadChatModel, type LocalChatModel, type LocalCompletion } from '../../src/onnx/index.js';
import { generationPromptSuffix } from '../../src/onnx/generation-prompt.js';
import type { StreamEvent } from '../../src/interfaces.js';
import { CHAT, chatGuardRefs, chatPromptMessages } from './fixtures.js';

const cases = chatGuardRefs().chat;
let chat: LocalChatModel;
beforeAll(async () => {
  chat = await loadChatModel({ path: CHAT, device: 'cpu' });
});
afterAll(() => chat.close());

async function collect(stream: AsyncIterable<StreamEvent<LocalCompletion>>) {
  const deltas: string[] = [];
  let finish: StreamEvent<LocalCompletion> | undefined;
  for await (const e of stream) {
    if (e.type === 'text-delta') deltas.push(e.text);
    else finish = e;
  }
  return { deltas, completion: finish?.type === 'finish' ? finish.completion : undefined };
}

describe('loadChatModel on tiny-chat (CPU)', () => {
  it("builds the reference prompt: the template, then '<|assistant|>\\n'", () => {
    expect(generationPromptSuffix(chat.tokenizer)).toBe('<|assistant|>\n');
    for (const c of cases) {
      const text = chat.tokenizer.render(chatPromptMessages(c), { addGenerationPrompt: true }) + '<|assistant|>\n';
      expect(text).toBe(c.prompt_text);
      expect(chat.tokenizer.encode(text)).toEqual(c.prompt_ids);
    }
  });

  it('greedy decoding (temperature 0) reproduces the reference continuation ids', async () => {
    for (const c of cases) {
      const completion = await chat.generate({ messages: chatPromptMessages(c), temperature: 0, max_tokens: c.greedy_ids.length });
      // The reference holds up to 40 greedy ids; an eos among them ends generation (counted, not shown).
      const eos = c.greedy_ids.findIndex((id) => chat.tokenizer.eosTokenIds.includes(id));
      const expected = eos >= 0 ? c.greedy_ids.slice(0, eos + 1) : c.greedy_ids;
      expect(completion.tokenIds).toEqual(expected);
      expect(completion.text).toBe(c.greedy_text);
      expect(completion.finishReason).toBe(eos >= 0 ? 'stop' : 'length');
      expect(completion.usage).toEqual({ promptTokens: c.prompt_ids.length, completionTokens: expected.length, totalTokens: c.prompt_ids.length + expected.length });
    }
  });

  it('concurrent calls share steps (right-padded, no cache) and give the unbatched ids', async () => {
    expect(chat.cached).toBe(false);
    const request = (c: (typeof cases)[number]) => ({ messages: chatPromptMessages(c), temperature: 0, max_tokens: c.greedy_ids.length });
    const alone = [];
    for (const c of cases) alone.push(await chat.generate(request(c)));
    const before = chat.stats();
    const together = await Promise.all(cases.map((c) => chat.generate(request(c))));
    const after = chat.stats();
    expect(together.map((t) => t.tokenIds)).toEqual(alone.map((a) => a.tokenIds));
    expect(together.map((t) => t.text)).toEqual(alone.map((a) => a.text));
    const tokens = alone.reduce((n, a) => n + a.tokenIds.length, 0);
    expect(after.rows - before.rows).toBe(tokens);
    expect(after.runs - before.runs).toBe(Math.max(...alone.map((a) => a.tokenIds.length)));
  });

  it('streams token by token; the deltas add up to the completion text', async () => {
    const c = cases[0]!;
    const { deltas, completion } = await collect(chat.stream({ messages: chatPromptMessages(c), temperature: 0, max_tokens: 12 }));
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(completion!.text);
    expect(completion!.finishReason).toBe('length');
    expect(completion!.usage!.completionTokens).toBe(12);
  });

  it('the same seed samples the same text; top_p near 0 is greedy', async () => {
    const messages = chatPromptMessages(cases[1]!);
    const a = await chat.generate({ messages, temperature: 1, seed: 7, max_tokens: 16 });
    const b = await chat.generate({ messages, temperature: 1, seed: 7, max_tokens: 16 });
    expect(b.text).toBe(a.text);
    const seeds = await Promise.all([1, 2, 3, 4, 5].map((seed) => chat.generate({ messages, temperature: 1.5, seed, max_tokens: 16 })));
    expect(new Set(seeds.map((s) => s.text)).size).toBeGreaterThan(1);
    const nucleus = await chat.generate({ messages, temperature: 1, top_p: 1e-9, seed: 3, max_tokens: 16 });
    const greedy = await chat.generate({ messages, temperature: 0, max_tokens: 16 });
    expect(nucleus.text).toBe(greedy.text);
  });

  it('stops at a stop string and never streams any part of it', async () => {
    const c = cases[0]!; // "Sure! To bake bread, mix flour, ..."
    const { deltas, completion } = await collect(chat.stream({ messages: chatPromptMessages(c), temperature: 0, stop: [', mix'] }));
    expect(completion!.text).toBe('Sure! To bake bread');
    expect(completion!.finishReason).toBe('stop');
    expect(deltas.join('')).toBe('Sure! To bake bread');
  });

  it('aborts between steps: the stream throws UserAbortError and generates no more', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const run = async () => {
      for await (const e of chat.stream({ messages: chatPromptMessages(cases[0]!), temperature: 0 }, { signal: controller.signal })) {
        if (e.type === 'text-delta') {
          seen.push(e.text);
          if (seen.length === 2) controller.abort(new Error('enough'));
        }
      }
    };
    await expect(run()).rejects.toBeInstanceOf(UserAbortError);
    expect(seen).toHaveLength(2);
    await expect(chat.generate({ messages: chatPromptMessages(cases[0]!) }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(UserAbortError);
  });

  it('breaking out of the stream stops generation', async () => {
    let n = 0;
    for await (const e of chat.stream({ messages: chatPromptMessages(cases[2]!), temperature: 0 })) {
      if (e.type === 'text-delta' && ++n === 1) break;
    }
    expect(n).toBe(1);
  });

  it('rejects bad requests and prompts longer than the model takes', async () => {
    await expect(chat.generate({ messages: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(chat.generate({ messages: [{ role: 'user', content: 'x' }], temperature: 5 })).rejects.toThrow(/temperature/);
    const long = 'word '.repeat(300);
    await expect(chat.generate({ messages: [{ role: 'user', content: long }] })).rejects.toThrow(/messages: the prompt is \d+ tokens; tiny-chat takes at most 255/);
  });

  it('close() lets the current step finish, then later steps fail', async () => {
    const own = await loadChatModel({ path: CHAT, device: 'cpu' });
    const stream = own.stream({ messages: chatPromptMessages(cases[0]!), temperature: 0 });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'text-delta' });
    await own.close();
    await expect(iterator.next()).rejects.toThrow(/closed/);
    await expect(Promise.all([own.close(), own.close()])).resolves.toBeDefined();
  });

  it('reports its device', () => {
    expect(chat.device).toBe('cpu');
    expect(chat.maxLength).toBe(256);
  });
});
