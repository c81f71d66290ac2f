import { describe, expect, it } from 'vitest';
import { argmax, penalizeRepeats, sampleToken, seededRandom, suppressTokens } from '../../src/onnx/sampling.js';

describe('sampling', () => {
  it('temperature 0 is argmax, first index on ties', () => {
    expect(argmax([0.1, 3, 3, -1])).toBe(1);
    expect(sampleToken([0.1, 3, 2.9, -1], 0, 1, () => 0.99)).toBe(1);
  });

  it('the same seed gives the same sequence; different seeds differ', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(seededRandom(43)()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('samples in proportion to softmax(logits / temperature)', () => {
    const random = seededRandom(1);
    const logits = [Math.log(1), Math.log(3)]; // probabilities 0.25 / 0.75
    const counts = [0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, 1, 1, random)]!++;
    expect(counts[1]! / 4000).toBeGreaterThan(0.72);
    expect(counts[1]! / 4000).toBeLessThan(0.78);
  });

  it('top_p keeps only the smallest set of tokens reaching that mass', () => {
    const random = seededRandom(2);
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, 1, 0.75, random));
    expect([...seen].sort()).toEqual([0, 1]);
  });
});

/** The definition: sort the whole vocabulary (most likely first, lower id on ties), cut, sample. */
function sortedReference(logits: number[], temperature: number, topP: number, topK: number, u: number): number {
  const max = Math.max(...logits);
  const probs = logits.map((l) => Math.exp((l - max) / temperature));
  const order = probs.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
  const limited = topK > 0 ? order.slice(0, topK) : order;
  const total = limited.reduce((s, i) => s + probs[i]!, 0);
  const kept: number[] = [];
  let mass = 0;
  for (const i of limited) {
    if (kept.length > 0 && mass >= topP * total) break;
    kept.push(i);
    mass += probs[i]!;
  }
  let r = u * mass;
  for (const i of kept) {
    r -= probs[i]!;
    if (r < 0) return i;
  }
  return kept[kept.length - 1]!;
}

describe('sampling by partial selection', () => {
  it('picks what a full sort picks, for top_p, top_k, both, and neither', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(random() * 3000);
      // Coarse logits make ties common; a few spikes make the nucleus small.
      const logits = Array.from({ length: n }, () => Math.round(random() * 40) / 4 + (random() < 0.01 ? 8 : 0));
      const temperature = [0.3, 0.7, 1, 1.8][trial % 4]!;
      const topP = [1, 0.9, 0.5, 1e-9][Math.floor(trial / 4) % 4]!;
      const topK = [0, 1, 5, 50, n + 3][Math.floor(trial / 16) % 5]!;
      const u = random();
      expect(sampleToken(Float32Array.from(logits), temperature, topP, () => u, topK)).toBe(sortedReference(Array.from(Float32Array.from(logits)), temperature, topP, topK, u));
    }
  });

  it('top_k keeps exactly the k most likely tokens', () => {
    const random = seededRandom(3);
    const logits = Float32Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? 5 + i / 1000 : 0));
    const seen = new Set<number>();
    for (let i = 0; i < 3000; i++) seen.add(sampleToken(logits, 1, 1, random, 3));
    expect([...seen].sort((a, b) => a - b)).toEqual([980, 987, 994]);
  });

  it('a 128k vocabulary samples within its nucleus and stays seed-reproducible', () => {
    const random = seededRandom(5);
    const logits = Float32Array.from({ length: 128_256 }, () => random() * 4);
    const a = seededRandom(9);
    const b = seededRandom(9);
    const xs = Array.from({ length: 20 }, () => sampleToken(logits, 1, 0.9, a));
    expect(Array.from({ length: 20 }, () => sampleToken(logits, 1, 0.9, b))).toEqual(xs);
    // The nucleus drops the least likely tail: with near-uniform logits, the bottom few percent.
    const sorted = Array.from(logits).sort((x, y) => x - y);
    const floor = sorted[Math.floor(128_256 * 0.05)]!;
    for (const x of xs) expect(logits[x]!).toBeGreaterThan(floor);
  });

  it('repetition_penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = Float32Array.from([2, -2, 1, 4]);
    penalizeRepeats(logits, new Set([0, 1, 3]), 2);
    expect(Array.from(logits)).toEqual([1, -4, 1, 2]);
    expect(sampleToken(logits, 0, 1, Math.random)).toBe(3);
    penalizeRepeats(logits, [3], 4);
    expect(sampleToken(logits, 0, 1, Math.random)).toBe(0);
  });

  it('suppressed tokens are never picked, greedy or sampled', () => {
    const logits = Float32Array.from([1, 9, 8]);
    suppressTokens(logits, [1]);
    expect(sampleToken(logits, 0, 1, Math.random)).toBe(2);
    const random = seededRandom(4);
    for (let i = 0; i < 500; i++) expect(sampleToken(logits, 2, 1, random)).not.toBe(1);
  });
});
