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
  let value = logits[0]!;
  for (let i = 1; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > value) {
      value = v;
      best = i;
    }
  }
  return best;
}

// Scratch buffers reused across calls (sampling is synchronous, so one set is enough): a 128k
// vocabulary would otherwise allocate 2 MB per token.
const BUCKETS = 2048;
let probs = new Float64Array(0);
let bucketOf = new Uint16Array(0);
let order = new Int32Array(0);
const bucketMass = new Float64Array(BUCKETS);
const bucketStart = new Int32Array(BUCKETS + 1);
const bucketSorted = new Uint8Array(BUCKETS);

/**
 * Picks the next token: greedy at temperature 0, otherwise a sample from the softmax of
 * `logits / temperature`, restricted first to the `topK` most likely tokens (0: no limit), then to
 * the smallest set of those whose probability reaches `topP`. The result is the one a full sort
 * would give (most likely first, lower id first on ties), found without sorting the vocabulary:
 * tokens are counted into buckets by logit, and only the bucket where a cut falls is sorted.
 */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topP: number, random: () => number, topK = 0): number {
  if (temperature === 0) return argmax(logits);
  const n = logits.length;
  if (probs.length < n) {
    probs = new Float64Array(n);
    bucketOf = new Uint16Array(n);
    order = new Int32Array(n);
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  // Buckets split [max - 40 t, max] evenly (below: the last one); exp(-40) is 4e-18 of the top.
  const range = 40 * temperature;
  const scale = BUCKETS / range;
  const inverse = 1 / temperature;
  bucketMass.fill(0);
  bucketStart.fill(0);
  bucketSorted.fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = max - logits[i]!;
    const p = Math.exp(-d * inverse);
    probs[i] = p;
    sum += p;
    const b = d < range ? (d * scale) | 0 : BUCKETS - 1;
    bucketOf[i] = b;
    bucketMass[b] = bucketMass[b]! + p;
    bucketStart[b + 1]!++;
  }
  // Counting sort of the ids by bucket: bucket b holds order[bucketStart[b], bucketStart[b + 1]).
  for (let b = 0; b < BUCKETS; b++) bucketStart[b + 1]! += bucketStart[b]!;
  const fill = bucketStart.slice(0, BUCKETS);
  for (let i = 0; i < n; i++) order[fill[bucketOf[i]!]!++] = i;

  let kept = n;
  let mass = sum;
  if (topK > 0 && topK < n) ({ count: kept, mass } = walk((count) => count >= topK));
  // Nucleus: the most likely tokens until their mass reaches top_p (always at least one).
  if (topP < 1) {
    const target = topP * mass;
    const limit = kept;
    ({ count: kept, mass } = walk((count, m) => count > 0 && (m >= target || count >= limit)));
  }
  // Inverse CDF in most-likely-first order: the token at which the running mass passes r.
  const r = random() * mass;
  const limit = kept;
  return walk((count, m) => m > r || count >= limit).last;
}

/** `a` comes before `b` in most-likely-first order (lower id first on ties). */
function compare(a: number, b: number): number {
  return probs[b]! - probs[a]! || a - b;
}

/**
 * Walks the tokens most likely first and stops at the fewest for which `enough(count, mass)`
 * holds (monotone: once true, true for every longer prefix). Whole buckets are added by their
 * mass; only the bucket where it turns true is sorted.
 */
function walk(enough: (count: number, mass: number) => boolean): { count: number; mass: number; last: number } {
  let count = 0;
  let mass = 0;
  let last = -1;
  for (let b = 0; b < BUCKETS; b++) {
    const from = bucketStart[b]!;
    const to = bucketStart[b + 1]!;
    if (from === to) continue;
    if (!enough(count + (to - from), mass + bucketMass[b]!)) {
      count += to - from;
      mass += bucketMass[b]!;
      continue;
    }
    if (!bucketSorted[b]) {
      order.subarray(from, to).sort(compare);
      bucketSorted[b] = 1;
    }
    for (let i = from; i < to; i++) {
      last = order[i]!;
      count++;
      mass += probs[last]!;
      if (enough(count, mass)) return { count, mass, last };
    }
  }
  // Never enough (rounding at the very end): everything was taken; the last is the least likely.
  for (let b = BUCKETS - 1; b >= 0 && last < 0; b--) {
    if (bucketStart[b] === bucketStart[b + 1]) continue;
    const members = order.subarray(bucketStart[b]!, bucketStart[b + 1]!).sort(compare);
    last = members[members.length - 1]!;
  }
  return { count, mass, last };
}

/**
 * transformers' `repetition_penalty` (CTRL): each token already in the sequence has its logit
 * divided by `penalty` when positive, multiplied when negative. Changes `logits` in place.
 */
export function penalizeRepeats(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of seen) {
    const v = logits[id];
    if (v !== undefined) logits[id] = v < 0 ? v * penalty : v / penalty;
  }
}

/** Makes `ids` impossible (min_new_tokens keeps end-of-sequence ids out this way). */
export function suppressTokens(logits: Float32Array, ids: Iterable<number>): void {
  for (const id of ids) if (id >= 0 && id < logits.length) logits[id] = -Infinity;
}
