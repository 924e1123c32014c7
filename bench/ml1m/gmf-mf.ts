// `--gmf-recipe mf`: GMF trained as Rendle et al.'s dot-product MF (RecSys 2020, `mf_simple.py`:
// logistic loss, 8 uniform negatives per positive, L2 0.005 on the rows each example touches,
// plain SGD one example at a time at learning rate 0.002, N(0, 0.1) initial factors), by the
// library's fitMF, instead of the protocol's Adam on GMF. Its score `b + b_u + b_i + p_u . q_i`
// is a GMF exactly: at GMF factor F, MF has F - 2 factors and the biases take the last two
// dimensions (user `[p_u, b_u, 1]`, item `[q_i, 1, b_i]`, output kernel all ones, output bias `b`),
// so the checkpoints it keeps are GMF weights that NeuMF-pre and `--alphas` start from as from
// any GMF run. Evaluated every `--mf-every` epochs (the curve's epochs are 0-based, as the
// protocol's: point e is after e + 1 epochs).
import * as tf from '@tensorflow/tfjs';
import { fitMF, type MFScorer } from '../../src/baselines/index.js';
import { GMF } from '../../src/models/index.js';
import { deriveSeed } from '../../src/_lib/random.js';
import type { Args } from './args.js';
import { round } from './record.js';
import type { EpochPoint } from './types.js';

/** Rendle et al.'s ML-1M setting (google-research/dot_vs_learned_similarity README), as fitMF takes it. */
export const RENDLE_MF = { learningRate: 0.002, regularization: 0.005, negatives: 8, stddev: 0.1 } as const;

/**
 * `rows` (count x f, row-major) widened to count x (f + 2): each row's factors, then its bias and
 * a 1 (`biasFirst`, the user side) or a 1 and its bias (the item side), so that the dot product of
 * a widened user and item row is `p_u . q_i + b_u + b_i`.
 */
function withBiases(rows: Float64Array, bias: Float64Array, count: number, f: number, biasFirst: boolean): Float32Array {
  const width = f + 2;
  const out = new Float32Array(count * width);
  for (let r = 0; r < count; r++) {
    for (let k = 0; k < f; k++) out[r * width + k] = rows[r * f + k];
    out[r * width + f] = biasFirst ? bias[r] : 1;
    out[r * width + f + 1] = biasFirst ? 1 : bias[r];
  }
  return out;
}

/** The GMF weights (user table, item table, output kernel, output bias) that score as `mf` does. */
export function gmfWeightsOfMF(mf: MFScorer, factor: number): tf.Tensor[] {
  const f = factor - 2;
  if (mf.options.factors !== f) throw new Error(`an MF with ${mf.options.factors} factors is a GMF of ${mf.options.factors + 2}, not ${factor}`);
  const { numUsers, numItems } = mf;
  return [
    tf.tensor2d(withBiases(mf.userFactors, mf.userBias, numUsers, f, true), [numUsers, factor]),
    tf.tensor2d(withBiases(mf.itemFactors, mf.itemBias, numItems, f, false), [numItems, factor]),
    tf.ones([factor, 1]),
    tf.tensor1d([mf.globalBias]),
  ];
}

/** Writes `mf` into `model` (a GMF of `factor`, e.g. from {@link gmfForMF}) exactly. */
export function setGmfToMF(model: tf.LayersModel, mf: MFScorer, factor: number): void {
  const weights = gmfWeightsOfMF(mf, factor);
  try {
    model.setWeights(weights);
  } finally {
    tf.dispose(weights);
  }
}

/**
 * Trains the GMF of `factor` by the MF recipe on `fit` for `args.epochs` epochs; after every
 * `args.mfEvery`-th (and the last) the GMF model holds the MF's current parameters and `record`
 * gets its point (evaluated by `evaluate`, with the epoch's loss and the training seconds since the
 * previous point).
 */
export function trainGmfByMF(
  model: tf.LayersModel,
  fit: { users: Int32Array; items: Int32Array; numUsers: number; numItems: number },
  factor: number,
  seed: number,
  args: Args,
  evaluate: () => Omit<EpochPoint, 'epoch'>,
  record: (point: EpochPoint) => void,
): void {
  let since = performance.now();
  const mf = fitMF(fit, {
    ...RENDLE_MF,
    factors: factor - 2,
    epochs: args.epochs,
    seed: deriveSeed(seed, 0x3f00 + factor),
    onEpoch: (epoch, loss, current) => {
      if (epoch % args.mfEvery !== 0 && epoch !== args.epochs) return;
      const seconds = (performance.now() - since) / 1000;
      setGmfToMF(model, current, factor);
      record({ epoch: epoch - 1, loss: round(loss, 5), seconds: round(seconds, 2), ...evaluate() });
      since = performance.now();
    },
  });
  mf.dispose();
}

/** A GMF of `factor` for the MF recipe's weights (its initial output layer is replaced at the first point). */
export function gmfForMF(numUsers: number, numItems: number, factor: number): tf.LayersModel {
  if (factor < 3) throw new Error(`--gmf-recipe mf needs a factor of at least 3 (two dimensions hold the biases), got ${factor}`);
  return GMF({ numUsers, numItems, factors: factor });
}
