// The terminal tables of `eval` and `eval-guard`: one column per scorer or guard.
import type { AnyRewardBenchResult } from '../eval/evaluate.js';
import type { GuardEvalResult } from '../eval/evaluate-guard.js';
import { REWARDBENCH_SECTIONS } from '../eval/sections.js';
import type { RewardBenchSummary } from '../eval/summarize.js';
import type { RewardBench2Summary } from '../eval/summarize-v2.js';
import { formatTable } from './table.js';

const pct = (x: number | null | undefined) => (x == null ? '-' : x.toFixed(4));
const ms = (x: number | null | undefined) => (x == null ? '-' : x.toFixed(1));

/** The RewardBench report for one or more scorers, side by side. */
export function renderRewardBench(runs: Array<{ name: string; result: AnyRewardBenchResult }>): string {
  const first = runs[0]!.result;
  if (first.format === 'rb1') return renderRb1(runs.map((r) => ({ name: r.name, result: r.result as RewardBenchSummary })));
  return renderRb2(runs.map((r) => ({ name: r.name, result: r.result as RewardBench2Summary })));
}

/** RewardBench 1: subsets, then sections, then overall. One scorer keeps the Correct column. */
function renderRb1(runs: Array<{ name: string; result: RewardBenchSummary }>): string {
  const one = runs.length === 1;
  const first = runs[0]!.result;
  const names = runs.map((r) => r.name);
  const subsets = formatTable(
    ['Subset', 'Section', 'Rows', ...(one ? ['Correct', 'Accuracy'] : names)],
    Object.entries(first.subsets).map(([name, s]) => [name, s.section ?? '(none)', s.total, ...(one ? [s.correct, pct(s.accuracy)] : runs.map((r) => pct(r.result.subsets[name]?.accuracy)))]),
    ['left', 'left', 'right', ...runs.map(() => 'right' as const), 'right'],
  );
  const present = REWARDBENCH_SECTIONS.filter((s) => first.sections[s] !== undefined);
  const sections = formatTable(
    ['Section', ...(one ? ['Score'] : names)],
    [...present.map((s) => [s, ...runs.map((r) => pct(r.result.sections[s]))]), ['Overall', ...runs.map((r) => pct(r.result.overall))]],
    ['left', ...runs.map(() => 'right' as const)],
  );
  const note = present.length < REWARDBENCH_SECTIONS.length ? `\nOverall is the mean of ${present.length} of ${REWARDBENCH_SECTIONS.length} sections (the others had no rows).` : '';
  const rows = runs.map((r) => `Rows: ${r.result.rows.correct}/${r.result.rows.total} correct (${pct(r.result.rows.accuracy)})${one ? '' : ` ${r.name}`}`).join('\n');
  return `${subsets}\n\n${sections}${note}\n${rows}`;
}

/** RewardBench 2: the subsets (official six first), overall, and the Ties terms. */
function renderRb2(runs: Array<{ name: string; result: RewardBench2Summary }>): string {
  const one = runs.length === 1;
  const first = runs[0]!.result;
  const names = runs.map((r) => r.name);
  const table = formatTable(
    ['Subset', 'Rows', ...(one ? ['Score'] : names)],
    [
      ...Object.entries(first.subsets).map(([name, s]) => [s.official ? name : `${name} (not official)`, s.rows, ...runs.map((r) => pct(r.result.subsets[name]?.score))]),
      ['Overall', first.rows, ...runs.map((r) => pct(r.result.overall))],
    ],
    ['left', 'right', ...runs.map(() => 'right' as const)],
  );
  const official = Object.values(first.subsets).filter((s) => s.official).length;
  const note = official < 6 ? `\nOverall is the mean of ${official} of 6 official subsets (the others had no rows).` : '';
  const ties = runs
    .filter((r) => r.result.subsets.Ties?.ties)
    .map((r) => {
      const t = r.result.subsets.Ties!.ties!;
      return `Ties${one ? '' : ` ${r.name}`}: tied accuracy ${pct(t.tiedAccuracy)}, ref accuracy ${pct(t.refAccuracy)}, preferred ${pct(t.correctnessPreferred)}, preferred (hard) ${pct(t.correctnessPreferredHard)}, margin ${pct(t.marginScore)} over ${t.prompts.paired} paired prompts`;
    })
    .join('\n');
  return `${table}${note}${ties ? `\n${ties}` : ''}`;
}

/** The guard report: overall per guard, then per category and the confusion for each guard. */
export function renderGuards(runs: Array<{ name: string; result: GuardEvalResult }>): string {
  const overall = formatTable(
    ['Guard', 'Rows', 'TP', 'FP', 'FN', 'TN', 'Precision', 'Recall', 'F1', 'FPR', 'p50 ms', 'p95 ms'],
    runs.map(({ name, result: r }) => [name, r.rows, r.overall.tp, r.overall.fp, r.overall.fn, r.overall.tn, pct(r.overall.precision), pct(r.overall.recall), pct(r.overall.f1), pct(r.overall.fpr), ms(r.latency.p50Ms), ms(r.latency.p95Ms)]),
    ['left', ...Array.from({ length: 11 }, () => 'right' as const)],
  );
  const parts = [overall];
  for (const { name, result: r } of runs) {
    if (r.failedToParse) parts.push(`${name}: ${r.failedToParse} verdicts came from the fail mode (reply not readable)`);
    const cats = Object.entries(r.categories);
    if (cats.length === 0) continue;
    parts.push(`${name}, per category (${r.categoryRows} rows with known categories):\n${formatTable(
      ['Category', 'Rows', 'Detected', 'Precision', 'Recall', 'F1', 'FPR'],
      cats.map(([c, m]) => [c, m.rows, m.detected, pct(m.precision), pct(m.recall), pct(m.f1), pct(m.fpr)]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    )}`);
    const { labels, counts } = r.confusion;
    parts.push(`${name}, category confusion (rows: label, columns: verdict):\n${formatTable(['label \\ verdict', ...labels], labels.map((l, i) => [l, ...counts[i]!]), ['left', ...labels.map(() => 'right' as const)])}`);
  }
  return parts.join('\n\n');
}
