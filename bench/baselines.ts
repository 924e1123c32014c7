// The baselines table: popularity, item kNN, implicit ALS, EASE and dot-product MF on MovieLens-1M
// in the NCF protocol (each user's test item ranked among the 99 listed negatives, pessimistic
// ties) and in full ranking (every item not in the user's training set), and on ML-100K.
//
//   npx tsx bench/baselines.ts [--data ml1m|ml100k] [--models pop,knn,als,ease,mf,gmf,mlp,neumf,neumf-pre]
//       [--ncf-factors 8] [--ncf-epochs 20] [--ncf-lr 0.001] [--ncf-alphas 0.5] [--ncf-pre-lr 0.001]
//       [--ncf-gmf-recipe adam|mf] [--ncf-mf-epochs 200] [--ncf-mf-every 8] [--ncf-patience N] [--ncf-sgd-patience N]
//       [--ncf-threads 1]
//       [--mf-factors 32,64,128] [--mf-epochs 16] [--mf-lr 0.02] [--mf-reg 0.005] [--mf-negatives 8]
//       [--mf-stddev 0.1] [--mf-every 2] [--mf-shuffle] [--mf-refit] [--seeds 1,2,3] [--als-reg 10,50] [--als-alpha 3,10]
//       [--als-factors 64] [--als-exponent 0] [--als-iterations 10] [--knn-neighbours 20,50]
//       [--knn-shrink 10,100] [--ease-lambda 500,1000] [--select-only]
//       [--als-refit-from a.json,b.json] [--out bench/results/baselines-ml1m.json]
//   npx tsx bench/baselines.ts --render bench/results/baselines-ml1m.json ... [--doc docs/benchmarks.md]
//
// Selection, as bench/reproduce-ml1m.ts does it: each user's latest training item (its first line
// in the NCF train file; the latest by time for ML-100K) is held out as a validation positive,
// ranked among 99 negatives drawn once (seed 0x7a11d) from the items the user has no training
// positive for. Every hyper-parameter is chosen by tune() on validation HR@10 with the models
// fitted on train minus validation; the chosen setting is then refitted on the whole train file,
// and only that refit meets the test set. MF and the NCF models choose their epoch count per seed
// on a hold-out run's validation curve instead (runMF, bench/baselines-ncf.ts; MF refits only with
// `--mf-refit`). `--ncf-patience N` stops the NCF models' Adam hold-out runs (GMF, MLP, NeuMF)
// after N epochs without a better validation point, `--ncf-sgd-patience N` NeuMF-pre's own SGD
// run (off by default; rows run with either say so); the MF-recipe GMF (`--ncf-gmf-recipe mf`)
// runs its `--ncf-mf-epochs` either way. `--ncf-threads N` trains the NCF models (hold-outs and
// refits) on N worker threads of the fused engine (Hogwild: no longer bit-for-bit repeatable, and
// the fit seconds are wall time on N cores; rows run so say so); the MF-recipe GMF stays on fitMF's
// own loop, one thread. Seeded methods are refitted with each seed; the table gives mean ± sample
// standard deviation.
//
// A search split over several processes: `--select-only` runs the validation grid and writes its
// trials without refitting (the row has no test figures and the table skips it); then
// `--models als --als-refit-from a.json,b.json` takes the iALS trial with the best validation HR@10
// over all those files' trials and refits it on the whole train file with each of `--seeds`.
//
// ML-100K has no published split: the test item is each user's latest rating (leaveOneOut by
// time), its 99 negatives drawn once (seed 100) from the items the user never rated.
//
// The JSON is rewritten after every finished method, so a cut run stays usable.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { readMovieLens, readNcf, leaveOneOut, type Interactions } from '../src/data/index.js';
import { deriveSeed } from '../src/sampling/index.js';
import { drawNegatives } from './negatives.js';
import { evaluateFull, evaluateSampled } from '../src/evaluation/index.js';
import type { Scorer } from '../src/scoring/index.js';
import { meanValidation, render, type Result, type Row } from './baselines-table.js';
import { RENDLE_MF } from './ml1m/gmf-mf.js';
import { fitALS, fitEASE, fitItemKNN, fitMF, fitPopularity, type BaselineScorer } from '../src/baselines/index.js';
import { tune, type TuneTrial } from '../src/tuning/tune.js';
import type * as tf from '@tensorflow/tfjs';
import { createScorer } from '../src/scoring/index.js';
import { NCF_LABEL, selectAndRefit, selectAndRefitPretrained, type NcfData, type NcfKind, type NcfSelected, type NcfSettings } from './baselines-ncf.js';

interface Split {
  name: string;
  /** the whole training file */
  train: Interactions;
  /** train minus the validation positives */
  fit: Interactions;
  val: { users: Int32Array; items: Int32Array; negatives: Int32Array[] };
  test: { users: Int32Array; items: Int32Array; negatives: Int32Array[] };
  testInteractions: Interactions;
}

const args = parseArgs(process.argv.slice(2));

function parseArgs(argv: string[]) {
  const a = { data: 'ml1m', models: ['pop', 'knn', 'als', 'ease', 'mf'], mfFactors: [32, 64, 128], seeds: [1, 2, 3], alsReg: [] as number[], alsAlpha: [] as number[], alsFactors: [64], alsExponent: [0], alsIterations: [10], knnNeighbours: [] as number[], knnShrink: [] as number[], easeLambda: [] as number[], out: '', render: [] as string[], doc: 'docs/benchmarks.md',
    mfEpochs: 0, mfLr: 0.02, mfReg: 0.005, mfNegatives: 8, mfStddev: 0.1, mfEvery: 2, mfShuffle: false, mfRefit: false, mfRefitFrom: '', alsRefitFrom: [] as string[], selectOnly: false,
    ncfFactors: [8], ncfEpochs: 20, ncfLr: 0.001, ncfAlphas: [0.5], ncfPreLr: 0.001, ncfGmfRecipe: 'adam', ncfMfEpochs: 200, ncfMfEvery: 8, ncfPatience: 0, ncfSgdPatience: 0, ncfThreads: 1 };
  for (let k = 0; k < argv.length; k++) {
    const v = () => argv[++k];
    switch (argv[k]) {
      case '--data': a.data = v(); break;
      case '--models': a.models = v().split(','); break;
      case '--mf-factors': a.mfFactors = v().split(',').map(Number); break;
      case '--seeds': a.seeds = v().split(',').map(Number); break;
      case '--als-reg': a.alsReg = v().split(',').map(Number); break;
      case '--als-alpha': a.alsAlpha = v().split(',').map(Number); break;
      case '--als-factors': a.alsFactors = v().split(',').map(Number); break;
      case '--als-exponent': a.alsExponent = v().split(',').map(Number); break;
      case '--als-iterations': a.alsIterations = v().split(',').map(Number); break;
      case '--knn-neighbours': a.knnNeighbours = v().split(',').map(Number); break;
      case '--knn-shrink': a.knnShrink = v().split(',').map(Number); break;
      case '--ease-lambda': a.easeLambda = v().split(',').map(Number); break;
      case '--mf-epochs': a.mfEpochs = Number(v()); break;
      case '--mf-lr': a.mfLr = Number(v()); break;
      case '--mf-reg': a.mfReg = Number(v()); break;
      case '--mf-negatives': a.mfNegatives = Number(v()); break;
      case '--mf-stddev': a.mfStddev = Number(v()); break;
      case '--mf-every': a.mfEvery = Number(v()); break;
      case '--mf-shuffle': a.mfShuffle = true; break;
      case '--mf-refit': a.mfRefit = true; break;
      case '--mf-refit-from': a.mfRefitFrom = v(); break;
      case '--als-refit-from': a.alsRefitFrom = v().split(','); break;
      case '--select-only': a.selectOnly = true; break;
      case '--ncf-factors': a.ncfFactors = v().split(',').map(Number); break;
      case '--ncf-epochs': a.ncfEpochs = epochCount('--ncf-epochs', v()); break;
      case '--ncf-lr': a.ncfLr = Number(v()); break;
      case '--ncf-alphas': a.ncfAlphas = v().split(',').map(Number); break;
      case '--ncf-pre-lr': a.ncfPreLr = Number(v()); break;
      case '--ncf-gmf-recipe': a.ncfGmfRecipe = v(); if (a.ncfGmfRecipe !== 'adam' && a.ncfGmfRecipe !== 'mf') throw new Error(`--ncf-gmf-recipe is adam or mf, got ${a.ncfGmfRecipe}`); break;
      case '--ncf-mf-epochs': a.ncfMfEpochs = Number(v()); break;
      case '--ncf-mf-every': a.ncfMfEvery = Number(v()); break;
      case '--ncf-patience': a.ncfPatience = epochCount('--ncf-patience', v()); break;
      case '--ncf-sgd-patience': a.ncfSgdPatience = epochCount('--ncf-sgd-patience', v()); break;
      case '--ncf-threads': a.ncfThreads = threadCount(v()); break;
      case '--out': a.out = v(); break;
      case '--doc': a.doc = v(); break;
      case '--render': while (k + 1 < argv.length && !argv[k + 1].startsWith('--')) a.render.push(argv[++k]); break;
      default: throw new Error(`unknown argument ${argv[k]}`);
    }
  }
  if (a.out === '') a.out = `bench/results/baselines-${a.data}.json`;
  return a;
}

/**
 * An NCF hold-out run's length or patience (`train`'s `epochs`, `earlyStopping.patience`;
 * bench/baselines-ncf.ts): a whole number of epochs, at least 1.
 */
function epochCount(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} is a whole number of epochs, at least 1, got ${value}`);
  return n;
}

/** `--ncf-threads`: the fused engine's worker threads, a whole number from 1 to the machine's cores. */
function threadCount(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > cpus().length) throw new Error(`--ncf-threads is a whole number from 1 to this machine's ${cpus().length} cores, got ${value}`);
  return n;
}

function byUser(d: Interactions): Int32Array[] {
  const lists: number[][] = Array.from({ length: d.numUsers }, () => []);
  for (let k = 0; k < d.users.length; k++) lists[d.users[k]].push(d.items[k]);
  return lists.map((l) => Int32Array.from(l));
}

function subset(d: Interactions, keep: (k: number) => boolean): Interactions {
  const idx: number[] = [];
  for (let k = 0; k < d.users.length; k++) if (keep(k)) idx.push(k);
  return { users: Int32Array.from(idx, (k) => d.users[k]), items: Int32Array.from(idx, (k) => d.items[k]), numUsers: d.numUsers, numItems: d.numItems };
}

/** Holds out `pick(u)` (an entry index of train) per user with >= 2 training items. */
function withValidation(name: string, train: Interactions, pick: Int32Array, test: Split['test'], testInteractions: Interactions): Split {
  const held = new Uint8Array(train.users.length);
  const vu: number[] = [];
  const vi: number[] = [];
  const counts = new Int32Array(train.numUsers);
  for (let k = 0; k < train.users.length; k++) counts[train.users[k]]++;
  for (let u = 0; u < train.numUsers; u++) {
    if (pick[u] >= 0 && counts[u] >= 2) {
      held[pick[u]] = 1;
      vu.push(u);
      vi.push(train.items[pick[u]]);
    }
  }
  const lists = byUser(train);
  const valUsers = Int32Array.from(vu);
  const negatives = drawNegatives(valUsers, train.numItems, (u) => lists[u], deriveSeed(0, 0x7a11d));
  return { name, train, fit: subset(train, (k) => held[k] === 0), val: { users: valUsers, items: Int32Array.from(vi), negatives }, test, testInteractions };
}

async function loadSplit(): Promise<Split> {
  if (args.data === 'ml1m') {
    const ncf = await readNcf('../shared/data/ml-1m-ncf');
    const first = new Int32Array(ncf.numUsers).fill(-1);
    for (let k = 0; k < ncf.train.users.length; k++) if (first[ncf.train.users[k]] < 0) first[ncf.train.users[k]] = k;
    const test = { users: ncf.test.users, items: ncf.test.items, negatives: ncf.testNegatives! };
    return withValidation('MovieLens-1M (NCF split)', ncf.train, first, test, ncf.test);
  }
  const { data } = await readMovieLens('../shared/data/ml-100k/u.data');
  const { train, test } = leaveOneOut(data, { by: 'time' });
  const trainLists = byUser(train);
  const testNegatives = drawNegatives(test.users, data.numItems, (u) => [...trainLists[u], ...test.items.filter((_, k) => test.users[k] === u)], 100);
  // latest training item per user (ties: the later entry)
  const latest = new Int32Array(train.numUsers).fill(-1);
  for (let k = 0; k < train.users.length; k++) {
    const u = train.users[k];
    if (latest[u] < 0 || train.timestamps![k] >= train.timestamps![latest[u]]) latest[u] = k;
  }
  return withValidation('MovieLens-100K (leave-one-out by time)', train, latest, { users: test.users, items: test.items, negatives: testNegatives }, test);
}

if (args.render.length > 0) {
  render(args.render, args.doc);
  process.exit(0);
}
const split = await loadSplit();
const result = {
  schema: 'neural-recsys/baselines@1',
  command: `npx tsx bench/baselines.ts ${process.argv.slice(2).join(' ')}`.trim(),
  createdAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version },
  data: { name: split.name, users: split.train.numUsers, items: split.train.numItems, train: split.train.users.length, validation: split.val.users.length, test: split.test.users.length },
  rows: [] as Row[],
};
mkdirSync(dirname(args.out), { recursive: true });
const save = () => writeFileSync(args.out, JSON.stringify(result, null, 1) + '\n');
const log = (...parts: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...parts);
log(split.name, result.data);

function testOf(s: Scorer) {
  const t = evaluateSampled(s, split.test, { k: 10 });
  const f = evaluateFull(s, split.testInteractions, { k: 10, exclude: split.train });
  return { test: { hr: t.hr, ndcg: t.ndcg }, full: { hr: f.hr, ndcg: f.ndcg, recall: f.recall } };
}

type Fit = (data: Interactions, params: Record<string, number>, seed: number) => BaselineScorer;

async function runMethod(method: string, space: Record<string, number[]>, fit: Fit, seeds: number[], tuneSeed = seeds[0]): Promise<void> {
  const t0 = performance.now();
  const tuned = await tune<Record<string, number>>({
    space,
    fit: (p) => fit(split.fit, p, tuneSeed),
    validation: split.val,
    metric: 'hr',
    onTrial: (t, done, total) => log(method, `trial ${done}/${total}`, JSON.stringify(t.params), 'val HR', t.value.toFixed(4), `fit ${t.runs[0].fitSeconds.toFixed(1)} s`),
  });
  const tuneSeconds = (performance.now() - t0) / 1000;
  await refit(method, tuned.best.params, fit, args.selectOnly ? [] : seeds, tuned.trials, tuneSeconds);
}

async function refit(method: string, params: Record<string, number>, fit: Fit, seeds: number[], trials: readonly TuneTrial<Record<string, number>>[], tuneSeconds: number): Promise<void> {
  const best = trials.find((t) => JSON.stringify(t.params) === JSON.stringify(params)) ?? trials[0];
  const row: Row = {
    method,
    params,
    seeds: [],
    test: [],
    full: [],
    fitSeconds: [],
    val: { hr: best.runs[0].hr, ndcg: best.runs[0].ndcg },
    tuneSeconds,
    trials: trials.map((t) => ({ params: t.params, hr: t.runs[0].hr, ndcg: t.runs[0].ndcg, fitSeconds: t.runs[0].fitSeconds })),
  };
  result.rows.push(row);
  save();
  for (const seed of seeds) {
    const s = fit(split.train, params, seed);
    const r = testOf(s);
    row.seeds.push(seed);
    row.test.push(r.test);
    row.full.push(r.full);
    row.fitSeconds.push(s.fitSeconds);
    s.dispose();
    log(method, JSON.stringify(params), `seed ${seed}`, 'test HR', r.test.hr.toFixed(4), 'NDCG', r.test.ndcg.toFixed(4), '| full HR', r.full.hr.toFixed(4), `| fit ${s.fitSeconds.toFixed(1)} s`);
    save();
  }
}

function fitALSWith(d: Interactions, p: Record<string, number>, seed: number): BaselineScorer {
  return fitALS(d, { factors: p.factors, regularization: p.regularization, regularizationExponent: p.regularizationExponent ?? 0, alpha: p.alpha, iterations: p.iterations, seed });
}

/** Refits the iALS trial with the best validation HR@10 over every iALS trial in `files`. */
async function refitALSFrom(files: string[]): Promise<void> {
  const trials = files.flatMap((file) => (JSON.parse(readFileSync(file, 'utf8')) as Result).rows.filter((r) => r.method === 'iALS').flatMap((r) => r.trials));
  if (trials.length === 0) throw new Error(`${files.join(', ')} hold no iALS trials`);
  const best = trials.reduce((a, t) => (t.hr > a.hr ? t : a));
  log('iALS refit', JSON.stringify(best.params), `validation HR ${best.hr.toFixed(4)}, the best of ${trials.length} trials in ${files.join(', ')}`);
  // the result files keep each trial's params, HR, NDCG and fit seconds (not its seed or MRR)
  const asTrials: TuneTrial<Record<string, number>>[] = trials.map((t) => ({ params: t.params, value: t.hr, spread: 0, runs: [{ seed: Number.NaN, hr: t.hr, ndcg: t.ndcg, mrr: Number.NaN, fitSeconds: t.fitSeconds }] }));
  // "Selection" for this row: the summed fit seconds of every trial (their evaluation not included)
  const tuneSeconds = trials.reduce((a, t) => a + t.fitSeconds, 0);
  await refit('iALS', best.params, fitALSWith, args.seeds, asTrials, tuneSeconds);
}

const big = args.data === 'ml1m';
for (const m of args.models) {
  if (m === 'pop') await runMethod('Popularity', {}, (d) => fitPopularity(d), [0]);
  if (m === 'knn') {
    const neighbours = args.knnNeighbours.length > 0 ? args.knnNeighbours : big ? [20, 50, 100, 200] : [10, 20, 50, 100, 200];
    await runMethod('Item kNN', { neighbours, shrink: args.knnShrink.length > 0 ? args.knnShrink : [10, 100] }, (d, p) => fitItemKNN(d, { neighbours: p.neighbours, shrink: p.shrink }), [0]);
  }
  if (m === 'ease') {
    await runMethod('EASE', { lambda: args.easeLambda.length > 0 ? args.easeLambda : big ? [500, 1000, 2000] : [100, 200, 400, 800, 1600] }, (d, p) => fitEASE(d, { lambda: p.lambda }), [0]);
  }
  if (m === 'als' && args.alsRefitFrom.length > 0) await refitALSFrom(args.alsRefitFrom);
  else if (m === 'als') {
    await runMethod(
      'iALS',
      {
        factors: args.alsFactors,
        regularization: args.alsReg.length > 0 ? args.alsReg : big ? [10, 50, 200] : [30, 100, 300],
        alpha: args.alsAlpha.length > 0 ? args.alsAlpha : big ? [3, 10] : [3, 10, 30],
        iterations: args.alsIterations,
        // only a non-default exponent enters the setting, so that earlier rows keep merging
        ...(args.alsExponent.length === 1 && args.alsExponent[0] === 0 ? {} : { regularizationExponent: args.alsExponent }),
      },
      fitALSWith,
      args.seeds,
    );
  }
  if (m === 'mf' && args.mfRefitFrom !== '') {
    // Refit: the epoch count (and every other MF setting) comes from a hold-out run's validation
    // curve in an earlier result file (the first evaluated epoch with the best validation HR);
    // the model is then trained on the whole train file for that many epochs, once per seed,
    // and only that refit meets the test set, as for the other baselines.
    const earlier = JSON.parse(readFileSync(args.mfRefitFrom, 'utf8')) as Result;
    for (const factors of args.mfFactors) {
      const run = earlier.rows.find((r) => r.method === `MF (dot product) ${factors}`);
      if (run === undefined || run.trials.length === 0) throw new Error(`${args.mfRefitFrom} has no MF-${factors} validation curve`);
      const best = run.trials.reduce((a, t) => (t.hr > a.hr ? t : a));
      const { epochs: _chosen, ...setting } = run.params;
      const epochs = best.params.epoch;
      const settings = { learningRate: setting.learningRate ?? 0.02, regularization: setting.regularization ?? 0.005, negatives: setting.negatives ?? 8, stddev: setting.stddev ?? 0.1, shuffleExamples: setting.shuffleExamples === 1 };
      log('MF refit', `f${factors}`, JSON.stringify(settings), `epochs ${epochs} (validation HR ${best.hr.toFixed(4)} in ${args.mfRefitFrom})`);
      const tuneSeconds = run.trials.reduce((a, t) => Math.max(a, t.fitSeconds), 0);
      await refit(`MF (dot product) ${factors}, refitted`, { ...setting, epochs }, (d, _p, seed) => fitMF(d, { factors, epochs, ...settings, seed }), args.seeds,
        run.trials.map((t) => ({ params: t.params, value: t.hr, runs: [{ seed: t.params.seed, hr: t.hr, ndcg: t.ndcg, fitSeconds: t.fitSeconds, value: t.hr }] })) as unknown as TuneTrial<Record<string, number>>[], tuneSeconds);
      // refit() looks the chosen trial up by its params; the curve's trials carry (factors, seed, epoch)
      const row = result.rows[result.rows.length - 1];
      row.val = { hr: best.hr, ndcg: best.ndcg };
      save();
    }
  } else if (m === 'mf') {
    await runMF();
  }
  if (m === 'gmf' || m === 'mlp' || m === 'neumf') await runNcf(m);
  if (m === 'neumf-pre') await runNcfPretrained();
}
log('done');

/**
 * MF trains by epochs, so its epoch count is chosen like the NCF models': per size and seed, one
 * run on train minus validation, evaluated on validation every `--mf-every` epochs; its epoch
 * count is the first evaluated one with the best validation HR@10. With `--mf-refit` the model is
 * then trained again from the same seed on the whole train file for that many epochs and only that
 * refit meets the test set (as every other row of the table; the row is labelled "refitted").
 * Without it, the test figures are those of the hold-out run itself at its chosen epoch (the
 * earlier protocol, kept so that earlier files still mean what they say; the hold-out run then
 * also evaluates test at every evaluated epoch, for the curve). Defaults: 16 epochs (40 on
 * ML-100K) at learning rate 0.02, L2 0.005, 8 negatives, stddev 0.1 (Rendle et al.'s ML-1M values,
 * with a larger step for fewer epochs); Rendle et al.'s own recipe is `--mf-epochs 256 --mf-lr
 * 0.002 --mf-every 8`.
 */
async function runMF(): Promise<void> {
  const maxEpochs = args.mfEpochs > 0 ? args.mfEpochs : big ? 16 : 40;
  const { mfLr: learningRate, mfReg: regularization, mfNegatives: negatives, mfStddev: stddev, mfEvery: every, mfShuffle: shuffleExamples, mfRefit: refitting } = args;
  // rows of the historical defaults keep their old label; any other setting names itself
  const custom = maxEpochs !== (big ? 16 : 40) || learningRate !== 0.02 || regularization !== 0.005 || negatives !== 8 || stddev !== 0.1 || shuffleExamples;
  for (const factors of args.mfFactors) {
    const setting: Record<string, number> = custom ? { factors, maxEpochs, learningRate, regularization, negatives, stddev, ...(shuffleExamples ? { shuffleExamples: 1 } : {}) } : { factors };
    const row: Row = { method: `MF (dot product) ${factors}${refitting ? ', refitted' : ''}`, params: setting, seeds: [], test: [], full: [], fitSeconds: [], val: { hr: 0, ndcg: 0 }, tuneSeconds: 0, trials: [], epochsPerSeed: [] };
    result.rows.push(row);
    const options = { factors, learningRate, regularization, negatives, stddev, shuffleExamples };
    for (const seed of args.seeds) {
      let best = { epoch: 0, val: { hr: -1, ndcg: 0 }, test: { hr: 0, ndcg: 0 }, full: { hr: 0, ndcg: 0, recall: 0 }, seconds: 0 };
      let trainSeconds = 0;
      let last = performance.now();
      fitMF(split.fit, {
        ...options, epochs: maxEpochs, seed,
        onEpoch: (epoch, loss, current) => {
          trainSeconds += (performance.now() - last) / 1000;
          if (epoch % every === 0 || epoch === maxEpochs) {
            const v = evaluateSampled(current, split.val, { k: 10 });
            // the hold-out run meets the test set only when it is what the row reports
            const t = refitting ? undefined : testOf(current);
            log('MF', `f${factors} s${seed} epoch ${epoch} loss ${loss.toFixed(4)} val HR ${v.hr.toFixed(4)}${t ? ` | test HR ${t.test.hr.toFixed(4)} NDCG ${t.test.ndcg.toFixed(4)} | full HR ${t.full.hr.toFixed(4)}` : ''} | train ${trainSeconds.toFixed(0)} s`);
            row.trials.push({ params: { factors, seed, epoch }, hr: v.hr, ndcg: v.ndcg, fitSeconds: trainSeconds });
            if (v.hr > best.val.hr) best = { epoch, val: { hr: v.hr, ndcg: v.ndcg }, test: t?.test ?? best.test, full: t?.full ?? best.full, seconds: trainSeconds };
            save();
          }
          last = performance.now();
        },
      }).dispose();
      if (refitting) {
        const s = fitMF(split.train, { ...options, epochs: best.epoch, seed });
        const r = testOf(s);
        s.dispose();
        best = { ...best, test: r.test, full: r.full, seconds: s.fitSeconds };
        log('MF refit', `f${factors} s${seed} epochs ${best.epoch} (val HR ${best.val.hr.toFixed(4)}) test HR ${r.test.hr.toFixed(4)} NDCG ${r.test.ndcg.toFixed(4)} | full HR ${r.full.hr.toFixed(4)} | fit ${s.fitSeconds.toFixed(1)} s`);
      }
      recordSeed(row, seed, best, { epochs: best.epoch, val: best.val, refitSeconds: best.seconds });
      row.tuneSeconds += trainSeconds;
      save();
    }
  }
}

/** The split as the NCF selections take it (bench/baselines-ncf.ts). */
function ncfData(): NcfData {
  return { fit: split.fit, train: split.train, validation: split.val, log };
}

/** The row of `method` with `params`, made on first use. */
function rowOf(method: string, params: Record<string, number>): Row {
  const same = result.rows.find((r) => r.method === method && JSON.stringify(r.params) === JSON.stringify(params));
  if (same !== undefined) return same;
  const row: Row = { method, params, seeds: [], test: [], full: [], fitSeconds: [], val: { hr: 0, ndcg: 0 }, tuneSeconds: 0, trials: [], epochsPerSeed: [] };
  result.rows.push(row);
  return row;
}

/** The row of `kind` at `factors` with `settings`. */
function ncfRow(kind: NcfKind, factors: number, settings: NcfSettings): Row {
  return rowOf(`${NCF_LABEL[kind]} ${factors}`, ncfParams(factors, settings));
}

/** What an NCF row's setting shows of `settings` (the patience and the threads only when set). */
function ncfParams(factors: number, settings: NcfSettings): Record<string, number> {
  return {
    factors,
    learningRate: settings.learningRate,
    ...(settings.patience !== undefined ? { patience: settings.patience } : {}),
    ...(settings.threads !== undefined ? { threads: settings.threads } : {}),
  };
}

/** The NCF models' training settings from the arguments (`--ncf-epochs`, `--ncf-lr`, `--ncf-patience`, `--ncf-threads`). */
function ncfSettings(): NcfSettings {
  return {
    epochs: args.ncfEpochs,
    learningRate: args.ncfLr,
    ...(args.ncfPatience > 0 ? { patience: args.ncfPatience } : {}),
    ...(args.ncfThreads > 1 ? { threads: args.ncfThreads } : {}),
  };
}

/** Adds one seed's test figures `r` (of its refit, or of MF's hold-out run without `--mf-refit`) and its choice to a row. */
function recordSeed(row: Row, seed: number, r: ReturnType<typeof testOf>, chosen: Pick<NcfSelected, 'epochs' | 'val' | 'refitSeconds'>): void {
  const vals = (row.valPerSeed ??= []);
  row.seeds.push(seed);
  row.test.push(r.test);
  row.full.push(r.full);
  row.fitSeconds.push(chosen.refitSeconds);
  row.epochsPerSeed!.push(chosen.epochs);
  vals.push(chosen.val);
  row.val = meanValidation(vals);
}

/** testOf a refitted NCF model, which is then disposed (also when the test throws). */
function testRefit(model: tf.LayersModel): ReturnType<typeof testOf> {
  try {
    return testOf(createScorer(model));
  } finally {
    model.dispose();
  }
}

/**
 * Tests one seed's GMF, MLP or NeuMF selection (its refit, which is then disposed), records it in
 * its row with its hold-out curve as trials, logs it and saves the result file.
 */
function recordNcf(row: Row, factors: number, seed: number, chosen: NcfSelected, note = ''): void {
  const r = testRefit(chosen.model);
  recordSeed(row, seed, r, chosen);
  row.tuneSeconds += chosen.curve[chosen.curve.length - 1].seconds;
  for (const p of chosen.curve) row.trials.push({ params: { factors, seed, epoch: p.epoch }, hr: p.hr, ndcg: p.ndcg, fitSeconds: p.seconds });
  log(`${row.method}${note}`, `seed ${seed}`, `epochs ${chosen.epochs} (val HR ${chosen.val.hr.toFixed(4)})`, 'test HR', r.test.hr.toFixed(4), 'NDCG', r.test.ndcg.toFixed(4), '| full HR', r.full.hr.toFixed(4), `| refit ${chosen.refitSeconds.toFixed(1)} s`);
  save();
}

/** GMF, MLP or NeuMF at each `--ncf-factors`: per seed, epochs chosen on validation, then refitted (bench/baselines-ncf.ts). */
async function runNcf(kind: NcfKind): Promise<void> {
  for (const factors of args.ncfFactors) {
    const settings = ncfSettings();
    ncfRow(kind, factors, settings);
    for (const seed of args.seeds) recordNcf(ncfRow(kind, factors, settings), factors, seed, await selectAndRefit(kind, factors, seed, ncfData(), settings));
  }
}

/**
 * NeuMF with pretraining at each `--ncf-factors`: GMF and MLP chosen and refitted, the combination's
 * alpha (`--ncf-alphas`) and its own SGD epochs (`--ncf-pre-lr`) chosen on validation, then the
 * same on the whole train file (bench/baselines-ncf.ts). The refitted GMF and MLP it starts from
 * are exactly those `--models gmf,mlp` select and refit with the same seed: they are tested and
 * recorded as GMF and MLP rows too. With `--ncf-gmf-recipe mf` the GMF part trains as Rendle et
 * al.'s dot-product MF instead (at most `--ncf-mf-epochs`, validation every `--ncf-mf-every`;
 * selectAndRefitGmfByMF), and its rows are labelled by that recipe.
 */
async function runNcfPretrained(): Promise<void> {
  for (const factors of args.ncfFactors) {
    const settings = ncfSettings();
    const byMF = args.ncfGmfRecipe === 'mf' ? { maxEpochs: args.ncfMfEpochs, every: args.ncfMfEvery } : undefined;
    // --ncf-sgd-patience: NeuMF-pre's own SGD hold-out stops early; its row says so
    const sgdPatience = args.ncfSgdPatience > 0 ? { sgdPatience: args.ncfSgdPatience } : undefined;
    const pre = { alphas: args.ncfAlphas, preLearningRate: args.ncfPreLr, ...(byMF ? { gmfByMF: byMF } : {}), ...sgdPatience };
    // with the MF recipe the GMF part is an MF (bench/ml1m/gmf-mf.ts): its rows say so
    const mfRecipe = byMF ? { ...RENDLE_MF, maxEpochs: byMF.maxEpochs } : undefined;
    const row: Row = {
      method: `${NCF_LABEL['neumf-pre']} ${factors}${byMF ? ' (GMF by the MF recipe)' : ''}`,
      params: { ...ncfParams(factors, settings), sgdLearningRate: pre.preLearningRate, ...(mfRecipe ? { gmfMaxEpochs: mfRecipe.maxEpochs } : {}), ...sgdPatience },
      seeds: [], test: [], full: [], fitSeconds: [], val: { hr: 0, ndcg: 0 }, tuneSeconds: 0, trials: [], epochsPerSeed: [], choicesPerSeed: [],
    };
    result.rows.push(row);
    const gmfRow = () => (mfRecipe ? rowOf(`${NCF_LABEL.gmf} ${factors} (MF recipe)`, { factors, ...mfRecipe }) : ncfRow('gmf', factors, settings));
    for (const seed of args.seeds) {
      const chosen = await selectAndRefitPretrained(factors, seed, ncfData(), settings, pre);
      const r = testRefit(chosen.model);
      const { gmf, mlp } = chosen.parts;
      recordNcf(gmfRow(), factors, seed, gmf, " (refit, NeuMF-pre's start)");
      recordNcf(ncfRow('mlp', factors, settings), factors, seed, mlp, " (refit, NeuMF-pre's start)");
      recordSeed(row, seed, r, chosen);
      row.choicesPerSeed!.push(`GMF ${gmf.epochs}, MLP ${mlp.epochs}, alpha ${chosen.alpha}, ${chosen.epochs} SGD epoch${chosen.epochs === 1 ? '' : 's'}`);
      row.tuneSeconds += chosen.tuneSeconds;
      for (const a of chosen.alphaCurve) row.trials.push({ params: { factors, seed, alpha: a.alpha, epoch: -1 }, hr: a.hr, ndcg: a.ndcg, fitSeconds: 0 });
      for (const p of chosen.curve) row.trials.push({ params: { factors, seed, alpha: chosen.alpha, epoch: p.epoch }, hr: p.hr, ndcg: p.ndcg, fitSeconds: p.seconds });
      log(row.method, `seed ${seed}`, row.choicesPerSeed![row.choicesPerSeed!.length - 1], `(val HR ${chosen.val.hr.toFixed(4)})`, 'test HR', r.test.hr.toFixed(4), 'NDCG', r.test.ndcg.toFixed(4), '| full HR', r.full.hr.toFixed(4), `| refit ${chosen.refitSeconds.toFixed(1)} s`);
      save();
    }
  }
}
