// The baselines table's result files (written by bench/baselines.ts) and their rendering into
// docs/benchmarks.md: one table per data set, a row per method and setting, its seeds gathered
// from every file that ran it (e.g. one process per seed).
import { readFileSync, writeFileSync } from 'node:fs';

export interface Result {
  command: string;
  machine: { model: string; node: string };
  data: { name: string; users: number; items: number; train: number; validation: number };
  rows: Row[];
}

export interface Row {
  method: string;
  params: Record<string, number>;
  seeds: number[];
  /** per seed */
  test: { hr: number; ndcg: number }[];
  full: { hr: number; ndcg: number; recall: number }[];
  fitSeconds: number[];
  val: { hr: number; ndcg: number };
  tuneSeconds: number;
  trials: { params: Record<string, number>; hr: number; ndcg: number; fitSeconds: number }[];
  /** MF and NCF rows: the epochs each seed's hold-out run chose (the refit trained that many). */
  epochsPerSeed?: number[];
  /** MF and NCF rows: each seed's validation figures (`val` is their mean). */
  valPerSeed?: { hr: number; ndcg: number }[];
  /** NeuMF-pre rows: each seed's choices (GMF and MLP epochs, alpha, its own epochs), in words. */
  choicesPerSeed?: string[];
}

/** The mean of validation figures (one per seed). */
export function meanValidation(vals: readonly Row['val'][]): Row['val'] {
  return { hr: vals.reduce((a, v) => a + v.hr, 0) / vals.length, ndcg: vals.reduce((a, v) => a + v.ndcg, 0) / vals.length };
}

/** A table row: a method and setting with the seeds of every file that ran it. */
export interface MergedRow extends Row {
  /** The epochs chosen per seed (empty when the setting does not choose them). */
  epochs: number[];
  /** NeuMF-pre: each seed's choices in words. */
  choices: string[];
}

/**
 * Merges the rows of one data set: the same method with the same setting (MF's rows: the same
 * setting but the epoch count, which differs per seed and is listed) becomes one row, each seed
 * taken from the first row that has it. Its validation figure is the mean over its seeds (a row
 * without per-seed validation gives its own to each of its seeds), its selection seconds the sum
 * over the rows that added seeds (or that have none: a selection-only run), each selection counted
 * once: rows carrying the same trials are refits of one selection (`--mf-refit-from`, one seed
 * per process) and repeat its seconds.
 */
export function mergeRows(rows: readonly Row[]): MergedRow[] {
  const merged: (MergedRow & { vals: Row['val'][]; selections: Set<string> })[] = [];
  for (const row of rows) {
    const { epochs, ...setting } = row.params;
    const params = row.method.startsWith('MF') ? setting : row.params;
    const listsEpochs = epochs !== undefined && params !== row.params;
    let same = merged.find((m) => m.method === row.method && JSON.stringify(m.params) === JSON.stringify(params));
    if (same === undefined) {
      same = { ...row, params, epochs: [], choices: [], vals: [], selections: new Set(), seeds: [], test: [], full: [], fitSeconds: [], tuneSeconds: 0 };
      merged.push(same);
    }
    const target = same;
    const fresh = row.seeds.map((seed, j) => ({ seed, j })).filter(({ seed }) => !target.seeds.includes(seed));
    const selection = row.trials.length > 0 ? JSON.stringify(row.trials) : undefined;
    const counted = selection !== undefined && target.selections.has(selection);
    if ((fresh.length > 0 || row.seeds.length === 0) && !counted) target.tuneSeconds += row.tuneSeconds;
    if (selection !== undefined) target.selections.add(selection);
    for (const { seed, j } of fresh) {
      if (row.choicesPerSeed) target.choices.push(row.choicesPerSeed[j]);
      if (row.epochsPerSeed) target.epochs.push(row.epochsPerSeed[j]);
      else if (listsEpochs) target.epochs.push(epochs);
      target.vals.push(row.valPerSeed?.[j] ?? row.val);
      target.seeds.push(seed);
      target.test.push(row.test[j]);
      target.full.push(row.full[j]);
      target.fitSeconds.push(row.fitSeconds[j]);
    }
    if (target.vals.length > 0) target.val = meanValidation(target.vals);
  }
  return merged.map(({ vals: _vals, selections: _selections, ...row }) => row);
}

/** Mean, and ± the sample standard deviation when there are several values, to 3 decimals. */
export function meanSpread(xs: readonly number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return mean.toFixed(3);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
}

/**
 * The machines `runs` ran on, each with its Node version and how many of the result files it
 * wrote (the files of one table may come from different machines).
 *
 * @example
 * machines([a, b, c]); //=> 'Intel(R) Xeon(R) Processor, Node v20.20.2 (2 result files); AMD EPYC, Node v20.20.2 (1 result file)'
 */
export function machines(runs: readonly Pick<Result, 'machine'>[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) {
    const key = `${r.machine.model}, Node ${r.machine.node}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const all = [...counts];
  if (all.length === 1) return all[0][0];
  return all.map(([key, n]) => `${key} (${n} result file${n === 1 ? '' : 's'})`).join('; ');
}

/** The markdown tables of `files` (one per data set) and the line that says how they were made. */
export function renderTables(files: readonly string[]): string {
  const lines: string[] = [];
  const sets = new Map<string, { data: Result['data']; runs: Result[] }>();
  for (const file of files) {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Result;
    const set = sets.get(r.data.name) ?? { data: r.data, runs: [] };
    set.runs.push(r);
    sets.set(r.data.name, set);
  }
  for (const { data, runs } of sets.values()) {
    lines.push(`**${data.name}**: ${data.users} users, ${data.items} items, ${data.train} training positives (${data.validation} held out for validation while selecting). ${machines(runs)}; ${runs.map((r) => `\`${r.command}\``).join(', ')}.`, '');
    lines.push('| Method | Selected on validation | Seeds | Val HR@10 | Test HR@10 (NCF protocol) | NDCG@10 | Full ranking HR@10 | NDCG@10 | Recall@10 | Fit (s) | Selection (s, all trials) |');
    lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of mergeRows(runs.flatMap((r) => r.rows))) {
      if (row.test.length === 0) continue;
      const chosen = row.choices.length > 0 ? [`per seed: ${row.choices.join(' / ')}`] : row.epochs.length > 0 ? [`epochs ${row.epochs.join(' / ')}`] : [];
      const params = [...Object.entries(row.params).map(([k, v]) => `${k} ${v}`), ...chosen].join(', ') || '–';
      const secs = row.fitSeconds.reduce((a, b) => a + b, 0) / row.fitSeconds.length;
      lines.push(
        `| ${row.method} | ${params} | ${row.seeds.length === 1 && row.seeds[0] === 0 ? '– (deterministic)' : row.seeds.join(', ')} | ${row.val.hr.toFixed(3)} | ${meanSpread(row.test.map((t) => t.hr))} | ${meanSpread(row.test.map((t) => t.ndcg))} | ` +
          `${meanSpread(row.full.map((t) => t.hr))} | ${meanSpread(row.full.map((t) => t.ndcg))} | ${meanSpread(row.full.map((t) => t.recall))} | ${secs.toFixed(1)} | ${row.tuneSeconds.toFixed(0)} |`,
      );
    }
    lines.push('');
  }
  lines.push(`Rendered from ${files.map((f) => `\`${f}\``).join(', ')} by \`npx tsx bench/baselines.ts --render ${files.join(' ')}\`.`);
  return lines.join('\n');
}

/** Writes renderTables(files) between the baselines markers of `doc`. */
export function render(files: readonly string[], doc: string): void {
  const text = readFileSync(doc, 'utf8');
  const begin = '<!-- BEGIN GENERATED: baselines -->';
  const end = '<!-- END GENERATED: baselines -->';
  if (!text.includes(begin) || !text.includes(end)) throw new Error(`${doc} has no ${begin} ... ${end} markers`);
  writeFileSync(doc, text.slice(0, text.indexOf(begin) + begin.length) + '\n' + renderTables(files) + '\n' + text.slice(text.indexOf(end)));
}
