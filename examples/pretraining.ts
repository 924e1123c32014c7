// Pretraining NeuMF (He et al. 2017, section 3.4.1): train GMF and MLP separately, build a NeuMF
// from both with pretrainedNeuMF (embeddings and tower copied, output layer
// [alpha * w_gmf ; (1 - alpha) * w_mlp], bias alpha * b_gmf + (1 - alpha) * b_mlp), fine-tune it
// with plain SGD as the paper does, and compare with a NeuMF trained from scratch.
//
//   npx tsx examples/pretraining.ts [--epochs 20] [--alpha 0.5] [--quick]
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { GMF, MLP, NeuMF, pretrainedNeuMF, train, evaluateSampled, evaluateFull } from 'neural-recsys';
import type { TrainOptions } from 'neural-recsys';
import { syntheticInteractions, leaveOneOut, validationSplit } from 'neural-recsys/data';
import { formatSeconds, metricsTable } from './_shared.js';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, epochs: { type: 'string' }, alpha: { type: 'string', default: '0.5' } },
});
const epochs = Number(flags.epochs ?? (flags.quick ? 4 : 20));
const alpha = Number(flags.alpha);

tf.enableProdMode(); // training runs on the fused CPU engine: silence tfjs's "install tfjs-node" hint
await tf.setBackend('cpu');

// A larger synthetic catalogue than the quickstart's, so the three models can differ.
const data = syntheticInteractions({ numUsers: 1000, numItems: 500, interactionsPerUser: 25, seed: 7 });
const { train: trainAll, test } = leaveOneOut(data, { by: 'time' });
const { train: fit, validation } = validationSplit(trainAll, { by: 'time' });
const sizes = { numUsers: data.numUsers, numItems: data.numItems };
const factors = 8;
const layers = [32, 16, 8];
console.log(`synthetic data: ${data.numUsers} users, ${data.numItems} items, ${data.users.length.toLocaleString('en')} interactions; ${epochs} epochs per model`);

// Model selection on validation, never on test.
const common: TrainOptions = {
  epochs,
  seed: 7,
  validation: { data: validation, metric: 'ndcg', k: 10 },
  earlyStopping: { patience: 5, restoreBest: true },
};

async function fitAndReport(name: string, model: tf.LayersModel, options: TrainOptions): Promise<void> {
  const started = performance.now();
  const history = await train(model, fit, { ...common, ...options });
  console.log(
    `${name.padEnd(26)} ${formatSeconds((performance.now() - started) / 1000).padStart(7)}, kept epoch ${(history.bestEpoch ?? 0) + 1}, ` +
      `validation NDCG@10 ${history.bestValidation?.toFixed(3)}`,
  );
}

function testRow(name: string, model: tf.LayersModel): { name: string; values: Record<string, number> } {
  const sampled = evaluateSampled(model, test, { k: 10, negatives: 99, exclude: trainAll, seed: 1 });
  const full = evaluateFull(model, test, { k: 10, exclude: trainAll });
  return { name, values: { 'HR@10 s': sampled.hr, 'NDCG@10 s': sampled.ndcg, 'HR@10 f': full.hr, 'NDCG@10 f': full.ndcg } };
}

// 1. The two parts, each trained on its own with Adam.
const gmf = GMF({ ...sizes, factors, seed: 1 });
await fitAndReport('GMF (Adam)', gmf, {});
const mlp = MLP({ ...sizes, layers, seed: 2 });
await fitAndReport('MLP (Adam)', mlp, {});

// 2. NeuMF from the two: before any further training its logit is
//    alpha * logit_GMF + (1 - alpha) * logit_MLP, so it starts where the two parts left off.
const pretrained = pretrainedNeuMF(gmf, mlp, { alpha });
const rows = [testRow('GMF', gmf), testRow('MLP', mlp), testRow(`NeuMF pretrained, alpha ${alpha}`, pretrained)];

// 3. Fine-tune with plain SGD (the paper: Adam's momentum state is not carried over from the parts,
//    and restarting Adam would first undo the pretrained balance).
await fitAndReport('NeuMF pretrained + SGD', pretrained, { optimizer: 'sgd', learningRate: 0.001 });
rows.push(testRow('  + SGD fine-tuning', pretrained));

// 4. The baseline: the same NeuMF trained from random weights with Adam.
const scratch = NeuMF({ ...sizes, factors, layers, seed: 3 });
await fitAndReport('NeuMF from scratch (Adam)', scratch, {});
rows.push(testRow('NeuMF from scratch', scratch));

console.log(`\ntest (s = sampled, 99 unseen negatives; f = full ranking over all ${data.numItems} items):`);
console.log(metricsTable(rows));
for (const model of [gmf, mlp, pretrained, scratch]) model.dispose();
