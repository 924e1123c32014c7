// Composing your own tower: the library's Embedding, GMF.block and MLP.block wired together with
// tfjs layers of your own (here dropout on the MLP branch and an extra dense "fusion" layer before
// the score), trained with the tfjs engine, which trains any two-input model on any backend.
//
//   npx tsx examples/custom-tower.ts [--epochs 10] [--quick]
//
// It runs on tfjs's WebAssembly backend, the fastest pure-JavaScript choice in Node for the tfjs
// engine (the fused engine only trains the standard GMF/MLP/NeuMF).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Embedding, GMF, MLP, train, evaluateSampled, recommend, inspectModel } from 'neural-recsys';
import { syntheticInteractions, leaveOneOut, validationSplit } from 'neural-recsys/data';
import { formatSeconds, metricsTable } from './_shared.js';
import { fitPopularity } from 'neural-recsys/baselines';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, epochs: { type: 'string' } } });
const epochs = Number(flags.epochs ?? (flags.quick ? 5 : 15));

// The wasm backend finds its .wasm binaries through setWasmPaths (here: the installed package).
const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
setWasmPaths(wasmDir + '/');
await tf.setBackend('wasm');
console.log(`tfjs backend: ${tf.getBackend()}`);

const data = syntheticInteractions({ seed: 42 });
const { train: trainAll, test } = leaveOneOut(data, { by: 'time' });
const { train: fit, validation } = validationSplit(trainAll, { by: 'time' });
const { numUsers, numItems } = data;

// 1. Inputs: int32 user and item indices, shape [batch, 1].
const user = tf.input({ shape: [1], dtype: 'int32', name: 'user' });
const item = tf.input({ shape: [1], dtype: 'int32', name: 'item' });

// 2. The library's blocks: a GMF product over 8-wide embeddings and an MLP tower over 16-wide ones.
const gmf = GMF.block(
  Embedding({ inputDim: numUsers, outputDim: 8, name: 'gmf_user', seed: 1 }).apply(user),
  Embedding({ inputDim: numItems, outputDim: 8, name: 'gmf_item', seed: 2 }).apply(item),
);
const mlp = MLP.block(
  Embedding({ inputDim: numUsers, outputDim: 16, name: 'mlp_user', seed: 3 }).apply(user),
  Embedding({ inputDim: numItems, outputDim: 16, name: 'mlp_item', seed: 4 }).apply(item),
  [32, 16, 8], // layers[0] = 16 + 16, the concatenated width
  { seed: 5 },
);

// 3. Layers of your own: dropout on the MLP branch, a dense layer fusing both parts, the score.
const mlpDropped = tf.layers.dropout({ rate: 0.2, name: 'mlp_dropout', seed: 8 }).apply(mlp) as tf.SymbolicTensor;
const both = tf.layers.concatenate({ name: 'fuse_concat' }).apply([gmf, mlpDropped]) as tf.SymbolicTensor;
const fused = tf.layers
  .dense({ units: 8, activation: 'relu', name: 'fusion', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) })
  .apply(both) as tf.SymbolicTensor;
const score = tf.layers
  .dense({ units: 1, activation: 'sigmoid', name: 'score', kernelInitializer: tf.initializers.leCunUniform({ seed: 7 }) })
  .apply(fused) as tf.SymbolicTensor;
const model = tf.model({ inputs: [user, item], outputs: score, name: 'custom_ncf' });
console.log(`custom model: ${model.countParams().toLocaleString('en')} parameters; a standard NCF model? ${inspectModel(model) === null ? 'no' : 'yes'}`);

// 4. Train with the tfjs engine (engine: 'auto' would pick it too, for a non-standard model).
const started = performance.now();
const history = await train(model, fit, {
  epochs,
  engine: 'tfjs',
  seed: 42,
  validation: { data: validation, metric: 'ndcg', k: 10 },
  earlyStopping: { patience: 3, restoreBest: true },
  onEpochEnd: (epoch, logs) =>
    console.log(
      `epoch ${epoch + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, validation HR@10 ${logs.validation?.hr.toFixed(3)} NDCG@10 ${logs.validation?.ndcg.toFixed(3)}, ` +
        `${formatSeconds(logs.seconds)} (${Math.round(logs.instancesPerSecond).toLocaleString('en')} instances/s)`,
    ),
});
console.log(
  `trained in ${formatSeconds((performance.now() - started) / 1000)} (${history.engineReason}); ` +
    `kept epoch ${(history.bestEpoch ?? 0) + 1} by validation NDCG@10`,
);

// 5. Evaluation and serving take any model: it is scored through model.predict in chunks.
const options = { k: 10, negatives: 99, exclude: trainAll, seed: 1 };
const mine = evaluateSampled(model, test, options);
const popular = evaluateSampled(fitPopularity(trainAll, { breakTies: true }), test, options);
console.log('\ntest, sampled protocol (99 unseen negatives):');
console.log(
  metricsTable([
    { name: 'custom tower', values: { 'HR@10': mine.hr, 'NDCG@10': mine.ndcg } },
    { name: 'popularity', values: { 'HR@10': popular.hr, 'NDCG@10': popular.ndcg } },
  ]),
);
const top = recommend(model, 0, { k: 5, exclude: trainAll });
console.log(`top 5 for user 0: ${top.map((r) => `item ${r.item} (${r.score.toFixed(3)})`).join(', ')}`);
model.dispose();
