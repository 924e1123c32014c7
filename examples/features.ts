// Features and cold start on MovieLens-100K: hold out 10% of the movies whole (every rating they
// have), train a NeuMF that knows each movie's genres and decade, then rank the held-out movies,
// which the model never saw a rating of, from their features alone; compare with the
// genre-popularity baselines and recommend a user held-out movies by title.
//
//   npx tsx examples/features.ts [path/to/ml-100k] [--epochs 10] [--quick]
//
// The folder must hold u.data and u.item: https://grouplens.org/datasets/movielens/100k/
// Every rating counts as an implicit positive. See docs/features.md for what the model computes.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NeuMF, train, createScorer, recommend, type Interactions } from 'neural-recsys';
import { readMovieLens, readMovieLensMovies, featuresFrom, coldItemSplit, evaluateColdItems, featurePopularity } from 'neural-recsys/data';
import { formatSeconds, metricsTable } from './_shared.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, epochs: { type: 'string' } },
});
const dir = resolve(positionals[0] ?? fileURLToPath(new URL('../../shared/data/ml-100k', import.meta.url)));
const missing = ['u.data', 'u.item'].filter((f) => !existsSync(join(dir, f)));
if (missing.length > 0) {
  console.log(`skip: no MovieLens-100K at ${dir} (${missing.join(', ')} not found).`);
  console.log('Download ml-100k.zip from https://grouplens.org/datasets/movielens/100k/, unzip it, and pass the folder:');
  console.log('  npx tsx examples/features.ts path/to/ml-100k');
  process.exit(0);
}

// Feature models train on the library's fused engine, like any NCF model; scoring them runs
// model.predict on the tfjs backend: wasm is its fastest pure-JavaScript choice in Node, cpu if
// wasm does not load.
tf.enableProdMode();
try {
  setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
} catch {
  await tf.setBackend('cpu');
}
console.log(`tfjs backend: ${tf.getBackend()}`);

// 1. Read the ratings and the movies: genres (19 flags in u.item) and the decade of release.
const { data, users, items } = await readMovieLens(join(dir, 'u.data'));
const movieRows = await readMovieLensMovies(join(dir, 'u.item'));
const movies = featuresFrom(movieRows, { fields: ['genre', { name: 'year', bucket: 10 }], ids: items, newIds: 'error' });
const titles = new Map(movieRows.map((m) => [m.id, m.title]));
const describe = (item: number): string =>
  `${titles.get(items.id(item) as number) ?? `movie ${items.id(item)}`} [${movies.valuesOf('genre', item).join(', ')}]`;
console.log(`MovieLens-100K: ${data.numUsers} users, ${data.numItems} movies, ${data.users.length.toLocaleString('en')} ratings from ${dir}`);

// 2. Hold out 10% of the movies whole: their ratings are the test set, the rest is training.
const split = coldItemSplit(data, { fraction: 0.1, seed: 1 });
console.log(
  `held out ${split.coldItems.length} movies with ${split.test.users.length.toLocaleString('en')} ratings; ` +
    `training on ${split.train.users.length.toLocaleString('en')} ratings of the other movies`,
);

// 3. A NeuMF with item features: each movie's vector is its id row plus the mean of its genre rows
//    plus its decade row, so a movie with no rating at all is described by what it is.
//    The held-out movies stay in the model (numItems counts them) but must NOT be drawn as training
//    negatives: with no positive to balance them, every negative sample on them teaches the model
//    that their genres and decades are "not liked", and on cold items it then does no better than
//    genre popularity (docs/features.md, "cold items, a first look"). A movie added after training
//    has had no such negatives either, so excluding every (user, held-out movie) pair is also the
//    honest simulation of new items.
const coldPairs: Interactions = {
  users: Int32Array.from({ length: data.numUsers * split.coldItems.length }, (_, j) => Math.floor(j / split.coldItems.length)),
  items: Int32Array.from({ length: data.numUsers * split.coldItems.length }, (_, j) => split.coldItems[j % split.coldItems.length]),
  numUsers: data.numUsers,
  numItems: data.numItems,
};
const epochs = Number(flags.epochs ?? (flags.quick ? 2 : 10));
const model = NeuMF({ numUsers: data.numUsers, numItems: movies.numEntities, factors: 8, layers: [16, 8], itemFeatures: movies, seed: 1 });
const started = performance.now();
const history = await train(model, split.train, {
  epochs,
  batchSize: 256,
  learningRate: 0.001,
  negatives: 4,
  seed: 1,
  excludeFromNegatives: coldPairs,
  onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, ${formatSeconds(logs.seconds)}`),
});
console.log(`trained in ${formatSeconds((performance.now() - started) / 1000)} (${history.engineReason})`);

// 4. Cold-item evaluation: each held-out rating ranked among the held-out movies its user did not
//    rate (pessimistic ties), for the model and the features-only popularity baselines.
const scorer = createScorer(model);
const rows = [
  { name: 'NeuMF + item features', scorer },
  { name: 'genre popularity', scorer: featurePopularity(split.train, movies, { fields: ['genre'] }) },
  { name: 'genre + decade popularity', scorer: featurePopularity(split.train, movies, { fields: ['genre', 'year'] }) },
].map(({ name, scorer: s }) => {
  const r = evaluateColdItems(s, split, { k: 10 });
  return { name, values: { 'HR@10': r.hitRate, 'NDCG@10': r.ndcg }, candidates: r.meanCandidates };
});
console.log(`\ncold movies (each held-out rating ranked among ${rows[0].candidates.toFixed(0)} held-out movies on average):`);
console.log(metricsTable(rows));

// 5. Recommend held-out movies (never seen in training) to the first user who rated some of them.
const user = split.test.users[0];
const rated = new Set(Array.from(split.test.items).filter((_, j) => split.test.users[j] === user));
console.log(`\ntop 5 cold movies for user ${users.id(user)} (* = one they rated; they rated ${rated.size} of the ${split.coldItems.length}):`);
recommend(scorer, user, { k: 5, candidates: split.coldItems }).forEach((r, i) =>
  console.log(`  ${i + 1}. ${rated.has(r.item) ? '*' : ' '} ${describe(r.item)}  (${r.score.toFixed(3)})`),
);
scorer.dispose();
model.dispose();
