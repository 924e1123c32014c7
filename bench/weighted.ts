// Interaction weights in training (train's `weighting`): does confidence from real per-interaction
// strengths help? GMF (factors 8) on MovieLens-100K with each rating (1-5) as the weight w of its
// interaction, trained with weighting 'none', 'linear' (c = 1 + s * w) and 'log' (c = 1 + s *
// log(1 + w)), fused engine, one thread, the same seeds for every setting.
//
//   nice -n 10 npx tsx bench/weighted.ts [--data ml100k|planted] [--seeds 1,2,3] [--epochs 30] [--out ...]
//
// Why ML-100K and not ML-1M: the NCF ML-1M train file under ../shared/data/ml-1m-ncf is a
// reconstruction whose rating column is a placeholder (every line says 1; see its SOURCE.md), and no
// ML-1M ratings.dat is available. ML-100K's u.data has the real ratings.
//
// Protocol (NCF style, as bench/baselines.ts runs ML-100K): the test item is each user's latest
// rating (leaveOneOut by time), ranked among 99 negatives drawn once (seed 100) from the items the
// user never rated; HR@10 and NDCG@10, pessimistic ties. Model selection: each user's latest
// training item is held out as a validation positive with its own 99 negatives (seed 0x7a11d);
// training runs on the rest, validates every epoch (NDCG@10) and keeps the best epoch's weights
// (early stopping, patience 5). Only those weights meet the test set.
//
// --data planted: a synthetic check that the weights are used when they carry signal.
// syntheticInteractions (1,000 users, 600 items, ~30 interactions each, noise 0.35 by default
// (--noise): that share of the interactions ignores the user's taste) with planted repeat counts: an interaction with an item the
// user likes (the planted taste) repeats 1 + Poisson(3) times, any other 1 + Poisson(0.3) times;
// the count is the weight. The latest interaction (any kind) is the test item. The counts thus
// tell taste from noise, which the binary data cannot.
//
// Control: 'linear, shuffled' gives the same weights randomly permuted across the training rows.
// It has the same distribution of confidences, so any gain of 'linear' over it comes from which
// interaction carries which rating, not from weighing positives more overall.
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readMovieLens, leaveOneOut, syntheticInteractions, type Interactions } from '../src/data/index.js';
import { deriveSeed, mulberry32, randomInt } from '../src/sampling/index.js';
import { drawNegatives } from './negatives.js';
import { evaluateSampled } from '../src/evaluation/index.js';
import { GMF } from '../src/models/index.js';
import { train, type TrainOptions } from '../src/training/index.js';

const args = (() => {
  const a = { data: 'ml100k', seeds: [1, 2, 3], epochs: 30, noise: 0.35, out: '' };
  const argv = process.argv.slice(2);
  for (let k = 0; k < argv.length; k++) {
    const v = () => argv[++k];
    switch (argv[k]) {
      case '--data': a.data = v(); break;
      case '--noise': a.noise = Number(v()); break;
      case '--seeds': a.seeds = v().split(',').map(Number); break;
      case '--epochs': a.epochs = Number(v()); break;
      case '--out': a.out = v(); break;
      default: throw new Error(`unknown argument ${argv[k]}`);
    }
  }
  if (a.data !== 'ml100k' && a.data !== 'planted') throw new Error(`--data must be ml100k or planted, got ${a.data}`);
  if (a.out === '') a.out = `bench/results/weighted-${a.data}.json`;
  return a;
})();

interface Setting {
  name: string;
  options: Pick<TrainOptions, 'weighting' | 'weightScale'>;
  shuffled?: boolean;
}

const SETTINGS: Setting[] = [
  { name: 'none', options: { weighting: 'none' } },
  { name: 'linear, s = 0.25', options: { weighting: 'linear', weightScale: 0.25 } },
  { name: 'linear, s = 1', options: { weighting: 'linear', weightScale: 1 } },
  { name: 'log, s = 1', options: { weighting: 'log', weightScale: 1 } },
  { name: 'log, s = 3', options: { weighting: 'log', weightScale: 3 } },
  { name: 'linear, s = 1, shuffled', options: { weighting: 'linear', weightScale: 1 }, shuffled: true },
];

function byUser(d: Interactions): number[][] {
  const lists: number[][] = Array.from({ length: d.numUsers }, () => []);
  for (let k = 0; k < d.users.length; k++) lists[d.users[k]].push(d.items[k]);
  return lists;
}

function take(d: Interactions, keep: (k: number) => boolean): Interactions {
  const idx: number[] = [];
  for (let k = 0; k < d.users.length; k++) if (keep(k)) idx.push(k);
  return {
    users: Int32Array.from(idx, (k) => d.users[k]),
    items: Int32Array.from(idx, (k) => d.items[k]),
    weights: Float32Array.from(idx, (k) => d.weights![k]),
    numUsers: d.numUsers,
    numItems: d.numItems,
  };
}

/** Knuth's Poisson draw (small means). */
function poisson(random: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Synthetic interactions whose repeat counts (the weights) are planted from the hidden taste. */
function planted(): Interactions & { timestamps: Float64Array } {
  const d = syntheticInteractions({ numUsers: 1000, numItems: 600, interactionsPerUser: 30, noise: args.noise, seed: 7 });
  const { userTraits, itemTraits, likedTraits } = d.truth;
  const random = mulberry32(0x7e9ea7);
  const weights = Float32Array.from(d.users, (u, k) => 1 + poisson(random, itemTraits[d.items[k]] === likedTraits[userTraits[u]] ? 3 : 0.3));
  return { users: d.users, items: d.items, timestamps: d.timestamps, weights, numUsers: d.numUsers, numItems: d.numItems };
}

const data = args.data === 'ml100k' ? (await readMovieLens('../shared/data/ml-100k/u.data')).data : planted();
const { train: trainAll, test } = leaveOneOut(data, { by: 'time' });
const rated = byUser(data);
const testNegatives = drawNegatives(test.users, data.numItems, (u) => rated[u], 100);
// validation: each user's latest training item (ties: the later entry), from users with >= 2
const latest = new Int32Array(trainAll.numUsers).fill(-1);
const counts = new Int32Array(trainAll.numUsers);
for (let k = 0; k < trainAll.users.length; k++) {
  const u = trainAll.users[k];
  counts[u]++;
  if (latest[u] < 0 || trainAll.timestamps![k] >= trainAll.timestamps![latest[u]]) latest[u] = k;
}
const held = new Uint8Array(trainAll.users.length);
for (let u = 0; u < trainAll.numUsers; u++) if (latest[u] >= 0 && counts[u] >= 2) held[latest[u]] = 1;
const fit = take(trainAll, (k) => held[k] === 0);
const valIdx = [...held.keys()].filter((k) => held[k] === 1);
const valUsers = Int32Array.from(valIdx, (k) => trainAll.users[k]);
const trainLists = byUser(trainAll);
const validation = {
  users: valUsers,
  items: Int32Array.from(valIdx, (k) => trainAll.items[k]),
  negatives: drawNegatives(valUsers, data.numItems, (u) => trainLists[u], deriveSeed(0, 0x7a11d)),
};
const testSet = { users: test.users, items: test.items, negatives: testNegatives };

/** The weights permuted across rows (Fisher-Yates, seeded). */
function shuffledWeights(d: Interactions, seed: number): Interactions {
  const w = Float32Array.from(d.weights!);
  const random = mulberry32(deriveSeed(seed, 0x5f0f));
  for (let i = w.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [w[i], w[j]] = [w[j], w[i]];
  }
  return { ...d, weights: w };
}

const log = (...parts: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...parts);
const histogram = [1, 2, 3, 4, 5].map((r) => fit.weights!.filter((w) => w === r).length);
const dataName = args.data === 'ml100k' ? 'MovieLens-100K, leave-one-out by time, rating as weight' : `planted repeats: syntheticInteractions(1000 x 600, 30 per user, noise ${args.noise}, seed 7), weight = 1 + Poisson(3) if liked else 1 + Poisson(0.3)`;
log(`${dataName}: ${data.numUsers} users, ${data.numItems} items; fit ${fit.users.length}, validation ${validation.users.length}, test ${test.users.length}; weights 1-5 in fit: ${histogram.join(' / ')}`);

interface Run {
  setting: string;
  seed: number;
  bestEpoch: number;
  epochs: number;
  valNdcg: number;
  hr: number;
  ndcg: number;
  seconds: number;
}
const runs: Run[] = [];
const result = {
  schema: 'neural-recsys/weighted@1',
  command: `npx tsx bench/weighted.ts ${process.argv.slice(2).join(' ')}`.trim(),
  createdAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version },
  data: {
    name: dataName,
    users: data.numUsers,
    items: data.numItems,
    fit: fit.users.length,
    validation: validation.users.length,
    test: test.users.length,
    weightCounts1to5: histogram,
  },
  model: 'GMF, factors 8',
  training: { engine: 'fused', threads: 1, epochs: args.epochs, batchSize: 256, negatives: 4, learningRate: 0.001, optimizer: 'adam', earlyStopping: { patience: 5, metric: 'ndcg' } },
  runs,
  summary: [] as { setting: string; hr: [number, number]; ndcg: [number, number] }[],
};
mkdirSync(dirname(args.out), { recursive: true });
const save = () => writeFileSync(args.out, JSON.stringify(result, null, 1) + '\n');

const meanSd = (xs: number[]): [number, number] => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return [m, sd];
};

for (const seed of args.seeds) {
  for (const s of SETTINGS) {
    const model = GMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 8, seed });
    const t0 = performance.now();
    const history = await train(model, s.shuffled === true ? shuffledWeights(fit, seed) : fit, {
      ...s.options,
      epochs: args.epochs,
      batchSize: 256,
      negatives: 4,
      learningRate: 0.001,
      seed,
      engine: 'fused',
      threads: 1,
      validation: { data: validation, metric: 'ndcg', k: 10 },
      earlyStopping: { patience: 5, restoreBest: true },
    });
    const seconds = (performance.now() - t0) / 1000;
    const t = evaluateSampled(model, testSet, { k: 10 });
    model.dispose();
    const run: Run = { setting: s.name, seed, bestEpoch: history.bestEpoch ?? -1, epochs: history.epochs.length, valNdcg: history.bestValidation ?? NaN, hr: t.hr, ndcg: t.ndcg, seconds };
    runs.push(run);
    log(`seed ${seed} ${s.name.padEnd(24)} best epoch ${run.bestEpoch} of ${run.epochs}, val NDCG ${run.valNdcg.toFixed(4)}, test HR@10 ${t.hr.toFixed(4)} NDCG@10 ${t.ndcg.toFixed(4)} (${seconds.toFixed(1)} s)`);
    save();
  }
}
result.summary = SETTINGS.map((s) => {
  const rs = runs.filter((r) => r.setting === s.name);
  return { setting: s.name, hr: meanSd(rs.map((r) => r.hr)), ndcg: meanSd(rs.map((r) => r.ndcg)) };
});
save();
console.log(`\n| weighting | HR@10 | NDCG@10 | best epochs |\n|---|---|---|---|`);
for (const s of result.summary) {
  const epochs = runs.filter((r) => r.setting === s.setting).map((r) => r.bestEpoch).join(', ');
  console.log(`| ${s.setting} | ${s.hr[0].toFixed(4)} ± ${s.hr[1].toFixed(4)} | ${s.ndcg[0].toFixed(4)} ± ${s.ndcg[1].toFixed(4)} | ${epochs} |`);
}
