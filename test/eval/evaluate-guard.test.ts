import { describe, expect, it } from 'vitest';
import { messageText } from '../../src/content.js';
import { ValidationError } from '../../src/errors.js';
import { datasetCategory, detectionMetrics, evaluateGuard, latencyStats } from '../../src/eval/index.js';
import type { Category } from '../../src/taxonomy.js';
import { guardFromFunction } from '../../src/guards/guard-from-function.js';
import type { Guard } from '../../src/interfaces.js';

// A real Guard whose verdict per prompt is set in advance; it counts checks in flight.
function plannedGuard(plan: Record<string, Category[] | 'safe'>) {
  const state = { inFlight: 0, most: 0, checked: [] as string[] };
  const guard = guardFromFunction(async (conversation) => {
    const text = messageText(conversation.at(-1)!);
    state.checked.push(text);
    state.most = Math.max(state.most, ++state.inFlight);
    await new Promise((r) => setTimeout(r, 2));
    state.inFlight--;
    const verdict = plan[text] ?? 'safe';
    return verdict === 'safe' ? true : { safe: false, categories: verdict.map((category) => ({ category, label: category })) };
  });
  return Object.assign(guard, { state });
}

describe('evaluateGuard', () => {
  it('matches hand-computed confusion counts overall, per category, and in the category confusion', async () => {
    const guard = plannedGuard({ p2: ['violence'], p3: ['violence'], p4: ['weapons'], p6: ['hate'], p7: ['theft'] });
    const rows = [
      { id: 1, prompt: 'p1', label: 'safe' }, // TN
      { id: 2, prompt: 'p2', label: 'safe' }, // FP
      { id: 3, prompt: 'p3', label: 'unsafe', categories: ['violence'] }, // TP
      { id: 4, prompt: 'p4', label: 'unsafe', categories: ['violence', 'weapons'] }, // TP
      { id: 5, prompt: 'p5', label: 'unsafe', categories: 'Harassment' }, // FN
      { id: 6, prompt: 'p6', label: 1 }, // TP, no categories: left out of the category metrics
      { id: 7, prompt: 'p7', label: 'UNSAFE', violated_categories: 'Criminal Planning/Confessions' }, // TP
    ];
    const progress: number[] = [];
    const r = await evaluateGuard(rows, guard, { concurrency: 3, onProgress: (done) => progress.push(done) });
    expect(r.rows).toBe(7);
    expect(r.overall).toMatchObject({ tp: 4, fp: 1, fn: 1, tn: 1, precision: 0.8, recall: 0.8, fpr: 0.5, accuracy: 5 / 7 });
    expect(r.overall.f1).toBeCloseTo(0.8, 12);
    expect(r.categoryRows).toBe(6);
    expect(Object.keys(r.categories)).toEqual(['criminal_planning', 'harassment', 'theft', 'violence', 'weapons']);
    expect(r.categories.violence).toEqual({ tp: 1, fp: 1, fn: 1, tn: 3, precision: 0.5, recall: 0.5, f1: 0.5, fpr: 0.25, accuracy: 4 / 6, rows: 2, detected: 2, detectionRate: 1 });
    expect(r.categories.weapons).toMatchObject({ tp: 1, fp: 0, fn: 0, tn: 5, precision: 1, recall: 1, f1: 1, fpr: 0 });
    expect(r.categories.harassment).toMatchObject({ tp: 0, fn: 1, precision: null, recall: 0, f1: null, rows: 1, detected: 0, detectionRate: 0 });
    expect(r.categories.criminal_planning).toMatchObject({ fn: 1, rows: 1, detected: 1, detectionRate: 1 });
    expect(r.categories.theft).toMatchObject({ fp: 1, tn: 5, precision: 0, recall: null, fpr: 1 / 6, rows: 0, detectionRate: null });
    expect(r.confusion.labels).toEqual(['criminal_planning', 'harassment', 'theft', 'violence', 'weapons', 'none']);
    const expected = Array.from({ length: 6 }, () => new Array(6).fill(0));
    expected[0]![2] = 1; // criminal_planning -> theft
    expected[1]![5] = 1; // harassment -> none
    expected[3]![3] = 1; // violence -> violence
    expected[3]![4] = 1; // violence -> weapons (row 4)
    expected[4]![4] = 1; // weapons -> weapons
    expected[5]![3] = 1; // none -> violence (row 2)
    expected[5]![5] = 1; // none -> none (row 1)
    expect(r.confusion.counts).toEqual(expected);
    expect(r.outcomes.map((o) => o.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.outcomes[6]!.expected.categories).toEqual(['criminal_planning']);
    expect(r.outcomes.every((o) => o.latencyMs > 0)).toBe(true);
    expect(r.latency.p50Ms! <= r.latency.p95Ms! && r.latency.p95Ms! <= r.latency.maxMs!).toBe(true);
    expect(guard.state.most).toBe(3);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads Aegis 2.0 and ToxicChat columns, judging the response when it is labelled', async () => {
    const seen: string[][] = [];
    const guard: Guard = { async check(conversation) { seen.push(conversation.map((m) => `${m.role}:${messageText(m)}`)); return { safe: true, categories: [] }; } };
    const rows = [
      { prompt: 'how to x', response: 'do y', prompt_label: 'unsafe', response_label: 'safe', violated_categories: null },
      { prompt: 'hi', response: null, prompt_label: 'safe', response_label: null },
      { user_input: 'toxic text', model_output: 'reply', toxicity: 1, jailbreaking: 0 },
    ];
    const auto = await evaluateGuard(rows, guard, { concurrency: 1 });
    expect(seen).toEqual([['user:how to x', 'assistant:do y'], ['user:hi'], ['user:toxic text']]);
    expect(auto.outcomes.map((o) => [o.target, o.expected.unsafe])).toEqual([['response', false], ['prompt', false], ['prompt', true]]);
    const prompts = await evaluateGuard(rows.slice(0, 1), guard, { target: 'prompt' });
    expect(prompts.outcomes[0]).toMatchObject({ target: 'prompt', expected: { unsafe: true, categories: undefined } });
    await expect(evaluateGuard(rows.slice(1, 2), guard, { target: 'response' })).rejects.toThrow(/rows\[0\]: response: judging the response needs/);
  });

  it('rejects an unlabelled or mislabelled row naming it, before any check', async () => {
    const guard = plannedGuard({});
    for (const [row, message] of [
      [{ prompt: 'a' }, /rows\[1\]: label: a row needs a label/],
      [{ prompt: 'a', label: 'maybe' }, /rows\[1\]: label: expected safe \/ unsafe/],
      [{ label: 'safe' }, /rows\[1\]: prompt: a row needs `prompt`/],
    ] as const) {
      const error = await evaluateGuard([{ prompt: 'ok', label: 'safe' }, row], guard).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(message);
    }
    expect(guard.state.checked).toEqual([]);
  });

  it('counts fail-mode verdicts, and stops starting checks after one fails', async () => {
    const unparsed = guardFromFunction(() => ({ safe: false, categories: [], failedToParse: true }));
    expect((await evaluateGuard([{ prompt: 'a', label: 'safe' }], unparsed)).failedToParse).toBe(1);
    let started = 0;
    const broken = guardFromFunction(async () => {
      started++;
      throw new Error('guard down');
    });
    const rows = Array.from({ length: 20 }, (_, i) => ({ prompt: `p${i}`, label: 'safe' }));
    await expect(evaluateGuard(rows, broken, { concurrency: 2 })).rejects.toThrow('guard down');
    expect(started).toBe(2);
  });
});

describe('guard metrics', () => {
  it('computes the rates from counts, null where a denominator is 0', () => {
    expect(detectionMetrics({ tp: 3, fp: 1, fn: 1, tn: 5 })).toEqual({ tp: 3, fp: 1, fn: 1, tn: 5, precision: 0.75, recall: 0.75, f1: 0.75, fpr: 1 / 6, accuracy: 0.8 });
    expect(detectionMetrics({ tp: 0, fp: 0, fn: 2, tn: 0 })).toMatchObject({ precision: null, recall: 0, f1: null, fpr: null, accuracy: 0 });
    expect(detectionMetrics({ tp: 0, fp: 1, fn: 1, tn: 0 })).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it('latency: mean, nearest-rank p50 / p95, max', () => {
    expect(latencyStats([5, 1, 3, 2, 4])).toEqual({ meanMs: 3, p50Ms: 3, p95Ms: 5, maxMs: 5 });
    expect(latencyStats([])).toEqual({ meanMs: null, p50Ms: null, p95Ms: null, maxMs: null });
  });

  it('maps dataset category names to the taxonomy', () => {
    expect(datasetCategory('Guns and Illegal Weapons')).toBe('weapons');
    expect(datasetCategory('criminal_planning')).toBe('criminal_planning');
    expect(datasetCategory('Sexual (minor)')).toBe('sexual_minors');
    expect(datasetCategory('Something New')).toBe('other');
  });
});
