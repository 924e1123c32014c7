// The HTML report of a `neural-recsys train` run: one self-contained file (inline CSS and SVG, no
// script, no font, no image, and a Content-Security-Policy that forbids loading anything), so it
// opens from disk in any browser with no server and no network, and can be mailed or archived.
// Hand-written SVG because the charts are two polylines on axes: a charting library would bring a
// script and a runtime into a file meant to be static.

/** One epoch of the run: the training loss and, when validation ran, its metrics. */
export interface ReportEpoch {
  /** Mean training loss over the epoch. */
  loss: number;
  /** Validation metrics of the epoch (e.g. `{ hr: 0.61, ndcg: 0.35 }`), when validation ran. */
  validation?: Record<string, number>;
}

/** The metrics of the model and the baseline under one protocol. */
export interface ReportMetrics {
  /** The protocol's title, e.g. `'test, sampled (99 negatives)'`. */
  title: string;
  /** One sentence naming the protocol. */
  description: string;
  /** The metric names, e.g. `['HR@10', 'NDCG@10']`. */
  columns: string[];
  /** One row per scorer: its name and one value per column. */
  rows: { name: string; values: number[] }[];
}

/** A user's sample recommendations. */
export interface ReportRecommendations {
  /** The user's id. */
  user: string;
  /** The user's held-out test items, if any. */
  heldOut: string[];
  /** The recommended items, best first. */
  items: { id: string; score: number }[];
}

/** Everything the report shows. */
export interface RunReport {
  /** The heading, e.g. `'neural-recsys train events.csv'`. */
  title: string;
  /** The command line that produced the run. */
  command: string;
  /** When the run finished (ISO 8601). */
  finishedAt: string;
  /** Label/value pairs about the data, the model and the training (shown as a list). */
  facts: [string, string][];
  /** Per-epoch logs, in order. */
  epochs: ReportEpoch[];
  /** The epoch (0-based) whose weights were kept, if validation chose one. */
  bestEpoch?: number;
  /** Metric tables. */
  metrics: ReportMetrics[];
  /** Sample recommendations. */
  recommendations: ReportRecommendations[];
}

/** A series of a line chart; `undefined` values (epochs without validation) are left out. */
export interface ChartSeries {
  /** The legend text. */
  name: string;
  /** One value per x position. */
  values: (number | undefined)[];
  /** Stroke colour. */
  color: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML content and attribute values.
 *
 * @param text - any text
 * @returns the text with `& < > " '` escaped
 * @example
 * ```ts
 * escapeHtml('<b>"A&B"</b>'); //=> '&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]);
}

function niceNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e5)) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

/**
 * An SVG line chart over epochs 1..n: one polyline per series (with a dot per point), a y axis from
 * the smallest to the largest value, and a legend.
 *
 * @param title - the chart's title (also its accessible name)
 * @param series - the lines
 * @param options - `highlight`: a 0-based x to mark with a dashed line (the kept epoch)
 * @returns the `<svg>` element as text
 * @example
 * ```ts
 * lineChart('loss', [{ name: 'loss', values: [0.6, 0.4, 0.35], color: '#1f77b4' }]);
 * //=> '<svg xmlns="http://www.w3.org/2000/svg" ...><polyline data-series="loss" points="..." .../>...</svg>'
 * ```
 */
export function lineChart(title: string, series: readonly ChartSeries[], options: { highlight?: number } = {}): string {
  const width = 560;
  const height = 260;
  const left = 56;
  const right = 16;
  const top = 34;
  const bottom = 40;
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const finite = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  let lo = finite.length > 0 ? Math.min(...finite) : 0;
  let hi = finite.length > 0 ? Math.max(...finite) : 1;
  if (hi - lo < 1e-12) {
    const pad = Math.abs(hi) > 1e-9 ? Math.abs(hi) * 0.05 : 0.5;
    lo -= pad;
    hi += pad;
  }
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i: number): number => left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number): number => top + (1 - (v - lo) / (hi - lo)) * plotH;
  const fmt = (v: number): string => v.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<text x="${left}" y="20" class="chart-title">${escapeHtml(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" class="plot"/>`,
  );
  const ticks = 4;
  for (let t = 0; t <= ticks; t++) {
    const v = lo + ((hi - lo) * t) / ticks;
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" class="grid"/>`,
      `<text x="${left - 6}" y="${fmt(y(v) + 4)}" class="tick" text-anchor="end">${niceNumber(v)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i += step) {
    parts.push(`<text x="${fmt(x(i))}" y="${top + plotH + 16}" class="tick" text-anchor="middle">${i + 1}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${height - 6}" class="axis" text-anchor="middle">epoch</text>`);
  if (options.highlight !== undefined && options.highlight >= 0 && options.highlight < n) {
    const hx = fmt(x(options.highlight));
    parts.push(`<line x1="${hx}" x2="${hx}" y1="${top}" y2="${top + plotH}" class="kept"><title>kept epoch ${options.highlight + 1}</title></line>`);
  }
  series.forEach((s, index) => {
    const points = s.values.flatMap((v, i) => (v !== undefined && Number.isFinite(v) ? [`${fmt(x(i))},${fmt(y(v))}`] : []));
    const name = escapeHtml(s.name);
    parts.push(`<polyline data-series="${name}" points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const point of points) {
      const [cx, cy] = point.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
    // the legend sits on the title line, right-aligned, clear of the curves
    const lx = left + plotW - (series.length - index) * 125;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="16" y2="16" stroke="${s.color}" stroke-width="3"/>`,
      `<text x="${lx + 22}" y="20" class="legend">${name}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; color: #1d232b; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
code { background: #f2f4f7; padding: 0.1rem 0.3rem; border-radius: 3px; }
.command { color: #555; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { color: #555; } dd { margin: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.chart { border: 1px solid #d9dee5; border-radius: 6px; background: #fff; max-width: 100%; height: auto; }
.chart .plot { fill: #fafbfc; stroke: #c9d0d9; } .chart .grid { stroke: #e6e9ee; }
.chart .tick, .chart .legend, .chart .axis { font-size: 11px; fill: #444; } .chart .chart-title { font-size: 13px; font-weight: 600; }
.chart .kept { stroke: #888; stroke-dasharray: 4 3; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; } th, td { padding: 0.25rem 0.8rem; border-bottom: 1px solid #e3e6ea; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.hit { background: #e3f5e1; } .protocol { color: #555; margin: 0; }
`;

function metricsTable(m: ReportMetrics): string {
  const head = `<tr><th>model</th>${m.columns.map((c) => `<th class="num">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = m.rows
    .map((r) => `<tr><td>${escapeHtml(r.name)}</td>${r.values.map((v) => `<td class="num">${v.toFixed(4)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<h3>${escapeHtml(m.title)}</h3>\n<p class="protocol">${escapeHtml(m.description)}</p>\n<table class="metrics">\n${head}\n${rows}\n</table>`;
}

function recommendationsTable(recs: readonly ReportRecommendations[]): string {
  if (recs.length === 0) return '<p>No recommendations to show.</p>';
  const k = Math.max(...recs.map((r) => r.items.length));
  const head = `<tr><th>user</th><th>held out</th>${Array.from({ length: k }, (_, i) => `<th>${i + 1}</th>`).join('')}</tr>`;
  const rows = recs.map((r) => {
    const held = new Set(r.heldOut);
    const cells = r.items.map((item) => `<td${held.has(item.id) ? ' class="hit"' : ''} title="score ${item.score.toFixed(4)}">${escapeHtml(item.id)}</td>`);
    return `<tr><td>${escapeHtml(r.user)}</td><td>${escapeHtml(r.heldOut.join(', ') || '-')}</td>${cells.join('')}</tr>`;
  });
  return `<table class="recommendations">\n${head}\n${rows.join('\n')}\n</table>\n<p class="protocol">Seen items left out; a green cell is the user's held-out test item.</p>`;
}

/**
 * Renders the report of a training run as one self-contained HTML document: facts about the data
 * and the model, the loss curve and the validation curves (inline SVG), the metric tables and a
 * sample of recommendations. It loads nothing (its Content-Security-Policy forbids it).
 *
 * @param report - what to show
 * @returns the HTML document
 * @example
 * ```ts
 * const html = renderReport({ title: 'run', command: 'neural-recsys train a.csv', finishedAt: new Date().toISOString(),
 *   facts: [], epochs: [{ loss: 0.6 }, { loss: 0.4 }], metrics: [], recommendations: [] });
 * html.startsWith('<!doctype html>'); //=> true
 * ```
 */
export function renderReport(report: RunReport): string {
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const charts = [lineChart('training loss', [{ name: 'loss', values: report.epochs.map((e) => e.loss), color: palette[0] }], { highlight: report.bestEpoch })];
  const validationNames = [...new Set(report.epochs.flatMap((e) => Object.keys(e.validation ?? {})))];
  if (validationNames.length > 0) {
    const series = validationNames.map((name, i) => ({
      name: `validation ${name}`,
      values: report.epochs.map((e) => e.validation?.[name]),
      color: palette[(i + 1) % palette.length],
    }));
    charts.push(lineChart('validation', series, { highlight: report.bestEpoch }));
  }
  const facts = report.facts.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p class="command"><code>${escapeHtml(report.command)}</code> &middot; finished ${escapeHtml(report.finishedAt)}</p>
<dl class="facts">
${facts}
</dl>
<h2>Curves</h2>
<div class="charts">
${charts.join('\n')}
</div>
<h2>Metrics</h2>
${report.metrics.length > 0 ? report.metrics.map(metricsTable).join('\n') : '<p>No test split: no metrics.</p>'}
<h2>Sample recommendations</h2>
${recommendationsTable(report.recommendations)}
</body>
</html>
`;
}
