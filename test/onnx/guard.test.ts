import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { loadGuard, type LocalGuard, type LocalGuardRaw } from '../../src/onnx/index.js';
import { GUARD, REWARD, chatGuardRefs } from './fixtures.js';

const { guard: cases, guard_labels: labels } = chatGuardRefs();
let guard: LocalGuard;
beforeAll(async () => {
  guard = await loadGuard({ path: GUARD, device: 'cpu' });
});
afterAll(() => guard.close());

describe('loadGuard on tiny-guard (CPU)', () => {
  it('reads its labels from config.json id2label', () => {
    expect(guard.labels).toEqual(labels);
  });

  it('reproduces the reference logits within 1e-4 and the right label, checked concurrently', async () => {
    const before = guard.stats();
    const verdicts = await Promise.all(cases.map((c) => guard.check(c.messages)));
    expect(guard.stats().runs - before.runs).toBeLessThan(cases.length);
    verdicts.forEach((v, i) => {
      const raw = v.raw as LocalGuardRaw;
      const ref = cases[i]!;
      raw.logits.forEach((x, k) => expect(Math.abs(x - ref.logits[k]!)).toBeLessThan(1e-4));
      expect(raw.label).toBe(ref.label);
      expect(v.safe).toBe(ref.label === 'safe');
      if (ref.label === 'safe') expect(v.categories).toEqual([]);
      // tiny-guard's labels are taxonomy names, so each maps onto itself.
      else expect(v.categories[0]).toMatchObject({ category: ref.label, label: ref.label });
    });
    // Probabilities are a softmax over the labels.
    const probs = Object.values((verdicts[0]!.raw as LocalGuardRaw).probabilities);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('covers both rails and several categories in the fixture', () => {
    expect(new Set(cases.map((c) => c.label)).size).toBeGreaterThan(3);
    expect(cases.some((c) => c.messages.length === 2)).toBe(true);
  });

  it('maps labels through categoryMap, and null ignores a label', async () => {
    const unsafe = cases.filter((c) => c.label === 'theft' || c.label === 'weapons');
    expect(unsafe.length).toBeGreaterThan(0);
    const mapped = await loadGuard({ path: GUARD, device: 'cpu', categoryMap: { theft: 'illegal_activity', weapons: null } });
    try {
      for (const c of unsafe) {
        const v = await mapped.check(c.messages);
        if (c.label === 'theft') expect(v.categories[0]).toMatchObject({ category: 'illegal_activity', label: 'theft' });
        else expect(v.categories.some((h) => h.label === 'weapons')).toBe(false);
      }
    } finally {
      await mapped.close();
    }
  });

  it("maps a label named like an inherited property (e.g. 'constructor') to 'other', not to the property", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rewardgate-guard-'));
    try {
      await cp(GUARD, dir, { recursive: true });
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      const renamed = 'theft';
      const at = Object.keys(config.id2label).find((k) => config.id2label[k] === renamed)!;
      config.id2label[at] = 'constructor';
      if (config.label2id) config.label2id = Object.fromEntries(Object.entries(config.id2label).map(([k, v]) => [v, Number(k)]));
      await writeFile(join(dir, 'config.json'), JSON.stringify(config));
      const odd = await loadGuard({ path: dir, device: 'cpu' });
      try {
        const harmful = cases.find((c) => c.label === renamed)!;
        const v = await odd.check(harmful.messages);
        expect(v.categories[0]).toEqual({ category: 'other', label: 'constructor', score: expect.any(Number) });
      } finally {
        await odd.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('threshold decides how sure the model must be', async () => {
    const strict = await loadGuard({ path: GUARD, device: 'cpu', threshold: 0.999999 });
    try {
      const harmful = cases.find((c) => c.label !== 'safe')!;
      const loose = await guard.check(harmful.messages);
      const raw = loose.raw as LocalGuardRaw;
      const v = await strict.check(harmful.messages);
      expect(v.safe).toBe(1 - raw.probabilities.safe! < 0.999999);
    } finally {
      await strict.close();
    }
  });

  it('a model without the safe label is a ModelLoadError naming config.json', async () => {
    const error = await loadGuard({ path: REWARD, device: 'cpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).file).toMatch(/tiny-reward\/config\.json$/);
    expect((error as Error).message).toMatch(/no 'safe' label.*LABEL_0.*safeLabel/);
  });

  it('rejects bad options and conversations with ValidationErrors', async () => {
    await expect(loadGuard({ path: GUARD, categoryMap: { theft: 'stealing' as 'theft' } })).rejects.toThrow(/categoryMap\.theft/);
    await expect(loadGuard({ path: GUARD, threshold: 2 })).rejects.toThrow(/threshold/);
    await expect(guard.check([])).rejects.toThrow(/conversation/);
  });
});
