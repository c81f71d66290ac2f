import type { GuardedCompletion, PipelineEvent, Report } from '../pipeline/types.js';
import type { Verdict } from '../types.js';
import { clip, formatTable } from './table.js';

/** What the demo saw for one prompt: the result and the candidates a threshold rejected. */
export interface DemoRun {
  prompt: string;
  completion: GuardedCompletion;
  /** Candidate indexes named by `rejection` events (the score bar, the output rail). */
  rejected: Set<number>;
  ms: number;
}

/** Notes the candidates that rejection events name, while a call runs. */
export function rejectionTracker() {
  const rejected = new Set<number>();
  return {
    rejected,
    onEvent(event: PipelineEvent) {
      if (event.type === 'rejection' && event.candidate !== null) rejected.add(event.candidate);
    },
  };
}

const describeVerdict = (v: Verdict | undefined) =>
  !v ? '-' : v.safe ? 'safe' : `unsafe${v.categories.length ? `: ${v.categories.map((c) => c.label).join(', ')}` : ''}${v.failedToParse ? ' (unreadable)' : ''}`;

function outcome(report: Report, index: number, run: DemoRun): string {
  const c = report.candidates[index]!;
  if (report.chosen === index) return 'chosen';
  if (c.cancelled) return 'cancelled';
  if (c.error) return `failed: ${c.error.name}`;
  if (c.verdict && !c.verdict.safe) return 'blocked';
  if (run.rejected.has(index)) return 'below bar';
  return 'lost';
}

/** One prompt as text: the input rail, a row per candidate, then the answer and why. */
export function renderRun(run: DemoRun, position: string, width = 100): string {
  const { report } = run.completion;
  const lines = [`${position}  ${JSON.stringify(run.prompt)}`];
  const input = report.verdicts.find((v) => v.rail === 'input');
  if (input) lines.push(`input rail: ${describeVerdict(input.verdict)}${input.verdict.safe ? '' : ' -> refused before generating anything'}`);
  if (report.candidates.length) {
    const rows = report.candidates.map((c) => [
      c.index,
      c.labels.attempt ?? 1,
      c.score ? c.score.value.toFixed(2) : '-',
      describeVerdict(c.verdict),
      outcome(report, c.index, run),
      clip(c.text, Math.max(30, width - 45)),
    ]);
    lines.push(formatTable(['#', 'try', 'score', 'verdict', 'outcome', 'candidate answer'], rows, ['right', 'right', 'right', 'left', 'left', 'left']));
  }
  const why = report.reasons.length ? ` (${[...new Set(report.reasons.map((r) => `${r.by}: ${r.reason}`))].join('; ')})` : '';
  const label = run.completion.refused ? 'refused' : report.chosen === null ? 'answer' : `answer from #${report.chosen}`;
  lines.push(`=> ${label}, ${(run.ms / 1000).toFixed(1)} s${why}`);
  lines.push(`   ${run.completion.text}`);
  return lines.join('\n');
}
