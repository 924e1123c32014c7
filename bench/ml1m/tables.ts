// The Markdown tables of docs/benchmarks.md, rendered from the runs of the result files.
import { paperFigure, type RunRecord, type Selection } from './types.js';

interface Group {
  variant: string;
  factor: number;
  runs: RunRecord[];
}

export const VARIANT_ORDER = ['gmf', 'mlp', 'neumf', 'neumf-pre-sgd', 'neumf-pre-adam'];
export const VARIANT_LABEL: Record<string, string> = {
  gmf: 'GMF',
  mlp: 'MLP',
  neumf: 'NeuMF (no pretraining)',
  'neumf-pre-sgd': 'NeuMF-pre, SGD (paper)',
  'neumf-pre-adam': 'NeuMF-pre, Adam (code README)',
};

/** Mean ± half the range (max − min)/2, three decimals; '–' when empty. */
export function meanSpread(xs: number[]): string {
  if (xs.length === 0) return '–';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return mean.toFixed(3);
  const half = (Math.max(...xs) - Math.min(...xs)) / 2;
  return `${mean.toFixed(3)} ± ${half.toFixed(3)}`;
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function groups(runs: RunRecord[]): Group[] {
  const map = new Map<string, Group>();
  for (const r of runs) {
    if (!r.holdout || r.tag || !VARIANT_ORDER.includes(r.variant)) continue;
    const key = `${r.variant}|${r.factor}`;
    if (!map.has(key)) map.set(key, { variant: r.variant, factor: r.factor, runs: [] });
    map.get(key)!.runs.push(r);
  }
  return [...map.values()].sort((a, b) => a.factor - b.factor || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant));
}

/**
 * The main table. "Test-selected" is the paper's protocol: trained on the whole train file, the
 * best epoch by test HR. "Val-selected" never looks at the test set: the number of epochs (and,
 * for NeuMF-pre, the run) is chosen by validation HR in the hold-out run of the same model and
 * seed, and the figure is the test HR of the whole-file run after that many epochs (choose on a
 * validation split, then refit on all the training data). The hold-out run's own figures, trained
 * without the validation items, are in the last column.
 */
export function renderTable(runs: RunRecord[]): string {
  const lines = [
    '| Model | Factor | Seeds | Paper HR@10 / NDCG@10 | Test-selected HR@10 | NDCG@10 | HR − paper | Val-selected HR@10 | NDCG@10 | Val − test (HR) | Epochs (test; val) | Hold-out run itself: test-sel. / val-sel. HR@10 |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  // the same model and seed trained on the whole train file, as the original code does; for
  // NeuMF-pre, from the GMF and MLP checkpoints named by `checkpoint` ('val': no tag)
  // (a test-selected figure may come from a run cut short: its epoch column then says "of N")
  const wholeFile = (h: RunRecord, checkpoint: 'test' | 'val' | 'last', allowCut = false): RunRecord | undefined =>
    runs.find(
      (r) =>
        !r.holdout && (r.status === 'complete' || (allowCut && r.curve.length > 1)) && r.selection !== undefined && r.variant === h.variant && r.factor === h.factor &&
        r.seed === h.seed && (r.model === 'neumf-pre' ? (r.tag ?? '') === (checkpoint === 'val' ? '' : `pre-${checkpoint}`) : !r.tag),
    );
  for (const g of groups(runs)) {
    const pre = g.variant.startsWith('neumf-pre');
    const pairs = g.runs
      .filter((r) => r.status === 'complete' && r.selection?.byVal)
      .sort((a, b) => a.seed - b.seed)
      .map((h) => ({
        h,
        // test-selected: every choice by test, as the original code (NeuMF-pre from the test-best
        // GMF and MLP); val-selected: no choice by test (NeuMF-pre from validation-chosen or last epochs)
        t: pre ? (wholeFile(h, 'test') ?? wholeFile(h, 'test', true) ?? wholeFile(h, 'val') ?? wholeFile(h, 'last')) : wholeFile(h, 'val'),
        w: pre ? (wholeFile(h, 'val') ?? wholeFile(h, 'last')) : wholeFile(h, 'val'),
      }))
      .filter((x): x is { h: RunRecord; t: RunRecord; w: RunRecord } => x.w !== undefined && x.t !== undefined)
      // the whole-file run must have reached the epoch the hold-out run's validation chose
      .filter((x) => x.w.curve.some((q) => q.epoch === x.h.selection!.byVal!.epoch));
    const pending = g.runs
      .filter((r) => !pairs.some((x) => x.h === r))
      .map((r) => `s${r.seed}: ${r.status === 'complete' ? 'no matching whole-file run' : `${r.curve.length - 1} of ${r.epochsPlanned ?? '?'} epochs`}`);
    // a whole-file run trained for fewer epochs than the protocol's is named with its budget
    const budget = (r: RunRecord, h: RunRecord): string => {
      const n = r.curve.filter((q) => q.epoch >= 0).length;
      return n < h.curve.filter((q) => q.epoch >= 0).length ? ` of ${n}` : '';
    };
    // which pretraining checkpoints the whole-file NeuMF-pre runs started from (test; val selection)
    const from = (r: RunRecord): string => (r.tag === 'pre-test' ? 'test-best' : r.tag === 'pre-last' ? 'last' : 'val-chosen');
    const starts = pre ? `, GMF+MLP epochs: ${[...new Set(pairs.map((x) => from(x.t)))].join('/')}; ${[...new Set(pairs.map((x) => from(x.w)))].join('/')}` : '';
    const test = pairs.map(({ t }) => t.selection!.byTest);
    const val = pairs.map(({ h, w }) => {
      const epoch = h.selection!.byVal!.epoch;
      const point = w.curve.find((q) => q.epoch === epoch)!;
      return { epoch, hr: point.test.hr, ndcg: point.test.ndcg };
    });
    const paper = paperFigure(g.variant, g.factor);
    const hrT = mean(test.map((x) => x.hr));
    const hrV = mean(val.map((x) => x.hr));
    const ok = pairs.length > 0;
    lines.push(
      `| ${VARIANT_LABEL[g.variant] ?? g.variant}${starts} | ${g.factor} | ${pairs.map((x) => x.h.seed).join(', ') || 'none'}${pending.length ? ` (${pending.join('; ')})` : ''} | ` +
        `${paper ? `${paper.hr.toFixed(3)} / ${paper.ndcg.toFixed(3)}` : 'no table'} | ` +
        `${meanSpread(test.map((x) => x.hr))} | ${meanSpread(test.map((x) => x.ndcg))} | ${paper && ok ? signed(hrT - paper.hr) : '–'} | ` +
        `${meanSpread(val.map((x) => x.hr))} | ${meanSpread(val.map((x) => x.ndcg))} | ${ok ? signed(hrV - hrT) : '–'} | ` +
        `${pairs.map((x, i) => `${test[i].epoch}${budget(x.t, x.h)}`).join(', ') || '–'}; ${pairs.map((x, i) => `${val[i].epoch}${budget(x.w, x.h)}`).join(', ') || '–'} | ` +
        `${meanSpread(pairs.map((x) => x.h.selection!.byTest.hr))} / ${meanSpread(pairs.map((x) => x.h.selection!.byVal!.hr))} |`,
    );
  }
  return lines.join('\n');
}

function signed(x: number): string {
  const r = x.toFixed(3);
  return r === '-0.000' ? '0.000' : x >= 0 ? `+${r}` : r;
}

/** Everything outside the main protocol (no hold-out, reference trainer, ...), grouped over seeds. */
export function renderAblations(runs: RunRecord[]): string {
  const map = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const key = r.id.replace(/-s\d+(-|$)/, '$1');
    if (!map.has(key)) map.set(key, []);
    map.get(key)!.push(r);
  }
  const lines = [
    '| Configuration | Seeds | Test-selected HR@10 | NDCG@10 | Val-selected HR@10 | NDCG@10 | HR@10 after epoch 2 / 5 / 10 | HR@10 at the last epoch | Mean of the last 5 epochs\' HR@10 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [key, rs] of [...map.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    // partial runs count here (marked): these rows compare configurations at equal epochs
    const done = rs.filter((r) => r.curve.length > 1 || (r.status === 'complete' && r.curve.length > 0)).sort((a, b) => a.seed - b.seed);
    if (done.length === 0) continue;
    const t = done.map((r) => r.selection!.byTest);
    const v = done.map((r) => r.selection!.byVal).filter((x): x is Selection => x !== undefined);
    const last = done.map((r) => r.curve[r.curve.length - 1].test.hr);
    const tail = done.map((r) => {
      const trained = r.curve.filter((q) => q.epoch >= 0);
      return mean((trained.length ? trained : r.curve).slice(-5).map((q) => q.test.hr));
    });
    // epochs are 0-based in the curves: epoch 1 is the end of the second pass
    const at = (epoch: number): string => {
      const xs = done.map((r) => r.curve.find((q) => q.epoch === epoch)?.test.hr).filter((x): x is number => x !== undefined);
      return xs.length ? mean(xs).toFixed(3) : '–';
    };
    lines.push(
      `| ${key} | ${done.map((r) => (r.status === 'complete' ? `${r.seed}` : `${r.seed} (**partial**: ${r.curve.length - 1} of ${r.epochsPlanned ?? '?'} epochs)`)).join(', ')} | ${meanSpread(t.map((x) => x.hr))} | ${meanSpread(t.map((x) => x.ndcg))} | ` +
        `${meanSpread(v.map((x) => x.hr))} | ${meanSpread(v.map((x) => x.ndcg))} | ${[1, 4, 9].map((e) => at(e)).join(' / ')} | ${meanSpread(last)} | ${meanSpread(tail)} |`,
    );
  }
  return lines.join('\n');
}

export function renderRuns(runs: RunRecord[]): string {
  const lines = [
    '| Run | Status | Epochs | Train s/epoch | Eval s/point | Wall (min) | Test-sel. HR / NDCG (epoch) | Val-sel. HR / NDCG (epoch) | Final epoch HR | Ties: optimistic − pessimistic HR (best test epoch) |',
    '|---|---|---:|---:|---:|---:|---|---|---:|---:|',
  ];
  const sorted = [...runs].sort(
    (a, b) => a.factor - b.factor || a.seed - b.seed || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant) || a.id.localeCompare(b.id),
  );
  for (const r of sorted) {
    const trained = r.curve.filter((p) => p.epoch >= 0);
    const sPer = trained.length ? mean(trained.map((p) => p.seconds ?? 0)) : 0;
    const ePer = r.curve.length ? mean(r.curve.map((p) => p.evalSeconds)) : 0;
    const bt = r.selection?.byTest;
    const bv = r.selection?.byVal;
    const last = r.curve[r.curve.length - 1];
    const bp = r.curve.find((p) => p.epoch === bt?.epoch);
    const ties = bp ? (bp.testOptimistic.hr - bp.test.hr).toFixed(4) : '–';
    lines.push(
      `| ${r.id} | ${r.status === 'complete' ? 'complete' : `**partial** (${r.status})`} | ${trained.length} | ${sPer.toFixed(1)} | ${ePer.toFixed(1)} | ${(r.wallSeconds / 60).toFixed(1)} | ` +
        `${bt ? `${bt.hr.toFixed(4)} / ${bt.ndcg.toFixed(4)} (${bt.epoch})` : '–'} | ${bv ? `${bv.hr.toFixed(4)} / ${bv.ndcg.toFixed(4)} (${bv.epoch})` : '–'} | ` +
        `${last ? last.test.hr.toFixed(4) : '–'} | ${ties} |`,
    );
  }
  return lines.join('\n');
}

export function renderCurves(runs: RunRecord[]): string {
  const out: string[] = [];
  for (const r of [...runs].sort((a, b) => a.id.localeCompare(b.id))) {
    const hr = r.curve.map((p) => p.test.hr.toFixed(3)).join(' ');
    const val = r.curve.map((p) => (p.val ? p.val.hr.toFixed(3) : '–')).join(' ');
    out.push(`${r.id} (${r.status})\n  test HR@10 from init: ${hr}\n  val  HR@10 from init: ${val}`);
  }
  return '```text\n' + out.join('\n') + '\n```';
}
