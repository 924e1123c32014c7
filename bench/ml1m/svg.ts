// The SVG plot of HR@10 per epoch (docs/hr-per-epoch-factor8.svg): hand-written SVG, no dependency.
import { mean, VARIANT_LABEL, VARIANT_ORDER } from './tables.js';
import { paperFigure, type RunRecord } from './types.js';

const SHORT_LABEL: Record<string, string> = {
  gmf: 'GMF',
  mlp: 'MLP',
  neumf: 'NeuMF',
  'neumf-pre-sgd': 'NeuMF-pre SGD',
  'neumf-pre-adam': 'NeuMF-pre Adam',
};

const COLORS: Record<string, string> = {
  gmf: '#1f77b4',
  mlp: '#ff7f0e',
  neumf: '#2ca02c',
  'neumf-pre-sgd': '#d62728',
  'neumf-pre-adam': '#9467bd',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Series {
  variant: string;
  points: [number, number][];
  seeds: number;
  full: boolean;
}

/** Each variant's mean test HR@10 per epoch: the hold-out runs, then the whole-file runs. */
function seriesOf(runs: RunRecord[], factor: number): Series[] {
  const series: Series[] = [];
  for (const full of [false, true]) {
    for (const variant of VARIANT_ORDER) {
      // protocol runs (validation hold-out), or the same model trained on the whole train file
      // whole-file NeuMF-pre: the runs from the last GMF/MLP epochs (those exist for SGD and Adam)
      const rs = runs.filter(
        (r) => r.variant === variant && r.factor === factor && (full ? !r.holdout && (r.model !== 'neumf-pre' || r.tag === 'pre-last') : r.holdout && !r.tag),
      );
      if (rs.length === 0) continue;
      const maxEpoch = Math.max(...rs.flatMap((r) => r.curve.map((p) => p.epoch)));
      const pts: [number, number][] = [];
      // before training only for the pretrained models: for the others it is a random model
      const from = variant.startsWith('neumf-pre') ? -1 : 0;
      for (let e = from; e <= maxEpoch; e++) {
        const vals = rs.map((r) => r.curve.find((p) => p.epoch === e)?.test.hr).filter((x): x is number => x !== undefined);
        if (vals.length) pts.push([e + 1, mean(vals)]);
      }
      series.push({ variant, points: pts, seeds: rs.length, full });
    }
  }
  return series;
}

/** HR@10 (test, pessimistic ties) per epoch at factor 8, mean over the seeds that reached each epoch. */
export function renderSvg(runs: RunRecord[], factor: number): string {
  const W = 980;
  const H = 480;
  const m = { left: 60, right: 340, top: 40, bottom: 50 };
  const series = seriesOf(runs, factor);
  const allY = series.flatMap((s) => s.points.map((p) => p[1]));
  const refs = VARIANT_ORDER.map((v) => ({ v, p: paperFigure(v, factor) })).filter((x) => x.p && (x.v !== 'neumf-pre-adam'));
  for (const r of refs) allY.push(r.p!.hr);
  const yMin = allY.length ? Math.floor((Math.min(...allY) - 0.01) * 50) / 50 : 0.4;
  const yMax = allY.length ? Math.ceil((Math.max(...allY) + 0.005) * 50) / 50 : 0.75;
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const px = (x: number): number => m.left + (x / xMax) * (W - m.left - m.right);
  const py = (y: number): number => m.top + (1 - (y - yMin) / (yMax - yMin)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.left}" y="18" font-size="14" font-weight="bold">HR@10 on the ML-1M test set per epoch, factor ${factor} (mean over seeds)</text>`);
  parts.push(`<text x="${m.left}" y="33" fill="#444">solid: trained with the validation hold-out (the protocol); dotted: trained on the whole train file; dashed: the paper</text>`);
  // grid and y ticks
  for (let y = yMin; y <= yMax + 1e-9; y += 0.02) {
    const Y = py(y).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${Y}" y2="${Y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${Y}" text-anchor="end" dominant-baseline="middle">${y.toFixed(2)}</text>`);
  }
  for (let x = 0; x <= xMax; x += xMax > 10 ? 2 : 1) {
    const X = px(x).toFixed(1);
    parts.push(`<line x1="${X}" x2="${X}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" stroke="#333"/>`);
    parts.push(`<text x="${X}" y="${H - m.bottom + 16}" text-anchor="middle">${x === 0 ? 'init' : x}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">epoch</text>`);
  parts.push(`<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">HR@10 (pessimistic ties)</text>`);
  // the paper's figures as dashed lines
  for (const r of refs) {
    const Y = py(r.p!.hr).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${Y}" y2="${Y}" stroke="${COLORS[r.v]}" stroke-dasharray="5 4" stroke-width="1"/>`);
  }
  for (const s of series) {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${COLORS[s.variant]}" stroke-width="${s.full ? 1.5 : 2}"${s.full ? ' stroke-dasharray="1 3" stroke-linecap="round"' : ''}/>`);
    if (!s.full) for (const p of s.points) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${COLORS[s.variant]}"/>`);
  }
  // legend
  let ly = m.top + 6;
  const lx = W - m.right + 14;
  for (const s of series) {
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${COLORS[s.variant]}" stroke-width="2"${s.full ? ' stroke-dasharray="1 3" stroke-linecap="round"' : ''}/>`);
    const what = `${SHORT_LABEL[s.variant] ?? s.variant}${s.full ? ', whole train file' : ', hold-out'}`;
    parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">${esc(what)} (${s.seeds} seed${s.seeds > 1 ? 's' : ''})</text>`);
    ly += 20;
  }
  ly += 10;
  for (const r of refs) {
    const label = r.v === 'neumf-pre-sgd' ? 'NeuMF-pre' : VARIANT_LABEL[r.v].replace(' (no pretraining)', '');
    parts.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${COLORS[r.v]}" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle">paper ${esc(label)}: ${r.p!.hr.toFixed(3)}</text>`);
    ly += 20;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
