/** A seeded uniform [0, 1) generator (mulberry32): the same seed gives the same samples. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index of the largest logit (the first one on ties, like torch.argmax). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/**
 * Picks the next token: greedy at temperature 0, otherwise a sample from the softmax of
 * `logits / temperature` restricted to the smallest set whose probability reaches `topP`.
 */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topP: number, random: () => number): number {
  if (temperature === 0) return argmax(logits);
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]!);
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += probs[i] = Math.exp((logits[i]! - max) / temperature);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]!);
  // Nucleus: keep the most likely tokens until their mass reaches top_p (always at least one).
  let kept = 0;
  let mass = 0;
  while (kept < n && (kept === 0 || mass < topP * sum)) mass += probs[order[kept++]!]!;
  let r = random() * mass;
  for (let k = 0; k < kept; k++) {
    r -= probs[order[k]!]!;
    if (r < 0) return order[k]!;
  }
  return order[kept - 1]!;
}
