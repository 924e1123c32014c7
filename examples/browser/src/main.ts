// The demo page: starts the training worker, draws the live curves, shows the metrics and the
// recommendations. All model work happens in worker.ts; this file only renders.
//
// For the end-to-end test (scripts/browser-test.mjs) the page exposes its state:
//   body[data-state]   loading | training | trained | error
//   body[data-source]  trained (this visit) | indexeddb (restored, no training)
//   #hr, #ndcg, #pop-hr, #pop-ndcg [data-value]   test metrics, model and popularity
//   #recs[data-user] > li[data-item]              the top-10 of the selected user
import { drawChart, type Series } from './chart.js';
import type { EpochPoint, FromWorker, ShownItem, TestMetrics, ToWorker } from './protocol.js';
import './style.css';
import { $ } from './dom.js';

const HISTORY_KEY = 'neural-recsys-demo:history';

interface SavedHistory {
  points: EpochPoint[];
  bestEpoch: number | null;
  seconds: number;
  savedAt: string;
}

const ui = {
  status: $('#status'),
  backend: $('#backend'),
  engine: $('#engine'),
  dataInfo: $('#data-info'),
  epochs: $('#epochs-done'),
  lossChart: $<SVGSVGElement>('#loss-chart'),
  hrChart: $<SVGSVGElement>('#hr-chart'),
  curvesNote: $('#curves-note'),
  hr: $('#hr'),
  ndcg: $('#ndcg'),
  popHr: $('#pop-hr'),
  popNdcg: $('#pop-ndcg'),
  lift: $('#lift'),
  user: $<HTMLSelectElement>('#user'),
  recs: $<HTMLOListElement>('#recs'),
  seen: $('#seen'),
  retrain: $<HTMLButtonElement>('#retrain'),
  error: $('#error'),
};

let epochsPlanned = 20;
let batchesPerEpoch = 1;
let points: EpochPoint[] = [];
let live: [number, number] | null = null;
let metrics: TestMetrics | null = null;
let started = 0;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);

function setState(state: 'loading' | 'training' | 'trained' | 'error', source?: 'trained' | 'indexeddb'): void {
  document.body.dataset.state = state;
  if (source) document.body.dataset.source = source;
  else delete document.body.dataset.source;
  ui.retrain.disabled = state === 'loading' || state === 'training';
}

function setMetric(node: HTMLElement, value: number | null): void {
  node.dataset.value = value === null ? '' : String(value);
  node.textContent = value === null ? '–' : value.toFixed(3);
}

function redraw(): void {
  const xMax = Math.max(epochsPlanned, points.length);
  const loss: [number, number][] = points.map((p) => [p.epoch, p.loss]);
  if (live) loss.push(live);
  drawChart(ui.lossChart, [{ label: 'training loss (BCE)', points: loss, color: '#2563eb', dots: false }], {
    xMax,
    xLabel: 'epoch',
    yFormat: (v) => v.toFixed(2),
  });
  const series: Series[] = [{ label: 'NeuMF HR@10 (validation)', points: points.map((p) => [p.epoch, p.hr]), color: '#16a34a', dots: true }];
  if (metrics) {
    series.push({ label: 'popularity HR@10 (test)', points: [[0, metrics.popularityHr], [xMax, metrics.popularityHr]], color: '#9ca3af', dashed: true });
  }
  drawChart(ui.hrChart, series, { xMax, yMin: 0, yMax: 1, xLabel: 'epoch', yFormat: (v) => v.toFixed(2) });
}

function renderItems(list: HTMLElement, items: readonly ShownItem[], withScore: boolean): void {
  list.replaceChildren(
    ...items.map(({ item, score, liked }) => {
      const li = document.createElement('li');
      li.dataset.item = String(item);
      li.className = liked ? 'liked' : 'other';
      li.title = liked ? 'in the group this user likes' : 'outside the group this user likes';
      li.innerHTML = `<span class="item">item ${item}</span>` + (withScore ? `<span class="bar"><span style="width:${(score * 100).toFixed(1)}%"></span></span><span class="score">${score.toFixed(3)}</span>` : '');
      return li;
    }),
  );
}

function onMessage(message: FromWorker): void {
  switch (message.type) {
    case 'status':
      ui.status.textContent = message.text;
      if (message.text.startsWith('Training')) setState('training');
      break;
    case 'setup':
      epochsPlanned = message.epochs;
      batchesPerEpoch = message.batchesPerEpoch;
      ui.backend.textContent = message.backend;
      ui.engine.textContent = message.engine;
      ui.dataInfo.textContent = `${message.numUsers} users · ${message.numItems} items · ${message.interactions.toLocaleString('en')} interactions (synthetic, seed 42)`;
      if (ui.user.options.length !== message.numUsers) {
        ui.user.replaceChildren(
          ...Array.from({ length: message.numUsers }, (_, u) => new Option(`user ${u}`, String(u))),
        );
        ui.user.value = '0';
      }
      redraw();
      break;
    case 'batch':
      live = [message.epoch + Math.min(1, (message.batch + 1) / batchesPerEpoch), message.loss];
      redraw();
      break;
    case 'epoch':
      points.push(message.point);
      live = null;
      ui.epochs.dataset.value = String(message.point.epoch);
      ui.epochs.textContent = `${message.point.epoch} / ${epochsPlanned}`;
      ui.status.textContent = `Training… epoch ${message.point.epoch}: validation HR@10 ${message.point.hr.toFixed(3)}`;
      redraw();
      break;
    case 'ready': {
      metrics = message.metrics;
      setMetric(ui.hr, metrics.hr);
      setMetric(ui.ndcg, metrics.ndcg);
      setMetric(ui.popHr, metrics.popularityHr);
      setMetric(ui.popNdcg, metrics.popularityNdcg);
      ui.lift.textContent = metrics.popularityHr > 0 ? `${(metrics.hr / metrics.popularityHr).toFixed(1)}× popularity` : '';
      if (message.source === 'trained') {
        const saved: SavedHistory = { points, bestEpoch: message.bestEpoch, seconds: message.seconds, savedAt: new Date().toISOString() };
        localStorage.setItem(HISTORY_KEY, JSON.stringify(saved));
        ui.status.textContent = `Trained in ${message.seconds.toFixed(1)} s (kept epoch ${message.bestEpoch ?? '?'}, chosen on validation) and saved to ${message.saved}.`;
        ui.curvesNote.textContent = 'Curves of this training run.';
      } else {
        const saved = readHistory();
        points = saved?.points ?? [];
        ui.epochs.dataset.value = String(points.length);
        ui.epochs.textContent = `${points.length} / ${epochsPlanned}`;
        ui.status.textContent = `Loaded from IndexedDB (${message.saved}): no training needed. “Retrain” starts over.`;
        ui.engine.textContent = 'none: restored, not trained';
        ui.curvesNote.textContent = saved ? `Curves of the run saved on ${new Date(saved.savedAt).toLocaleString('en')}.` : 'The saved run left no curves.';
      }
      redraw();
      pendingSource = message.source;
      send({ type: 'recommend', user: Number(ui.user.value) });
      break;
    }
    case 'recommendations':
      if (String(message.user) !== ui.user.value) break;
      renderItems(ui.recs, message.items, true);
      renderItems(ui.seen, message.seen, false);
      ui.recs.dataset.user = String(message.user);
      if (pendingSource) {
        setState('trained', pendingSource);
        console.log(`demo ready (${pendingSource}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        pendingSource = null;
      }
      break;
    case 'error':
      fail(message.message);
      break;
  }
}

let pendingSource: 'trained' | 'indexeddb' | null = null;

function readHistory(): SavedHistory | null {
  try {
    const raw = localStorage.getItem(HISTORY_KEY);
    return raw ? (JSON.parse(raw) as SavedHistory) : null;
  } catch {
    return null;
  }
}

function fail(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
  ui.status.textContent = 'Something went wrong.';
  setState('error');
  console.error(message);
}

function begin(retrain: boolean): void {
  points = [];
  live = null;
  metrics = null;
  started = performance.now();
  for (const node of [ui.hr, ui.ndcg, ui.popHr, ui.popNdcg]) setMetric(node, null);
  ui.lift.textContent = '';
  ui.recs.replaceChildren();
  ui.seen.replaceChildren();
  delete ui.recs.dataset.user;
  ui.epochs.dataset.value = '0';
  setState('loading');
  redraw();
  send({ type: 'start', retrain });
}

worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
worker.onerror = (event) => fail(`the worker failed: ${event.message || 'could not start it'}`);
ui.user.addEventListener('change', () => send({ type: 'recommend', user: Number(ui.user.value) }));
ui.retrain.addEventListener('click', () => begin(true));
begin(false);
