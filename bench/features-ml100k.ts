// Side features on MovieLens-100K, warm items: does adding the item genres (+ release decade), then
// also the user demographics (gender, age group, occupation), to a NeuMF change HR@10 / NDCG@10?
//
// Protocol (the paper's): u.data as implicit positives, leave-one-out by time, each held-out item
// ranked against 99 sampled negatives the user never interacted with (seeded; the same negatives
// for both models of a seed). NeuMF factor 8, layers [16, 8], BCE with 4 negatives, Adam, batch
// 256, a few epochs; both models train on the tfjs engine (as recorded in docs/features.md, before
// the fused engine trained feature models; the plain model on tfjs too, engine for engine), on
// the wasm backend when it loads, else cpu. bench/features-ml1m.ts measures the fused engine. Prints a table and the per-seed figures.
//
// Run: npx tsx bench/features-ml100k.ts [--seeds 1,2,3] [--epochs 5] [--data ../shared/data/ml-100k]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { ML100K_DIR, ml100kFeatures } from './ml100k-features-setup.js';
import {
  NeuMF,
  evaluateSampled,
  leaveOneOut,
  train,
  type Interactions,
} from '../src/index.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '5' },
    data: { type: 'string', default: ML100K_DIR },
  },
});
const seeds = values.seeds.split(',').map(Number);
const epochs = Number(values.epochs);
const { data, movies, people, backend } = await ml100kFeatures(values.data);

interface Row {
  seed: number;
  model: string;
  hr: number;
  ndcg: number;
  seconds: number;
  lastLoss: number;
  engine: string;
}

type Variant = 'NeuMF' | 'NeuMF + item features' | 'NeuMF + item & user features';
const VARIANTS: Variant[] = ['NeuMF', 'NeuMF + item features', 'NeuMF + item & user features'];

async function run(seed: number, variant: Variant, trainSet: Interactions, test: Interactions): Promise<Row> {
  const model = NeuMF({
    numUsers: data.numUsers,
    numItems: data.numItems,
    factors: 8,
    layers: [16, 8],
    seed,
    ...(variant === 'NeuMF' ? {} : { itemFeatures: movies }),
    ...(variant === 'NeuMF + item & user features' ? { userFeatures: people } : {}),
  });
  const started = performance.now();
  const history = await train(model, trainSet, { engine: 'tfjs', epochs, batchSize: 256, learningRate: 0.001, negatives: 4, seed });
  const seconds = (performance.now() - started) / 1000;
  const result = evaluateSampled(model, test, { k: 10, negatives: 99, exclude: data, seed: 1000 + seed });
  model.dispose();
  return {
    seed,
    model: variant,
    hr: result.hr,
    ndcg: result.ndcg,
    seconds,
    lastLoss: history.epochs[history.epochs.length - 1].loss,
    engine: history.engineReason,
  };
}

const rows: Row[] = [];
for (const seed of seeds) {
  const { train: trainSet, test } = leaveOneOut(data, { by: 'time' });
  for (const variant of VARIANTS) {
    const row = await run(seed, variant, trainSet, test);
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\nML-100K leave-one-out, 99 sampled negatives, NeuMF f=8 [16, 8], ${epochs} epochs, tfjs engine on ${backend}, seeds ${seeds.join(',')}`);
console.log(`${'model'.padEnd(30)}  HR@10   NDCG@10  s/run`);
for (const name of VARIANTS) {
  const r = rows.filter((x) => x.model === name);
  console.log(
    `${name.padEnd(30)}  ${mean(r.map((x) => x.hr)).toFixed(4)}  ${mean(r.map((x) => x.ndcg)).toFixed(4)}   ${mean(r.map((x) => x.seconds)).toFixed(1)}`,
  );
}
console.log(`items without a genre: ${Array.from({ length: movies.numEntities }, (_, i) => movies.rowsOf('genre', i).length).filter((n) => n === 0).length}; tf ${tf.version.tfjs}`);
