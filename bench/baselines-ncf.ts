// The NCF models (GMF, MLP, NeuMF without pretraining) as rows of the baselines table
// (bench/baselines.ts), selected the way that table selects every method: per seed, a hold-out run
// on train minus the validation positives, evaluated on validation after every epoch, picks the
// number of epochs (the first with the best validation HR@10); the model is then trained again
// from the same seed on the whole train file for that many epochs, and only that refit meets the
// test set (sampled, and full ranking). Training as in the NCF paper and bench/reproduce-ml1m.ts:
// log loss, 4 negatives per positive, batch 256, Adam, MLP tower [8F, 4F, 2F, F], at most 20 epochs,
// the fused engine.
import type * as tf from '@tensorflow/tfjs';
import type { Interactions } from '../src/data/index.js';
import { evaluateSampled, type SampledTestSet } from '../src/evaluation/index.js';
import { GMF, MLP, NeuMF } from '../src/models/index.js';
import { deriveSeed } from '../src/sampling/index.js';
import { createScorer } from '../src/scoring/index.js';
import { train } from '../src/training/index.js';

export type NcfKind = 'gmf' | 'mlp' | 'neumf';

export const NCF_LABEL: Record<NcfKind, string> = { gmf: 'GMF', mlp: 'MLP', neumf: 'NeuMF (no pretraining)' };

export interface NcfSettings {
  epochs: number;
  learningRate: number;
}

export interface NcfSelected {
  /** Epochs the hold-out run chose (1-based count: train this many on the whole file). */
  epochs: number;
  val: { hr: number; ndcg: number };
  /** Validation HR@10 / NDCG@10 after each epoch of the hold-out run, and its training seconds so far. */
  curve: { epoch: number; hr: number; ndcg: number; seconds: number }[];
  /** The refit on the whole train file (the caller evaluates and disposes it). */
  model: tf.LayersModel;
  refitSeconds: number;
}

function build(kind: NcfKind, factors: number, numUsers: number, numItems: number, seed: number): tf.LayersModel {
  const layers = [8 * factors, 4 * factors, 2 * factors, factors];
  if (kind === 'gmf') return GMF({ numUsers, numItems, factors, seed });
  if (kind === 'mlp') return MLP({ numUsers, numItems, layers, seed });
  return NeuMF({ numUsers, numItems, factors, layers, seed });
}

async function fit(model: tf.LayersModel, data: Interactions, epochs: number, settings: NcfSettings, seed: number, factors: number, onEpoch?: (epoch: number, seconds: number) => void): Promise<number> {
  let seconds = 0;
  await train(model, data, {
    epochs,
    batchSize: 256,
    negatives: 4,
    learningRate: settings.learningRate,
    optimizer: 'adam',
    loss: 'bce',
    seed: deriveSeed(seed, 0x5eed + factors),
    onEpochEnd: (epoch, logs) => {
      seconds += logs.seconds;
      onEpoch?.(epoch, seconds);
    },
  });
  return seconds;
}

/**
 * One seed of one NCF model: the hold-out run on `fitData` chooses the epochs on `validation`, then
 * the refit on `trainData`.
 */
export async function selectAndRefit(
  kind: NcfKind,
  factors: number,
  seed: number,
  fitData: Interactions,
  trainData: Interactions,
  validation: SampledTestSet,
  settings: NcfSettings,
  log: (...parts: unknown[]) => void,
): Promise<NcfSelected> {
  const probe = build(kind, factors, fitData.numUsers, fitData.numItems, seed);
  const curve: NcfSelected['curve'] = [];
  try {
    await fit(probe, fitData, settings.epochs, settings, seed, factors, (epoch, seconds) => {
      const v = evaluateSampled(createScorer(probe), validation, { k: 10 });
      curve.push({ epoch, hr: v.hr, ndcg: v.ndcg, seconds });
      log(NCF_LABEL[kind], `f${factors} s${seed} epoch ${epoch} val HR ${v.hr.toFixed(4)} NDCG ${v.ndcg.toFixed(4)} | train ${seconds.toFixed(0)} s`);
    });
  } finally {
    probe.dispose();
  }
  const best = curve.reduce((a, p) => (p.hr > a.hr ? p : a));
  const epochs = best.epoch + 1;
  const model = build(kind, factors, trainData.numUsers, trainData.numItems, seed);
  const refitSeconds = await fit(model, trainData, epochs, settings, seed, factors);
  return { epochs, val: { hr: best.hr, ndcg: best.ndcg }, curve, model, refitSeconds };
}
