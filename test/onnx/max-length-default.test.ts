// A local model's default maxLength: config.json's max_position_embeddings, or tokenizer_config.json's
// model_max_length when smaller (RoBERTa declares 514 positions, takes 512 tokens), ignoring
// transformers' "no limit" sentinel. Read from what loading the tokenizer parsed.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGuard, loadScorer, type LocalGuardRaw } from '../../src/onnx/index.js';
import { MODELS } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-maxlen-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// A copy of a fixture folder whose tokenizer_config.json has `model_max_length` set to `value` (removed when undefined).
async function withMaxLength(model: string, name: string, value: number | undefined): Promise<string> {
  const folder = join(dir, name);
  await cp(join(MODELS, model), folder, { recursive: true });
  const file = join(folder, 'tokenizer_config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  if (value === undefined) delete config.model_max_length;
  else config.model_max_length = value;
  await writeFile(file, JSON.stringify(config));
  return folder;
}

describe('default maxLength of local models', () => {
  it('takes a smaller model_max_length, else the positions (512), also past the no-limit sentinel', async () => {
    const cases: [string, number | undefined, number][] = [['short', 100, 100], ['sentinel', 1e30, 512], ['absent', undefined, 512], ['larger', 4096, 512]];
    for (const [name, value, expected] of cases) {
      const scorer = await loadScorer({ path: await withMaxLength('tiny-reward', name, value), device: 'cpu' });
      try {
        expect([name, scorer.maxLength]).toEqual([name, expected]);
      } finally {
        await scorer.close();
      }
    }
  });

  it('applies to guards too, and a plain-text guard still frames its text as [CLS] text [SEP] (PyTorch logits)', async () => {
    const refs = JSON.parse(await readFile(join(MODELS, 'tiny-injection', 'refs-injection.json'), 'utf8')) as { cases: { text: string; input_ids: number[]; logits: number[] }[] };
    const guard = await loadGuard({ path: await withMaxLength('tiny-injection', 'injection', 64), device: 'cpu' });
    try {
      expect(guard.maxLength).toBe(64);
      const short = refs.cases.filter((c) => c.input_ids.length <= 64);
      expect(short.length).toBeGreaterThan(0);
      for (const c of short) {
        const raw = (await guard.check([{ role: 'user', content: c.text }])).raw as LocalGuardRaw;
        raw.logits.forEach((x, k) => expect(Math.abs(x - c.logits[k]!)).toBeLessThan(1e-4));
      }
    } finally {
      await guard.close();
    }
  });
});
