// Inline SVG charts for the HTML report: no script, no network, readable when printed.

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7'];

/** A colour per series, in order. */
export const seriesColor = (i: number) => PALETTE[i % PALETTE.length]!;

/** Escapes text for HTML and SVG. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One series of a chart: a name and one value per category (null: no bar). */
export interface Series {
  name: string;
  values: Array<number | null>;
}

/**
 * Grouped vertical bars, one group per category, one bar per series, on a 0..max scale (default 1).
 * Each bar is a `rect.bar` carrying `data-series`, `data-category` and `data-value`, with a tooltip.
 */
export function barChart(options: { id: string; title: string; categories: string[]; series: Series[]; max?: number }): string {
  const { categories, series } = options;
  const max = options.max ?? 1;
  const group = Math.max(36, series.length * 18 + 14);
  // Labels are slanted and end under their group: room for the longest one, left and below.
  const longest = Math.max(0, ...categories.map((c) => c.length)) * 6.2;
  const left = Math.max(44, Math.ceil(longest * 0.87 - group / 2 + 8));
  const [top, height, bottom] = [28, 220, Math.ceil(longest * 0.5 + 24)];
  const width = left + categories.length * group + 16;
  const y = (v: number) => top + height - (Math.min(Math.max(v, 0), max) / max) * height;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${left}" x2="${width - 8}" y1="${y(f * max)}" y2="${y(f * max)}" class="grid"/><text x="${left - 6}" y="${y(f * max) + 4}" text-anchor="end" class="tick">${esc(fmt(f * max))}</text>`)
    .join('');
  const barWidth = (group - 14) / Math.max(series.length, 1);
  const bars = categories
    .map((category, c) => {
      const x0 = left + c * group + 7;
      const rects = series
        .map((s, i) => {
          const v = s.values[c];
          if (v == null) return '';
          const x = x0 + i * barWidth;
          return `<rect class="bar" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(top + height - y(v)).toFixed(1)}" fill="${seriesColor(i)}" data-series="${esc(s.name)}" data-category="${esc(category)}" data-value="${v}"><title>${esc(`${s.name} / ${category}: ${fmt(v)}`)}</title></rect>`;
        })
        .join('');
      const label = `<text class="label" text-anchor="end" transform="translate(${x0 + (group - 14) / 2 + 4},${top + height + 14}) rotate(-30)">${esc(category)}</text>`;
      return rects + label;
    })
    .join('');
  return figure(options.id, options.title, `<svg viewBox="0 0 ${width} ${top + height + bottom}" width="${width}" height="${top + height + bottom}" role="img" aria-label="${esc(options.title)}">${grid}${bars}</svg>`, series.map((s) => s.name));
}

/**
 * Two or more distributions over shared bins (e.g. scores of chosen and of rejected answers):
 * bars side by side per bin, heights as shares of each series, so series of unequal size compare.
 */
export function histogram(options: { id: string; title: string; series: Array<{ name: string; values: number[] }>; bins?: number }): string {
  const all = options.series.flatMap((s) => s.values).filter(Number.isFinite);
  const bins = options.bins ?? 20;
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const span = hi - lo || 1;
  const counts = options.series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) if (Number.isFinite(v)) c[Math.min(bins - 1, Math.floor(((v - lo) / span) * bins))]!++;
    return c.map((n) => (s.values.length ? n / s.values.length : 0));
  });
  const peak = Math.max(0.01, ...counts.flat());
  const [left, top, height, binWidth] = [44, 16, 160, 26];
  const width = left + bins * binWidth + 16;
  const y = (v: number) => top + height - (v / peak) * height;
  const w = (binWidth - 4) / options.series.length;
  const bars = counts
    .flatMap((c, i) => c.map((share, b) => (share === 0 ? '' : `<rect class="hist" x="${(left + b * binWidth + 2 + i * w).toFixed(1)}" y="${y(share).toFixed(1)}" width="${(w - 1).toFixed(1)}" height="${(top + height - y(share)).toFixed(1)}" fill="${seriesColor(i)}" data-series="${esc(options.series[i]!.name)}"><title>${esc(`${options.series[i]!.name}: ${(share * 100).toFixed(1)}% in [${fmt(lo + (b * span) / bins)}, ${fmt(lo + ((b + 1) * span) / bins)})`)}</title></rect>`)))
    .join('');
  const axis = `<line x1="${left}" x2="${width - 8}" y1="${top + height}" y2="${top + height}" class="grid"/><text x="${left}" y="${top + height + 16}" class="tick">${esc(fmt(lo))}</text><text x="${width - 8}" y="${top + height + 16}" text-anchor="end" class="tick">${esc(fmt(hi))}</text><text x="${left - 6}" y="${top + 4}" text-anchor="end" class="tick">${esc(`${(peak * 100).toFixed(0)}%`)}</text>`;
  return figure(options.id, options.title, `<svg viewBox="0 0 ${width} ${top + height + 26}" width="${width}" height="${top + height + 26}" role="img" aria-label="${esc(options.title)}">${axis}${bars}</svg>`, options.series.map((s) => `${s.name} (${s.values.length})`));
}

/** A confusion matrix as a table whose cells shade with their count. */
export function confusionTable(options: { id: string; title: string; labels: string[]; counts: number[][] }): string {
  const peak = Math.max(1, ...options.counts.flat());
  const head = `<tr><th class="corner">label \\ verdict</th>${options.labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>`;
  const rows = options.labels
    .map((label, i) => `<tr><th>${esc(label)}</th>${options.counts[i]!.map((n, j) => `<td class="cell${i === j ? ' diagonal' : ''}" style="background: rgba(78,121,167,${(n / peak) * 0.85})" data-row="${esc(label)}" data-col="${esc(options.labels[j]!)}">${n}</td>`).join('')}</tr>`)
    .join('');
  return `<figure class="chart" id="${esc(options.id)}"><figcaption>${esc(options.title)}</figcaption><table class="confusion">${head}${rows}</table></figure>`;
}

function figure(id: string, title: string, svg: string, legend: string[]): string {
  const keys = legend.map((name, i) => `<span class="key"><i style="background:${seriesColor(i)}"></i>${esc(name)}</span>`).join('');
  return `<figure class="chart" id="${esc(id)}"><figcaption>${esc(title)}</figcaption>${svg}<div class="legend">${keys}</div></figure>`;
}

/** A number for a label: up to 3 decimals, no trailing zeros. */
export function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(Math.abs(v) >= 100 ? 1 : 3)));
}
