// Side features on MovieLens-1M, on the fused engine: NeuMF (ids only) against NeuMF + item features
// (genres, decade of release) and NeuMF + item & user features (gender, age group, occupation).
// Three parts, one per target of issue 13 (docs/benchmarks.md, "Side features on MovieLens-1M"):
//
//   warm        the NCF split and protocol: each test positive ranked against the 99 listed negatives
//               of ml-1m.test.negative, HR@10 / NDCG@10 with pessimistic ties. Validation: each
//               user's latest training positive held out (bench/ml1m/data.ts, as the reproduction),
//               ranked against 99 seeded negatives; train() validates every epoch and restores the
//               epoch of best validation HR@10 (earlyStopping { patience: epochs, restoreBest }), then
//               the test set is ranked once. Selection never looks at the test set.
//   cold        the protocol of bench/cold-start-ml1m.ts: train + test pairs together, 10% of the items
//               held out whole (coldItemSplit), each held-out interaction ranked among the held-out
//               items the user did not interact with (evaluateColdItems, pessimistic ties), a fixed
//               number of epochs. Held-out items stay in the model (with their features, no positive);
//               the "no cold negatives" variants never draw them as training negatives
//               (excludeFromNegatives: every user x every held-out item). Genre popularity is the baseline.
//   throughput  training instances/s of the fused engine at ML-1M size (the NCF training pairs),
//               plain NeuMF vs NeuMF + item & user features, in alternating rounds in one process
//               (bench/measure.ts: warm-up batches, then a timed stretch of one epoch); medians and ratio.
//
// Models: NeuMF factor 8, MLP [64, 32, 16, 8], BCE with 4 negatives, Adam lr 0.001, batch 256.
//
// Run: npx tsx bench/features-ml1m.ts --part warm|cold|throughput [--seeds 1,2,3] [--epochs 10]
//        [--threads 2] [--variants ...] [--out results.json [--append]] [--data ../shared/data]
//        warm variants: ids, item, item+user; cold variants: ids, item, item-no-cold-neg, item+user,
//        item+user-no-cold-neg (default: all); --append adds this run's rows to --out's (same part,
//        epochs, threads) and prints the tables over both; throughput: [--rounds 3] [--seconds 10] [--warmup 200]
// Without the data (ml-1m-ncf/ and ml-1m/ under --data) it prints "skipped: ..." and exits 0.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { useBackend } from '../test/helpers/backends.js';
import {
  NeuMF,
  coldItemSplit,
  createScorer,
  evaluateColdItems,
  evaluateSampled,
  featurePopularity,
  inspectModel,
  train,
  type ColdItemSplit,
  type Interactions,
  type TrainHistory,
} from '../src/index.js';
import { resolveTrainOptions } from '../src/training/options.js';
import { createFusedEngine } from '../src/training/fused/index.js';
import { measure } from './measure.js';
import { prepare, validationNegatives } from './ml1m/data.js';
import type { Args } from './ml1m/args.js';
import { SHARED_DATA_DIR, ml1mFeatures } from './ml1m-features-setup.js';

const { values } = parseArgs({
  options: {
    part: { type: 'string', default: 'warm' },
    seeds: { type: 'string', default: '1,2,3' },
    epochs: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    variants: { type: 'string' },
    out: { type: 'string' },
    // add this run's rows to --out's (same part, epochs and threads); the tables cover both
    append: { type: 'boolean', default: false },
    data: { type: 'string', default: SHARED_DATA_DIR },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '200' },
  },
});
const positive = (name: string, text: string): number => {
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer, got ${text}`);
  return v;
};
const part = values.part;
if (part !== 'warm' && part !== 'cold' && part !== 'throughput') throw new Error(`--part must be warm, cold or throughput, got ${part}`);
const seeds = values.seeds.split(',').map((s) => positive('seeds', s));
const epochs = positive('epochs', values.epochs);
const threads = positive('threads', values.threads);
const started = Date.now();
const setup = await ml1mFeatures(values.data, 'pass --data <shared data directory>');
await useBackend('cpu');
const { movies, people } = setup;
const numUsers = setup.ncf.numUsers;
const numItems = setup.ncf.numItems;
const lines: string[] = [];
const say = (line: string): void => {
  lines.push(line);
  console.log(line);
};

/** With --append: the rows (and text) of the earlier runs in --out, checked to share the protocol. */
function priorRuns(): { perRun: Record<string, unknown>[]; commands: string[]; text: string[] } {
  if (!values.append) return { perRun: [], commands: [], text: [] };
  if (part === 'throughput') throw new Error('--append is for --part warm and cold');
  if (!values.out || !existsSync(values.out)) throw new Error('--append needs an existing --out file');
  const prior = JSON.parse(readFileSync(values.out, 'utf8'));
  if (prior.part !== part || prior.epochs !== epochs || prior.threads !== threads) {
    throw new Error(`--append: ${values.out} holds part ${prior.part}, ${prior.epochs} epochs, ${prior.threads} threads; this run is ${part}, ${epochs}, ${threads}`);
  }
  return { perRun: prior.perRun, commands: prior.commands ?? [prior.command], text: prior.text };
}
const prior = priorRuns();
/** Adds `row` unless a row of the same seed and name is already there (then it must be a deterministic baseline). */
function addRow<T extends { seed: number }>(rows: T[], row: T, key: (r: T) => string, deterministic = false): void {
  const clash = rows.find((r) => r.seed === row.seed && key(r) === key(row));
  if (clash && !deterministic) throw new Error(`--append: seed ${row.seed} ${key(row)} is already in ${values.out}`);
  if (!clash) rows.push(row);
}
const namesIn = <T>(rows: T[], key: (r: T) => string): string[] => [...new Set(rows.map(key))];

type Features = 'none' | 'item' | 'item+user';
function model(features: Features, seed: number) {
  return NeuMF({
    numUsers,
    numItems,
    factors: 8,
    layers: [64, 32, 16, 8],
    seed,
    ...(features === 'none' ? {} : { itemFeatures: movies }),
    ...(features === 'item+user' ? { userFeatures: people } : {}),
  });
}
const progress = (epoch: number, logs: { loss: number; seconds: number; validation?: Record<string, number> }): void =>
  console.log(`  epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, ${logs.seconds.toFixed(0)} s${logs.validation ? `, validation ${JSON.stringify(logs.validation)}` : ''}`);
const TRAIN = { batchSize: 256, learningRate: 0.001, negatives: 4, onEpochEnd: progress } as const;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const pm = (xs: number[]): string => `${mean(xs).toFixed(4)} ± ${std(xs).toFixed(4)}`;
function variantsOr(all: readonly string[]): string[] {
  const chosen = values.variants ? values.variants.split(',') : [...all];
  for (const v of chosen) if (!all.includes(v)) throw new Error(`--variants: unknown ${v} (one of ${all.join(', ')})`);
  return chosen;
}
const epochSummary = (h: TrainHistory) => h.epochs.map((e) => ({ epoch: e.epoch, loss: r4(e.loss), seconds: Math.round(e.seconds * 10) / 10, instPerSec: Math.round(e.instancesPerSecond), validation: e.validation }));

// ---- warm -------------------------------------------------------------------------------------
const WARM: Record<string, Features> = { ids: 'none', item: 'item', 'item+user': 'item+user' };
const WARM_NAMES: Record<string, string> = { ids: 'NeuMF (ids only)', item: 'NeuMF + item features', 'item+user': 'NeuMF + item & user features' };

async function warm(): Promise<object> {
  const p = await prepare({ dataDir: join(values.data, 'ml-1m-ncf'), limitUsers: null, holdout: true } as Args);
  const variants = variantsOr(Object.keys(WARM));
  say(`MovieLens-1M warm (NCF split): ${p.fit.users.length} training pairs after holding out ${p.valUsers.length} validation positives; ${p.test.users.length} test users x 99 listed negatives`);
  say(`NeuMF f=8 [64,32,16,8], Adam 0.001, batch 256, 4 negatives, up to ${epochs} epochs, fused engine, ${threads} threads; epoch chosen on validation HR@10; seeds ${seeds.join(',')}`);
  type WarmRow = { seed: number; variant: string; hr: number; ndcg: number; bestEpoch: number; valHr: number; seconds: number; engine: string; epochs: object[] };
  const rows = prior.perRun as WarmRow[];
  for (const seed of seeds) {
    const valNegatives = validationNegatives(p, seed, 99);
    for (const variant of variants) {
      const m = model(WARM[variant], seed);
      const t0 = performance.now();
      const history = await train(m, p.fit, {
        ...TRAIN,
        epochs,
        seed,
        threads,
        validation: { data: { users: p.valUsers, items: p.valItems, negatives: valNegatives }, metric: 'hr', k: 10 },
        earlyStopping: { patience: epochs, restoreBest: true },
      });
      const seconds = (performance.now() - t0) / 1000;
      const test = evaluateSampled(m, p.test, { k: 10, ties: 'pessimistic' });
      m.dispose();
      const row = { seed, variant, hr: r4(test.hr), ndcg: r4(test.ndcg), bestEpoch: history.bestEpoch ?? -1, valHr: r4(history.bestValidation ?? NaN), seconds: Math.round(seconds), engine: `${history.engine} (${history.threads} threads)`, epochs: epochSummary(history) };
      addRow(rows, row, (r) => r.variant);
      say(`seed ${seed} ${WARM_NAMES[variant].padEnd(30)} test HR@10 ${row.hr.toFixed(4)} NDCG@10 ${row.ndcg.toFixed(4)}  (val HR@10 ${row.valHr.toFixed(4)} at epoch ${row.bestEpoch + 1}/${epochs}, ${row.seconds} s, ${row.engine})`);
    }
  }
  say('');
  say(`${'model'.padEnd(30)}  HR@10 (mean ± sd)  NDCG@10 (mean ± sd)  chosen epochs  s/run`);
  const summary = namesIn(rows, (r) => r.variant).map((v) => {
    const r = rows.filter((x) => x.variant === v);
    const s = { variant: WARM_NAMES[v], hr: r4(mean(r.map((x) => x.hr))), hrSd: r4(std(r.map((x) => x.hr))), ndcg: r4(mean(r.map((x) => x.ndcg))), ndcgSd: r4(std(r.map((x) => x.ndcg))), seconds: Math.round(mean(r.map((x) => x.seconds))) };
    say(`${s.variant.padEnd(30)}  ${pm(r.map((x) => x.hr))}    ${pm(r.map((x) => x.ndcg))}      ${r.map((x) => x.bestEpoch + 1).join(',').padEnd(13)}  ${s.seconds}`);
    return s;
  });
  return { summary, perRun: rows };
}

// ---- cold -------------------------------------------------------------------------------------
const COLD: Record<string, { features: Features; coldNegatives: boolean; name: string }> = {
  ids: { features: 'none', coldNegatives: true, name: 'NeuMF (ids only)' },
  item: { features: 'item', coldNegatives: true, name: 'NeuMF + item features' },
  'item-no-cold-neg': { features: 'item', coldNegatives: false, name: 'NeuMF + item features, no cold negatives' },
  'item+user': { features: 'item+user', coldNegatives: true, name: 'NeuMF + item & user features' },
  'item+user-no-cold-neg': { features: 'item+user', coldNegatives: false, name: 'NeuMF + item & user features, no cold negatives' },
};

/** Every (user, held-out item) pair: what the "no cold negatives" variants never sample as a negative. */
function allColdPairs(split: ColdItemSplit): Interactions {
  const n = numUsers * split.coldItems.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  let k = 0;
  for (let u = 0; u < numUsers; u++) {
    for (const i of split.coldItems) {
      users[k] = u;
      items[k++] = i;
    }
  }
  return { users, items, numUsers, numItems };
}

async function cold(): Promise<object> {
  const variants = variantsOr(Object.keys(COLD));
  say(`MovieLens-1M cold-start items: ${setup.all.users.length} interactions, 10% of items held out whole (coldItemSplit), pessimistic ties, seeds ${seeds.join(',')}`);
  say(`NeuMF f=8 [64,32,16,8], Adam 0.001, batch 256, 4 negatives, ${epochs} epochs (fixed), fused engine, ${threads} threads`);
  type ColdRow = { seed: number; name: string; hr: number; ndcg: number; seconds?: number; engine?: string; epochs?: object[] };
  const rows = prior.perRun as ColdRow[];
  for (const seed of seeds) {
    const split = coldItemSplit(setup.all, { fraction: 0.1, seed });
    const pop = evaluateColdItems(featurePopularity(split.train, movies, { fields: ['genre'] }), split, { k: 10 });
    addRow(rows, { seed, name: 'genre popularity', hr: r4(pop.hitRate), ndcg: r4(pop.ndcg) }, (r) => r.name, true);
    say(`seed ${seed} ${'genre popularity'.padEnd(48)} HR@10 ${pop.hitRate.toFixed(4)} NDCG@10 ${pop.ndcg.toFixed(4)}`);
    for (const variant of variants) {
      const spec = COLD[variant];
      const m = model(spec.features, seed);
      const t0 = performance.now();
      const history = await train(m, split.train, { ...TRAIN, epochs, seed, threads, ...(spec.coldNegatives ? {} : { excludeFromNegatives: allColdPairs(split) }) });
      const seconds = Math.round((performance.now() - t0) / 1000);
      const scorer = createScorer(m);
      const r = evaluateColdItems(scorer, split, { k: 10 });
      scorer.dispose();
      m.dispose();
      addRow(rows, { seed, name: spec.name, hr: r4(r.hitRate), ndcg: r4(r.ndcg), seconds, engine: `${history.engine} (${history.threads} threads)`, epochs: epochSummary(history) }, (x) => x.name);
      say(`seed ${seed} ${spec.name.padEnd(48)} HR@10 ${r.hitRate.toFixed(4)} NDCG@10 ${r.ndcg.toFixed(4)}  (${seconds} s, ${history.engine}, ${history.threads} threads)`);
    }
  }
  say('');
  say(`${'scorer'.padEnd(48)}  HR@10 (mean ± sd)  NDCG@10 (mean ± sd)  x genre popularity (HR)`);
  const base = mean(rows.filter((x) => x.name === 'genre popularity').map((x) => x.hr));
  const summary = namesIn(rows, (r) => r.name).map((name) => {
    const r = rows.filter((x) => x.name === name);
    const s = { name, hr: r4(mean(r.map((x) => x.hr))), hrSd: r4(std(r.map((x) => x.hr))), ndcg: r4(mean(r.map((x) => x.ndcg))), ndcgSd: r4(std(r.map((x) => x.ndcg))), ratio: Math.round((100 * mean(r.map((x) => x.hr))) / base) / 100 };
    say(`${name.padEnd(48)}  ${pm(r.map((x) => x.hr))}    ${pm(r.map((x) => x.ndcg))}      ${s.ratio.toFixed(2)}x`);
    return s;
  });
  say(`target (1.5x genre popularity): HR@10 >= ${(1.5 * base).toFixed(4)}`);
  return { summary, perRun: rows };
}

// ---- throughput -------------------------------------------------------------------------------
async function throughput(): Promise<object> {
  const rounds = positive('rounds', values.rounds);
  const seconds = positive('seconds', values.seconds);
  const warmup = positive('warmup', values.warmup);
  const data = setup.ncf.train;
  say(`fused-engine training throughput at ML-1M size (${data.users.length} NCF training pairs, ${numUsers} users x ${numItems} items): NeuMF f=8 [64,32,16,8], batch 256, 4 negatives, Adam, ${threads} threads`);
  say(`${rounds} alternating rounds; each: ${warmup} warm-up batches, then >= ${seconds} s timed`);
  const kinds: Features[] = ['none', 'item+user'];
  const runs: { round: number; model: string; instPerSec: number; instPerCpuSec: number; msPerStep: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? kinds : [...kinds].reverse();
    for (const features of order) {
      const m = model(features, 1);
      const engine = await createFusedEngine({ model: m, architecture: inspectModel(m), data, options: resolveTrainOptions({ batchSize: TRAIN.batchSize, learningRate: TRAIN.learningRate, negatives: TRAIN.negatives, threads }) });
      try {
        const r = await measure(engine, TRAIN.batchSize, warmup, seconds);
        const name = features === 'none' ? 'NeuMF' : 'NeuMF + item & user features';
        runs.push({ round, model: name, instPerSec: Math.round(r.instPerSec), instPerCpuSec: Math.round(r.instPerCpuSec!), msPerStep: Math.round(r.msPerStep * 1000) / 1000 });
        say(`round ${round} ${name.padEnd(30)} ${Math.round(r.instPerSec)} inst/s (${Math.round(r.instPerCpuSec!)} per CPU-s), ${r.msPerStep.toFixed(3)} ms/step`);
      } finally {
        await engine.dispose();
        m.dispose();
      }
    }
  }
  const med = (name: string, key: 'instPerSec' | 'instPerCpuSec') => median(runs.filter((r) => r.model === name).map((r) => r[key]));
  const plain = med('NeuMF', 'instPerSec');
  const feat = med('NeuMF + item & user features', 'instPerSec');
  const ratio = feat / plain;
  const cpuRatio = med('NeuMF + item & user features', 'instPerCpuSec') / med('NeuMF', 'instPerCpuSec');
  say('');
  say(`median: NeuMF ${Math.round(plain)} inst/s, NeuMF + item & user features ${Math.round(feat)} inst/s; ratio ${ratio.toFixed(2)} (per CPU-second ${cpuRatio.toFixed(2)}); target >= 0.5`);
  return { medians: { plain: Math.round(plain), features: Math.round(feat), ratio: Math.round(ratio * 100) / 100, cpuRatio: Math.round(cpuRatio * 100) / 100 }, perRun: runs };
}

const result = part === 'warm' ? await warm() : part === 'cold' ? await cold() : await throughput();
say(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (values.out) {
  const command = `npx tsx bench/features-ml1m.ts ${process.argv.slice(2).join(' ')}`;
  const commands = [...prior.commands, command];
  const all = { commands, part, seeds: [...new Set([...(prior.perRun.map((r) => r.seed) as number[]), ...seeds])].sort((a, b) => a - b), epochs, threads, date: new Date().toISOString(), ...result, text: [...prior.text, ...lines] };
  writeFileSync(values.out, JSON.stringify(all, null, 2) + '\n');
  console.log(`wrote ${values.out}`);
}
