// A Prompt Guard 2 style classifier (tiny-injection: a real BERT-style ONNX encoder over plain
// text, BENIGN / MALICIOUS, 512 positions): defaults from its labels, PyTorch parity, the last
// turn's text as input, and windowing of long texts in one run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardInputError } from '../../src/errors.js';
import { loadGuard, loadTokenizer, type LocalGuard, type LocalGuardRaw } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { copyModel, MODELS } from './fixtures.js';

const INJECTION = `${MODELS}/tiny-injection`;
interface Refs {
  labels: string[];
  cases: { text: string; input_ids: number[]; logits: number[]; label: string }[];
  filler: string;
  attack: string;
}
const refs = JSON.parse(readFileSync(`${INJECTION}/refs-injection.json`, 'utf8')) as Refs;
const user = (content: string): Message[] => [{ role: 'user', content }];

let guard: LocalGuard;
beforeAll(async () => {
  guard = await loadGuard({ path: INJECTION, device: 'cpu' });
});
afterAll(() => guard.close());

describe('loadGuard on a prompt-injection classifier (tiny-injection, CPU)', () => {
  it('takes BENIGN as the safe label, maps MALICIOUS to prompt_injection and windows long inputs by default', async () => {
    expect(guard.labels).toEqual(['BENIGN', 'MALICIOUS']);
    expect([guard.maxLength, guard.truncation]).toEqual([512, 'window']);
    const v = await guard.check(user(refs.attack));
    expect(v.safe).toBe(false);
    expect(v.categories).toEqual([{ category: 'prompt_injection', label: 'MALICIOUS', score: expect.any(Number) }]);
    expect((await guard.check(user(refs.cases[0]!.text))).safe).toBe(true);
  });

  it('frames the text as the tokenizer does ([CLS] text [SEP]) and reproduces the PyTorch logits within 1e-4, batched', async () => {
    const tok = await loadTokenizer({ path: INJECTION });
    expect(tok.chatTemplate).toBeUndefined();
    for (const c of refs.cases) expect([2, ...tok.encode(c.text), 3]).toEqual(c.input_ids);
    const before = guard.stats();
    const verdicts = await Promise.all(refs.cases.map((c) => guard.check(user(c.text))));
    expect(guard.stats().runs - before.runs).toBeLessThan(refs.cases.length);
    verdicts.forEach((v, i) => {
      const raw = v.raw as LocalGuardRaw;
      const ref = refs.cases[i]!;
      raw.logits.forEach((x, k) => expect(Math.abs(x - ref.logits[k]!)).toBeLessThan(1e-4));
      expect(raw.label).toBe(ref.label);
      expect(v.safe).toBe(ref.label === 'BENIGN');
    });
    // The fixture has both labels, short and long texts, and the attack inside benign text.
    expect(new Set(refs.cases.map((c) => c.label))).toEqual(new Set(['BENIGN', 'MALICIOUS']));
    expect(refs.cases.some((c) => c.label === 'MALICIOUS' && c.input_ids.length > 200)).toBe(true);
  });

  it("judges the last turn's text: a tool result carrying an attack, not the user turn before it", async () => {
    const toolTurn: Message[] = [
      { role: 'user', content: 'Summarise this page.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'fetch', arguments: '{"url":"https://example.test"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: `the museum opens at nine in the morning. ${refs.attack}` }] },
    ];
    expect((await guard.check(toolTurn)).categories[0]?.category).toBe('prompt_injection');
    const answered: Message[] = [...user(refs.attack), { role: 'assistant', content: 'the bakery opens at nine in the morning.' }];
    expect((await guard.check(answered)).safe).toBe(true);
  });

  it('an attack after 512 tokens of benign text: caught by windowing in one run, missed by keep-start', async () => {
    const tok = await loadTokenizer({ path: INJECTION });
    const text = `${refs.filler} ${refs.attack}`;
    const body = tok.encode(text).length;
    expect(tok.encode(refs.filler).length + 2).toBeGreaterThan(512);
    expect((await guard.check(user(refs.filler))).safe).toBe(true);
    const before = guard.stats();
    const v = await guard.check(user(text));
    const after = guard.stats();
    const raw = v.raw as LocalGuardRaw;
    // 510 text tokens a window, overlapping by 64.
    const windows = Math.ceil((body - 510) / (510 - 64)) + 1;
    expect(raw.windows!.unsafeness).toHaveLength(windows);
    expect([after.runs - before.runs, after.sequences - before.sequences]).toEqual([1, windows]);
    expect(v.categories[0]).toMatchObject({ category: 'prompt_injection', label: 'MALICIOUS' });
    expect(raw.windows!.worst).toBe(windows - 1);
    expect(raw.windows!.unsafeness[0]).toBeLessThan(0.5);

    const cut = await loadGuard({ path: INJECTION, device: 'cpu', truncation: 'keep-start' });
    const strict = await loadGuard({ path: INJECTION, device: 'cpu', truncation: 'error' });
    try {
      const missed = await cut.check(user(text));
      expect(missed.safe).toBe(true);
      expect((missed.raw as LocalGuardRaw).truncated).toEqual({ droppedTurns: 0, droppedTokens: body + 2 - 512 });
      const error = await strict.check(user(text)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GuardInputError);
      expect(error).toMatchObject({ code: 'context_length_exceeded', guard: 'loadGuard(tiny-injection)' });
      expect((error as Error).message).toMatch(new RegExp(`is ${body + 2} tokens, over the guard's maxLength 512 \\(the judged text is one turn, never cut\\); pass truncation: 'window'`));
    } finally {
      await Promise.all([cut.close(), strict.close()]);
    }
  });

  it('categoryMap and safeLabel still override the defaults', async () => {
    const custom = await loadGuard({ path: INJECTION, device: 'cpu', categoryMap: { MALICIOUS: 'jailbreak' } });
    try {
      expect((await custom.check(user(refs.attack))).categories[0]).toMatchObject({ category: 'jailbreak', label: 'MALICIOUS' });
    } finally {
      await custom.close();
    }
    await expect(loadGuard({ path: INJECTION, device: 'cpu', safeLabel: 'safe' })).rejects.toThrow(/no 'safe' label \(labels: BENIGN, MALICIOUS\)/);
  });

  it('reads other injection label sets (SAFE / INJECTION) the same way, and leaves other labels as they were', async () => {
    const relabel = async (names: [string, string]) => {
      const copy = copyModel(INJECTION);
      const file = join(copy.dir, 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8'));
      config.id2label = { 0: names[0], 1: names[1] };
      config.label2id = { [names[0]]: 0, [names[1]]: 1 };
      writeFileSync(file, JSON.stringify(config));
      return copy;
    };
    const deberta = await relabel(['SAFE', 'INJECTION']);
    const other = await relabel(['ok', 'spam']);
    try {
      const g = await loadGuard({ path: deberta.dir, device: 'cpu' });
      try {
        expect(g.truncation).toBe('window');
        expect((await g.check(user(refs.attack))).categories[0]).toMatchObject({ category: 'prompt_injection', label: 'INJECTION' });
      } finally {
        await g.close();
      }
      await expect(loadGuard({ path: other.dir, device: 'cpu' })).rejects.toThrow(/no 'safe' label/);
      const plain = await loadGuard({ path: other.dir, device: 'cpu', safeLabel: 'ok' });
      try {
        expect(plain.truncation).toBe('error');
        expect((await plain.check(user(refs.attack))).categories[0]).toMatchObject({ category: 'other', label: 'spam' });
      } finally {
        await plain.close();
      }
    } finally {
      deberta.cleanup();
      other.cleanup();
    }
  });
});
