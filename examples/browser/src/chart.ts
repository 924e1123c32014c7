// A tiny SVG line chart: enough for two live training curves, no charting dependency.

/** One line of a chart. */
export interface Series {
  /** Legend label. */
  label: string;
  /** [x, y] points, x ascending. */
  points: readonly (readonly [number, number])[];
  /** A CSS colour. */
  color: string;
  /** Dashed line (e.g. a baseline). */
  dashed?: boolean;
  /** Draw a dot on each point. */
  dots?: boolean;
}

/** Axes of a chart. */
export interface ChartAxes {
  /** Largest x shown (the smallest is 0). */
  xMax: number;
  /** y range; when absent, fitted to the data with some headroom. */
  yMin?: number;
  yMax?: number;
  /** Caption of the x axis. */
  xLabel: string;
  /** Formats a y tick. */
  yFormat: (y: number) => string;
}

const WIDTH = 420;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 26, bottom: 30 };
const SVG_NS = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Redraws `svg` with the given series.
 *
 * @param svg - the target element (its content is replaced)
 * @param series - the lines to draw
 * @param axes - ranges and labels
 */
export function drawChart(svg: SVGSVGElement, series: readonly Series[], axes: ChartAxes): void {
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.replaceChildren();
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let yMin = axes.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let yMax = axes.yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (axes.yMin === undefined) yMin = Math.max(0, yMin - 0.1 * (yMax - yMin || 1));
  if (axes.yMax === undefined) yMax = yMax + 0.1 * (yMax - yMin || 1);
  if (yMax <= yMin) yMax = yMin + 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (v: number): number => PAD.left + (v / Math.max(axes.xMax, 1e-9)) * plotW;
  const y = (v: number): number => PAD.top + (1 - (v - yMin) / (yMax - yMin)) * plotH;

  for (let t = 0; t <= 4; t++) {
    const v = yMin + ((yMax - yMin) * t) / 4;
    svg.append(el('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: PAD.left - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, axes.yFormat(v)));
  }
  const xStep = Math.max(1, Math.ceil(axes.xMax / 10));
  for (let v = 0; v <= axes.xMax; v += xStep) {
    svg.append(el('text', { x: x(v), y: HEIGHT - PAD.bottom + 14, class: 'tick', 'text-anchor': 'middle' }, String(v)));
  }
  svg.append(el('text', { x: PAD.left + plotW / 2, y: HEIGHT - 2, class: 'axis-label', 'text-anchor': 'middle' }, axes.xLabel));

  let legendX = PAD.left;
  for (const s of series) {
    const finite = s.points.filter((p) => Number.isFinite(p[1]));
    if (finite.length > 0) {
      const path = finite.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      svg.append(el('path', { d: path, fill: 'none', stroke: s.color, 'stroke-width': 2, ...(s.dashed ? { 'stroke-dasharray': '5 4' } : {}) }));
      if (s.dots) for (const p of finite) svg.append(el('circle', { cx: x(p[0]), cy: y(p[1]), r: 2.6, fill: s.color }));
    }
    svg.append(el('rect', { x: legendX, y: 8, width: 12, height: 3, fill: s.color }));
    const label = el('text', { x: legendX + 16, y: 13, class: 'legend' }, s.label);
    svg.append(label);
    legendX += 24 + s.label.length * 6.2;
  }
}
