// Diagnostic (`--original-weights DIR`): scores the original repository's own pretrained GMF-8 and
// MLP-[64,32,16,8] (its `Pretrain/*.h5`, converted to raw float32 files, see docs/benchmarks.md)
// with this library's evaluation, and their pretrainedNeuMF combination; then, when --epochs > 0
// and neumf-pre is among --models, trains that combination with --pre-optimizers like a NeuMF-pre run.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GMF, LAYER_NAMES, MLP, pretrainedNeuMF } from '../../src/models/index.js';
import { train } from '../../src/training/index.js';
import { deriveSeed } from '../../src/_lib/random.js';
import type { Args } from './args.js';
import { validationNegatives, type Prepared } from './data.js';
import { evaluatePoint } from './evaluate.js';
import { round, selections, startRun, type Current, type Writer } from './record.js';
import type { EpochPoint, Optimizer, RunRecord } from './types.js';

/** The original GMF and MLP, their weights read from `dir` (one raw float32 file per weight, shapes.json). */
function originalModels(dir: string, numUsers: number, numItems: number): { gmf: tf.LayersModel; mlp: tf.LayersModel } {
  const shapes = JSON.parse(readFileSync(join(dir, 'shapes.json'), 'utf8')) as Record<string, number[]>;
  const w = (name: string): tf.Tensor => {
    const b = readFileSync(join(dir, `${name}.bin`));
    return tf.tensor(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice(), shapes[name]);
  };
  const gmf = GMF({ numUsers, numItems, factors: 8 });
  gmf.getLayer(LAYER_NAMES.gmfUser).setWeights([w('gmf_user_embedding_W')]);
  gmf.getLayer(LAYER_NAMES.gmfItem).setWeights([w('gmf_item_embedding_W')]);
  gmf.getLayer(LAYER_NAMES.prediction).setWeights([w('gmf_prediction_W'), w('gmf_prediction_b')]);
  const mlp = MLP({ numUsers, numItems, layers: [64, 32, 16, 8] });
  mlp.getLayer(LAYER_NAMES.mlpUser).setWeights([w('mlp_user_embedding_W')]);
  mlp.getLayer(LAYER_NAMES.mlpItem).setWeights([w('mlp_item_embedding_W')]);
  for (const l of [1, 2, 3]) mlp.getLayer(LAYER_NAMES.mlpLayer(l)).setWeights([w(`mlp_layer${l}_W`), w(`mlp_layer${l}_b`)]);
  mlp.getLayer(LAYER_NAMES.prediction).setWeights([w('mlp_prediction_W'), w('mlp_prediction_b')]);
  return { gmf, mlp };
}

/** Scores the original checkpoints, then trains their NeuMF-pre combination (see the file comment). */
export async function runOriginal(args: Args, p: Prepared, writer: Writer, current: Current): Promise<void> {
  const { gmf, mlp } = originalModels(args.originalWeights!, p.ncf.numUsers, p.ncf.numItems);
  const valNegatives = args.holdout ? validationNegatives(p, 1, 99) : null;
  const single = (id: string, variant: string, model: tf.LayersModel): void => {
    const point: EpochPoint = { epoch: -1, ...evaluatePoint(model, p, valNegatives) };
    const now = new Date().toISOString();
    writer.file.runs = writer.file.runs.filter((r) => r.id !== id);
    writer.file.runs.push({
      id, model: variant === 'orig-gmf' ? 'gmf' : 'mlp', variant, optimizer: 'adam', factor: 8, seed: 0, status: 'complete', tag: 'original-weights',
      holdout: args.holdout, startedAt: now, finishedAt: now, trainSeconds: 0, evalSeconds: point.evalSeconds, wallSeconds: point.evalSeconds,
      curve: [point], selection: selections([point]),
    });
    writer.flush();
    console.log(`${id}: test HR ${point.test.hr} NDCG ${point.test.ndcg} (optimistic ${point.testOptimistic.hr} / ${point.testOptimistic.ndcg})`);
  };
  single('orig-gmf-f8', 'orig-gmf', gmf);
  single('orig-mlp-f8', 'orig-mlp', mlp);
  if (args.models.includes('neumf-pre')) {
    for (const optimizer of args.preOptimizers) {
      const neumf = pretrainedNeuMF(gmf, mlp, { alpha: args.alpha });
      await trainAndRecord(`orig-neumf-pre-${optimizer}-f8`, `orig-neumf-pre-${optimizer}`, neumf, optimizer, args, p, writer, current, valNegatives);
      neumf.dispose();
    }
  }
  gmf.dispose();
  mlp.dispose();
}

/** Evaluates before training and after every epoch of train(), recording a run (for runOriginal). */
async function trainAndRecord(
  id: string,
  variant: string,
  model: tf.LayersModel,
  optimizer: Optimizer,
  args: Args,
  p: Prepared,
  writer: Writer,
  current: Current,
  valNegatives: Int32Array[] | null,
): Promise<void> {
  const run: RunRecord = {
    id, model: 'neumf-pre', variant, optimizer, factor: 8, layers: [64, 32, 16, 8], seed: 1, status: 'running', epochsPlanned: args.epochs,
    tag: 'original-weights', holdout: args.holdout, startedAt: new Date().toISOString(), trainSeconds: 0, evalSeconds: 0, wallSeconds: 0, curve: [],
  };
  const runWriter = startRun(writer, current, run, (point) => {
    console.log(`${id} epoch ${point.epoch}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)}${point.val ? ` val HR ${point.val.hr.toFixed(4)}` : ''}`);
  });
  runWriter.record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });
  const history = await train(model, p.fit, {
    epochs: args.epochs, batchSize: args.batchSize, negatives: args.negatives, learningRate: args.learningRate, optimizer, loss: 'bce',
    seed: deriveSeed(1, 0x5eed + 8), engine: args.engine, threads: args.threads,
    onEpochEnd: (epoch, logs) => {
      run.trainSeconds = round(run.trainSeconds + logs.seconds, 2);
      runWriter.record({ epoch, loss: round(logs.loss, 5), seconds: round(logs.seconds, 2), instancesPerSecond: Math.round(logs.instancesPerSecond), ...evaluatePoint(model, p, valNegatives) });
    },
  });
  run.engine = history.engine;
  run.engineReason = history.engineReason;
  runWriter.finish();
}
