// Quickstart: train a NeuMF on seeded synthetic implicit feedback, check it against popularity,
// and recommend. Run it with `npm run quickstart` (add `-- --quick` for a 10-second version).
//
// Written as an app writes it: copy it into a project that has `npm install neural-recsys
// @tensorflow/tfjs` and run it with tsx. In this repository, tsconfig.json's `paths` resolve
// 'neural-recsys' to src/, so it runs the current sources.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { NeuMF, train, evaluateSampled, evaluateFull, recommend } from 'neural-recsys';
import { syntheticInteractions, leaveOneOut, validationSplit } from 'neural-recsys/data';
import { formatSeconds, metricsTable } from './_shared.js';
import { fitPopularity } from 'neural-recsys/baselines';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });

// Training runs on the library's fused CPU engine, so tfjs's hint to install tfjs-node does not
// apply; production mode silences it (it changes nothing else).
tf.enableProdMode();
await tf.setBackend('cpu');

// 1. Data: 300 users, 200 items, ~6,000 timestamped interactions. Users like items through a hidden
//    XOR of traits, which popularity cannot see and a collaborative model can learn.
const data = syntheticInteractions({ seed: 42 });
// Each user's latest interaction is the test item; the one before it the validation item.
const { train: trainAll, test } = leaveOneOut(data, { by: 'time' });
const { train: fit, validation } = validationSplit(trainAll, { by: 'time' });
console.log(
  `data: ${data.numUsers} users, ${data.numItems} items, ${data.users.length} interactions ` +
    `(train ${fit.users.length}, validation ${validation.users.length}, test ${test.users.length})`,
);

// 2. Model: NeuMF (GMF + MLP), small towers for a small catalogue.
const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 8, layers: [32, 16, 8], seed: 42 });

// 3. Train with the paper's defaults (Adam, learning rate 0.001, batch 256, 4 fresh negatives per
//    positive each epoch). The epoch to keep is chosen on validation, never on test.
const epochs = flags.quick ? 8 : 20;
const started = performance.now();
const history = await train(model, fit, {
  epochs,
  seed: 42,
  validation: { data: validation, metric: 'ndcg', k: 10 },
  earlyStopping: { patience: 5, restoreBest: true },
  onEpochEnd: (epoch, logs) => {
    const v = logs.validation;
    console.log(
      `epoch ${String(epoch + 1).padStart(2)}/${epochs}  loss ${logs.loss.toFixed(4)}` +
        (v ? `  validation HR@10 ${v.hr.toFixed(3)}  NDCG@10 ${v.ndcg.toFixed(3)}` : '') +
        `  (${formatSeconds(logs.seconds)}, ${Math.round(logs.instancesPerSecond).toLocaleString('en')} instances/s)`,
    );
  },
});
console.log(
  `trained in ${formatSeconds((performance.now() - started) / 1000)} on the ${history.engine} engine (${history.engineReason}); ` +
    `kept epoch ${(history.bestEpoch ?? 0) + 1} (best validation NDCG@10 ${history.bestValidation?.toFixed(3)})`,
);

// 4. Evaluate on test, model and popularity alike. Training positives are never competitors.
const popularity = fitPopularity(trainAll, { breakTies: true });
const sampledOptions = { k: 10, negatives: 99, exclude: trainAll, seed: 1 };
const sampled = { model: evaluateSampled(model, test, sampledOptions), popularity: evaluateSampled(popularity, test, sampledOptions) };
const full = {
  model: evaluateFull(model, test, { exclude: trainAll, k: 10 }),
  popularity: evaluateFull(popularity, test, { exclude: trainAll, k: 10 }),
};
console.log(`\ntest, sampled protocol (each test item ranked against 99 sampled unseen items):`);
console.log(
  metricsTable([
    { name: 'NeuMF', values: { 'HR@10': sampled.model.hr, 'NDCG@10': sampled.model.ndcg } },
    { name: 'popularity', values: { 'HR@10': sampled.popularity.hr, 'NDCG@10': sampled.popularity.ndcg } },
  ]),
);
console.log(`\ntest, full ranking (each test item ranked against all ${data.numItems} items, seen ones removed):`);
console.log(
  metricsTable([
    { name: 'NeuMF', values: { 'HR@10': full.model.hr, 'NDCG@10': full.model.ndcg } },
    { name: 'popularity', values: { 'HR@10': full.popularity.hr, 'NDCG@10': full.popularity.ndcg } },
  ]),
);

// 5. Recommend: the top 5 items for user 0, leaving out what they have already seen.
const user = 0;
const top = recommend(model, user, { k: 5, exclude: trainAll });
const liked = data.truth.likedTraits[data.truth.userTraits[user]];
console.log(`\ntop 5 items for user ${user} (✓ = in the item group this user secretly likes):`);
for (const { item, score } of top) {
  console.log(`  item ${String(item).padStart(3)}  score ${score.toFixed(3)}  ${data.truth.itemTraits[item] === liked ? '✓' : '·'}`);
}

model.dispose();

// The quickstart doubles as CI's smoke test: the model must clearly beat popularity.
const beats = sampled.model.hr > sampled.popularity.hr + 0.05 && full.model.hr > full.popularity.hr;
if (!beats) {
  console.error(
    `\nFAIL: NeuMF does not clearly beat popularity (sampled HR@10 ${sampled.model.hr.toFixed(3)} vs ${sampled.popularity.hr.toFixed(3)}, ` +
      `full HR@10 ${full.model.hr.toFixed(3)} vs ${full.popularity.hr.toFixed(3)})`,
  );
  process.exit(1);
}
console.log(
  `\nNeuMF beats popularity: sampled HR@10 ${sampled.model.hr.toFixed(3)} vs ${sampled.popularity.hr.toFixed(3)}, ` +
    `full HR@10 ${full.model.hr.toFixed(3)} vs ${full.popularity.hr.toFixed(3)}`,
);
