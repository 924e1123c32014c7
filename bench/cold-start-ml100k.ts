// Cold-start items on MovieLens-100K: a NeuMF with item features against the genre-popularity
// baselines and a plain NeuMF, under the protocol of bench/cold-start-ml1m.ts (docs/features.md).
//
// For each seed, 10% of the items with interactions are held out whole (coldItemSplit); the models
// train on the rest (the held-out items stay in the model, with features, but have no positive;
// they can be drawn as negatives, as any not-yet-bought catalogue item would be), and each held-out
// interaction is ranked among the held-out items the user did not interact with
// (evaluateColdItems, pessimistic ties). Models: NeuMF factor 8, layers [16, 8], BCE with 4
// negatives, Adam 0.001, batch 256, tfjs engine (wasm backend when it loads). The last variant
// never draws a held-out item as a training negative (excludeFromNegatives: every user x every
// held-out item), to see how much the negatives on never-seen items cost the feature model.
//
// Run: npx tsx bench/cold-start-ml100k.ts [--seeds 1,2,3] [--epochs 10] [--data ../shared/data/ml-100k]
import { parseArgs } from 'node:util';
import { ML100K_DIR, ml100kFeatures } from './ml100k-features-setup.js';
import {
  NeuMF,
  coldItemSplit,
  createScorer,
  evaluateColdItems,
  featurePopularity,
  train,
  type ColdItemSplit,
  type Interactions,
} from '../src/index.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '10' },
    data: { type: 'string', default: ML100K_DIR },
    // comma-separated subset of: popularity, ids, features, features-no-cold-negatives
    models: { type: 'string', default: 'popularity,ids,features,features-no-cold-negatives' },
  },
});
const models = new Set(values.models.split(','));
const seeds = values.seeds.split(',').map(Number);
const epochs = Number(values.epochs);
const { data, movies, backend } = await ml100kFeatures(values.data);

/** Every (user, held-out item) pair: what the last variant never samples as a negative. */
function allColdPairs(split: ColdItemSplit): Interactions {
  const users: number[] = [];
  const cold: number[] = [];
  for (let u = 0; u < data.numUsers; u++) {
    for (const i of split.coldItems) {
      users.push(u);
      cold.push(i);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(cold), numUsers: data.numUsers, numItems: data.numItems };
}

async function neumf(split: ColdItemSplit, seed: number, withFeatures: boolean, coldNegatives = true): Promise<{ hr: number; ndcg: number }> {
  const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 8, layers: [16, 8], seed, ...(withFeatures ? { itemFeatures: movies } : {}) });
  const exclude = coldNegatives ? {} : { excludeFromNegatives: allColdPairs(split) };
  await train(model, split.train, { engine: 'tfjs', epochs, batchSize: 256, learningRate: 0.001, negatives: 4, seed, ...exclude });
  const scorer = createScorer(model);
  const r = evaluateColdItems(scorer, split, { k: 10 });
  scorer.dispose();
  model.dispose();
  return { hr: r.hitRate, ndcg: r.ndcg };
}

const results = new Map<string, { hr: number; ndcg: number }[]>();
const record = (name: string, r: { hr: number; ndcg: number }) => {
  results.set(name, [...(results.get(name) ?? []), r]);
  console.log(JSON.stringify({ name, ...r }));
};
for (const seed of seeds) {
  const split = coldItemSplit(data, { fraction: 0.1, seed });
  if (models.has('popularity')) {
    for (const [name, fields] of [['genre popularity', ['genre']], ['genre + decade popularity', ['genre', 'year']]] as const) {
      const r = evaluateColdItems(featurePopularity(split.train, movies, { fields }), split, { k: 10 });
      record(name, { hr: r.hitRate, ndcg: r.ndcg });
    }
  }
  if (models.has('ids')) record('NeuMF (ids only)', await neumf(split, seed, false));
  if (models.has('features')) record('NeuMF + item features', await neumf(split, seed, true));
  if (models.has('features-no-cold-negatives')) record('NeuMF + item features, no cold negatives', await neumf(split, seed, true, false));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\nML-100K cold items (10% held out whole), ${epochs} epochs, tfjs on ${backend}, seeds ${seeds.join(',')}, pessimistic ties`);
for (const [name, rs] of results) {
  console.log(`${name.padEnd(42)} HR@10 ${mean(rs.map((r) => r.hr)).toFixed(4)}  NDCG@10 ${mean(rs.map((r) => r.ndcg)).toFixed(4)}`);
}
