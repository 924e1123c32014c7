// Chooses a configuration of bench/reproduce-ml1m.ts runs on validation, never on test, and
// reports its val-selected test figure: the configurations are the runs' tags (e.g. `lr0.0005`
// from `--lr 0.0005`; the default configuration has none), compared by the mean over seeds of
// their hold-out runs' best validation HR@10; the chosen one's figure is, per seed, the whole-file
// run (`--no-holdout`) of the same tag, model and factor at the number of epochs its hold-out run
// chose by validation, as in docs/benchmarks.md's val-selected column.
//
//   npx tsx bench/choose-config.ts bench/results/tune-neumf-f8-*.json
//
// Prints a markdown table (one row per configuration; the test columns when whole-file runs are
// given) and the choice.
import { readFileSync } from 'node:fs';
import { mean, meanSpread as fmt } from './ml1m/tables.js';
import type { ResultFile, RunRecord } from './ml1m/types.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx bench/choose-config.ts <result.json> [...]');
  process.exit(2);
}
const runs: RunRecord[] = files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as ResultFile).runs).filter((r) => r.status === 'complete');

const key = (r: RunRecord) => `${r.variant} f${r.factor} ${r.tag ?? '(default)'}`;

interface Row {
  key: string;
  seeds: number[];
  val: number[];
  epochs: number[];
  test: number[];
  ndcg: number[];
  fullSeeds: number[];
}
const rows = new Map<string, Row>();
for (const r of runs.filter((x) => x.holdout)) {
  const row = rows.get(key(r)) ?? { key: key(r), seeds: [], val: [], epochs: [], test: [], ndcg: [], fullSeeds: [] };
  rows.set(key(r), row);
  const byVal = r.selection?.byVal;
  if (byVal?.valHr === undefined) continue;
  row.seeds.push(r.seed);
  row.val.push(byVal.valHr);
  row.epochs.push(byVal.epoch);
  const full = runs.find((x) => !x.holdout && key(x) === key(r) && x.seed === r.seed);
  const point = full?.curve.find((p) => p.epoch === byVal.epoch);
  if (point) {
    row.fullSeeds.push(r.seed);
    row.test.push(point.test.hr);
    row.ndcg.push(point.test.ndcg);
  }
}
const sorted = [...rows.values()].filter((r) => r.val.length > 0).sort((a, b) => mean(b.val) - mean(a.val));
// the test columns only when some configuration has whole-file runs to read them from
const withTest = sorted.some((r) => r.fullSeeds.length > 0);
console.log(`| Configuration | Seeds | Best validation HR@10 (hold-out runs) | Epochs chosen (0-based) |${withTest ? ' Val-selected test HR@10 (whole-file runs) | NDCG@10 |' : ''}`);
console.log(`|---|---|---:|---|${withTest ? '---:|---:|' : ''}`);
for (const r of sorted) {
  const partial = r.fullSeeds.length < r.seeds.length ? ` (whole-file: seeds ${r.fullSeeds.join(', ') || 'none'})` : '';
  const test = withTest ? ` ${fmt(r.test)}${partial} | ${fmt(r.ndcg)} |` : '';
  console.log(`| ${r.key} | ${r.seeds.join(', ')} | ${fmt(r.val)} | ${r.epochs.join(', ')} |${test}`);
}
const best = sorted[0];
if (best) console.log(`\nchosen on validation: ${best.key} (mean best validation HR@10 ${mean(best.val).toFixed(4)} over seeds ${best.seeds.join(', ')})`);
