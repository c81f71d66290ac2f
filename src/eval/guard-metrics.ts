// Detection metrics from confusion counts. A ratio whose denominator is 0 is null (undefined), never 0.

/** Confusion counts and the rates derived from them; "positive" means unsafe (or: has the category). */
export interface DetectionMetrics {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** tp / (tp + fp). */
  precision: number | null;
  /** tp / (tp + fn). */
  recall: number | null;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number | null;
  /** False-positive rate: fp / (fp + tn). */
  fpr: number | null;
  /** (tp + tn) / all. */
  accuracy: number | null;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/**
 * Precision, recall, F1, false-positive rate and accuracy from confusion counts.
 *
 * @example
 * detectionMetrics({ tp: 3, fp: 1, fn: 1, tn: 5 }); // { precision: 0.75, recall: 0.75, f1: 0.75, fpr: 1 / 6, accuracy: 0.8, ... }
 */
export function detectionMetrics(counts: { tp: number; fp: number; fn: number; tn: number }): DetectionMetrics {
  const { tp, fp, fn, tn } = counts;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1, fpr: ratio(fp, fp + tn), accuracy: ratio(tp + tn, tp + fp + fn + tn) };
}

/** Latency percentiles of the checks, in milliseconds (null without rows). */
export interface LatencyStats {
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** Mean, median, 95th percentile (nearest rank) and maximum. */
export function latencyStats(ms: readonly number[]): LatencyStats {
  if (ms.length === 0) return { meanMs: null, p50Ms: null, p95Ms: null, maxMs: null };
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return { meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50Ms: rank(0.5), p95Ms: rank(0.95), maxMs: sorted.at(-1)! };
}
