// MovieLens-100K: read the GroupLens files, hold out each user's latest rating, train a NeuMF, and
// report sampled and full-ranking metrics against popularity, then recommend movies by title.
//
//   npx tsx examples/movielens-100k.ts [path/to/ml-100k] [--epochs 20] [--quick]
//
// The folder must hold u.data (and u.item for titles): https://grouplens.org/datasets/movielens/100k/
// Every rating counts as an implicit positive, as in the NCF paper.
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NeuMF, Recommender, train, evaluateSampled, evaluateFull } from 'neural-recsys';
import { readMovieLens, readMovieLensTitles, leaveOneOut, validationSplit } from 'neural-recsys/data';
import { formatSeconds, metricsTable } from './_shared.js';
import { fitPopularity } from 'neural-recsys/baselines';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, epochs: { type: 'string' } },
});
const dir = resolve(positionals[0] ?? fileURLToPath(new URL('../../shared/data/ml-100k', import.meta.url)));
if (!existsSync(join(dir, 'u.data'))) {
  console.log(`skip: no MovieLens-100K at ${dir} (u.data not found).`);
  console.log('Download ml-100k.zip from https://grouplens.org/datasets/movielens/100k/, unzip it, and pass the folder:');
  console.log('  npx tsx examples/movielens-100k.ts path/to/ml-100k');
  process.exit(0);
}

tf.enableProdMode(); // training runs on the fused CPU engine: silence tfjs's "install tfjs-node" hint
await tf.setBackend('cpu');

// 1. Read: 100,000 ratings of 1,682 movies by 943 users, with timestamps.
const { data, users, items } = await readMovieLens(join(dir, 'u.data'));
const titles = existsSync(join(dir, 'u.item')) ? await readMovieLensTitles(join(dir, 'u.item')) : new Map<number, string>();
const title = (movieId: number): string => titles.get(movieId) ?? `movie ${movieId}`;

// 2. Split by time: each user's latest rating is the test item, the one before it validation.
const { train: trainAll, test } = leaveOneOut(data, { by: 'time' });
const { train: fit, validation } = validationSplit(trainAll, { by: 'time' });
console.log(`MovieLens-100K: ${data.numUsers} users, ${data.numItems} movies, ${data.users.length.toLocaleString('en')} ratings from ${dir}`);

// 3. Train NeuMF with the paper's settings (factor 8, MLP [64, 32, 16, 8], 4 negatives, Adam 0.001).
const epochs = Number(flags.epochs ?? (flags.quick ? 1 : 20));
const batchSize = 256;
const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 8, layers: [64, 32, 16, 8], seed: 1 });
const batchesPerEpoch = Math.ceil((fit.users.length * 5) / batchSize);
const bar = new cliProgress.SingleBar(
  { format: 'training |{bar}| epoch {epoch}/{epochs} | loss {loss} | validation HR@10 {hr} | ETA {eta_formatted}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
bar.start(epochs * batchesPerEpoch, 0, { epoch: 1, epochs, loss: '-', hr: '-' });
let epochNow = 0;
const started = performance.now();
const history = await train(model, fit, {
  epochs,
  batchSize,
  seed: 1,
  validation: { data: validation, metric: 'ndcg', k: 10 },
  earlyStopping: { patience: 4, restoreBest: true },
  onBatchEnd: (batch, logs) => {
    if (batch % 20 === 0) bar.update(epochNow * batchesPerEpoch + batch, { loss: logs.loss.toFixed(4) });
  },
  onEpochEnd: (epoch, logs) => {
    epochNow = epoch + 1;
    bar.update(epochNow * batchesPerEpoch, { epoch: Math.min(epochNow + 1, epochs), hr: logs.validation?.hr.toFixed(3) ?? '-' });
  },
});
bar.update(epochs * batchesPerEpoch);
bar.stop();
for (const e of history.epochs) {
  console.log(`epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}, validation HR@10 ${e.validation?.hr.toFixed(3)} NDCG@10 ${e.validation?.ndcg.toFixed(3)}, ${formatSeconds(e.seconds)}`);
}
console.log(
  `trained in ${formatSeconds((performance.now() - started) / 1000)} (${history.engineReason}); kept epoch ${(history.bestEpoch ?? 0) + 1} by validation NDCG@10`,
);

// 4. Evaluate on test: sampled (99 unseen negatives, as the NCF paper) and full ranking, model and
//    popularity through the same code.
const popularity = fitPopularity(trainAll, { breakTies: true });
const sampledOptions = { k: 10, negatives: 99, exclude: trainAll, seed: 1 };
const fullOptions = { k: 10, exclude: trainAll };
const rows = [
  { name: 'NeuMF', scorer: model },
  { name: 'popularity', scorer: popularity },
].map(({ name, scorer }) => {
  const s = evaluateSampled(scorer, test, sampledOptions);
  const f = evaluateFull(scorer, test, fullOptions);
  return { name, values: { 'HR@10 s': s.hr, 'NDCG@10 s': s.ndcg, 'HR@10 f': f.hr, 'NDCG@10 f': f.ndcg, 'MRR@10 f': f.mrr } };
});
console.log(`\ntest (s = sampled: latest movie vs 99 unseen ones; f = full ranking over all ${data.numItems} movies):`);
console.log(metricsTable(rows));

// 5. Recommend by title, through the Recommender facade (the app's own ids in and out).
const rec = Recommender.from({ model, users, items, seen: trainAll });
const userId = users.id(0);
const seen = rec.seenBy(userId);
console.log(`\nuser ${userId} rated ${seen.length} movies in train, e.g. ${seen.slice(0, 4).map(title).join('; ')}`);
console.log(`top 10 for user ${userId}:`);
rec.recommend(userId, { k: 10 }).forEach((r, i) => console.log(`  ${String(i + 1).padStart(2)}. ${title(r.id)}  (${r.score.toFixed(3)})`));
const anchor = items.id(0);
console.log(`\nmovies like ${title(anchor)}: ${rec.similar(anchor, { k: 5 }).map((s) => title(s.id)).join('; ')}`);
rec.dispose();
