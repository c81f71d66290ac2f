import { describe, expect, it } from 'vitest';
import { argmax, sampleToken, seededRandom } from '../../src/onnx/sampling.js';

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
