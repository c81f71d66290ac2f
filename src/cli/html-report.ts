// The `--html` report: one self-contained page (inline CSS and SVG, no script, no network).
import type { AnyRewardBenchResult } from '../eval/evaluate.js';
import type { GuardEvalResult } from '../eval/evaluate-guard.js';
import { REWARDBENCH_SECTIONS } from '../eval/sections.js';
import { REWARDBENCH2_SUBSETS } from '../eval/rewardbench2-subsets.js';
import { barChart, confusionTable, esc, fmt, histogram } from './svg-charts.js';

/** What every report says about the run. */
export interface ReportMeta {
  title: string;
  file: string;
  settings: Record<string, string | number | boolean>;
  /** ISO time of the run. */
  generatedAt: string;
}

/** One scorer's or guard's run, as the report shows it. */
export interface ReportRun<R> {
  name: string;
  source: string;
  settings?: Record<string, string | number>;
  result: R;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}
figure.chart{margin:12px 0;overflow-x:auto}figcaption{font-weight:600;margin-bottom:4px}
.grid{stroke:#ddd}.tick,.label{font-size:11px;fill:#555}.legend{font-size:12px}.key{margin-right:14px}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
table.confusion td.cell{text-align:right;min-width:28px}table.confusion td.diagonal{outline:1px solid #4e79a7}`;

function page(meta: ReportMeta, runsTable: string, body: string): string {
  const settings = Object.entries(meta.settings).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(meta.title)}</h1><p class="muted">${esc(meta.file)} · ${esc(meta.generatedAt)}</p>
<h2>Settings</h2><table id="settings">${settings}</table>${runsTable}${body}</body></html>
`;
}

function runsTable(heading: string, runs: ReportRun<unknown>[]): string {
  const rows = runs.map((r) => `<tr><td class="run-name">${esc(r.name)}</td><td>${esc(r.source)}</td><td>${esc(Object.entries(r.settings ?? {}).map(([k, v]) => `${k}=${v}`).join(', '))}</td></tr>`).join('');
  return `<h2>${esc(heading)}</h2><table id="runs"><tr><th>Name</th><th>Source</th><th>Settings</th></tr>${rows}</table>`;
}

const cell = (v: number | null | undefined) => `<td class="num">${v == null ? '-' : esc(fmt(v))}</td>`;

/**
 * The RewardBench report: section (v1) or subset (v2) scores as bar charts, one bar per scorer;
 * per-subset bars; and per scorer, the distribution of chosen and rejected answers' scores.
 */
export function rewardBenchHtml(meta: ReportMeta, runs: ReportRun<AnyRewardBenchResult>[]): string {
  let body = '';
  const first = runs[0]!.result;
  if (first.format === 'rb1') {
    const sections = REWARDBENCH_SECTIONS.filter((s) => runs.some((r) => r.result.format === 'rb1' && r.result.sections[s] !== undefined));
    const cats = [...sections, 'Overall'];
    const series = runs.map((r) => (r.result.format === 'rb1' ? { name: r.name, values: [...sections.map((s) => (r.result as { sections: Record<string, number | undefined> }).sections[s] ?? null), r.result.overall] } : { name: r.name, values: [] }));
    body += `<h2>Sections</h2>${barChart({ id: 'chart-sections', title: 'Section scores (official weighting) and overall', categories: cats, series })}`;
    body += scoreTable('table-sections', 'Section', cats, series);
    const subsets = Object.keys(first.subsets);
    const subsetSeries = runs.map((r) => ({ name: r.name, values: subsets.map((s) => (r.result.format === 'rb1' ? (r.result.subsets[s]?.accuracy ?? null) : null)) }));
    body += `<h2>Subsets</h2>${barChart({ id: 'chart-subsets', title: 'Accuracy per subset', categories: subsets, series: subsetSeries })}`;
    body += scoreTable('table-subsets', 'Subset', subsets, subsetSeries, subsets.map((s) => first.subsets[s]!.total));
  } else {
    const subsets = Object.keys(first.subsets);
    const official = REWARDBENCH2_SUBSETS.filter((s) => subsets.includes(s));
    const others = subsets.filter((s) => !official.includes(s as never));
    const cats = [...official, 'Overall', ...others];
    const series = runs.map((r) => ({ name: r.name, values: cats.map((c) => (c === 'Overall' ? r.result.overall : ((r.result.subsets as Record<string, { score: number }>)[c]?.score ?? null))) }));
    body += `<h2>Subsets</h2>${barChart({ id: 'chart-subsets', title: 'RewardBench 2 subset scores and overall (mean of the official six)', categories: cats, series })}`;
    body += scoreTable('table-subsets', 'Subset', cats, series, cats.map((c) => (c === 'Overall' ? first.rows : ((first.subsets as Record<string, { rows: number }>)[c]?.rows ?? 0))));
  }
  body += '<h2>Score distributions</h2><p class="muted">Share of answers per score bin, per scorer: correct (chosen) against incorrect (rejected) answers.</p>';
  runs.forEach((r, i) => {
    const { chosen, rejected } = scoreSplit(r.result);
    body += histogram({ id: `chart-dist-${i}`, title: `${r.name}: chosen vs rejected scores`, series: [{ name: 'chosen', values: chosen }, { name: 'rejected', values: rejected }] });
  });
  return page(meta, runsTable('Scorers', runs), body);
}

function scoreSplit(result: AnyRewardBenchResult): { chosen: number[]; rejected: number[] } {
  if (result.format === 'rb1') return { chosen: result.outcomes.map((o) => o.chosen), rejected: result.outcomes.map((o) => o.rejected) };
  return {
    chosen: result.outcomes.flatMap((o) => o.scores.slice(0, o.numCorrect)),
    rejected: result.outcomes.flatMap((o) => o.scores.slice(o.numCorrect)),
  };
}

function scoreTable(id: string, label: string, categories: string[], series: { name: string; values: Array<number | null> }[], rows?: number[]): string {
  const head = `<tr><th>${esc(label)}</th>${rows ? '<th class="num">Rows</th>' : ''}${series.map((s) => `<th class="num">${esc(s.name)}</th>`).join('')}</tr>`;
  const body = categories.map((c, i) => `<tr><td>${esc(c)}</td>${rows ? `<td class="num">${rows[i]}</td>` : ''}${series.map((s) => cell(s.values[i])).join('')}</tr>`).join('');
  return `<table id="${esc(id)}">${head}${body}</table>`;
}

/**
 * The guard report: overall precision / recall / F1 / FPR per guard (bars and a table), F1 per
 * category, latency, and each guard's category confusion matrix.
 */
export function guardHtml(meta: ReportMeta, runs: ReportRun<GuardEvalResult>[]): string {
  const metrics = ['precision', 'recall', 'f1', 'fpr', 'accuracy'] as const;
  let body = `<h2>Overall</h2>${barChart({ id: 'chart-overall', title: 'Unsafe detection: precision, recall, F1, false-positive rate, accuracy', categories: [...metrics], series: runs.map((r) => ({ name: r.name, values: metrics.map((m) => r.result.overall[m]) })) })}`;
  const head = '<tr><th>Guard</th><th class="num">Rows</th><th class="num">TP</th><th class="num">FP</th><th class="num">FN</th><th class="num">TN</th><th class="num">Precision</th><th class="num">Recall</th><th class="num">F1</th><th class="num">FPR</th><th class="num">p50 ms</th><th class="num">p95 ms</th><th class="num">Unparsed</th></tr>';
  const rows = runs.map(({ name, result: r }) => `<tr><td>${esc(name)}</td><td class="num">${r.rows}</td><td class="num">${r.overall.tp}</td><td class="num">${r.overall.fp}</td><td class="num">${r.overall.fn}</td><td class="num">${r.overall.tn}</td>${cell(r.overall.precision)}${cell(r.overall.recall)}${cell(r.overall.f1)}${cell(r.overall.fpr)}${cell(r.latency.p50Ms)}${cell(r.latency.p95Ms)}<td class="num">${r.failedToParse}</td></tr>`).join('');
  body += `<table id="table-overall">${head}${rows}</table>`;
  const categories = [...new Set(runs.flatMap((r) => Object.keys(r.result.categories)))].sort();
  if (categories.length) {
    body += `<h2>Per category</h2>${barChart({ id: 'chart-categories', title: 'F1 per taxonomy category', categories, series: runs.map((r) => ({ name: r.name, values: categories.map((c) => r.result.categories[c]?.f1 ?? null) })) })}`;
    body += barChart({ id: 'chart-detection', title: 'Share of each category\'s rows judged unsafe', categories, series: runs.map((r) => ({ name: r.name, values: categories.map((c) => r.result.categories[c]?.detectionRate ?? null) })) });
  }
  body += '<h2>Category confusion</h2><p class="muted">Rows: the label\'s categories; columns: the categories the verdict named ("none": safe). A row with several categories counts once per pair.</p>';
  runs.forEach((r, i) => {
    body += confusionTable({ id: `confusion-${i}`, title: r.name, labels: r.result.confusion.labels, counts: r.result.confusion.counts });
  });
  return page(meta, runsTable('Guards', runs), body);
}
