// NeuMF initialised from a trained GMF and a trained MLP (He et al. 2017, section 3.4.1). As in
// the paper's code, the embeddings and the tower are copied, and the output layer is the weighted
// sum of the two output layers: kernel [alpha * w_gmf ; (1 - alpha) * w_mlp] and bias
// alpha * b_gmf + (1 - alpha) * b_mlp (the code scales the bias too, not only the weights).
import * as tf from '@tensorflow/tfjs';
import { assertInRange, show } from '../_lib/validate.js';
import { RecsysError } from '../errors.js';
import { LAYER_NAMES, ncfSpec, type NcfArchitecture } from '../ncf/index.js';
import { inspectModel } from './inspect.js';
import { NeuMF } from './neumf.js';

/** Options of {@link pretrainedNeuMF}. @category Models */
export interface PretrainedNeuMFOptions {
  /** Weight of the GMF part in the output layer, in [0, 1]; the MLP part gets `1 - alpha`. Default 0.5. */
  alpha?: number;
  /** L2 penalty on the GMF embeddings of the new model (see {@link NeuMFArgs}). Default 0. */
  l2Gmf?: number;
  /** L2 penalty of the MLP part of the new model (see {@link NeuMFArgs}). Default 0. */
  l2Mlp?: number | readonly number[];
}

/**
 * Builds a NeuMF from a trained GMF and a trained MLP: the GMF embeddings, the MLP embeddings and
 * the MLP tower are copies of theirs, the output kernel is `[alpha * w_gmf ; (1 - alpha) * w_mlp]`
 * and the output bias `alpha * b_gmf + (1 - alpha) * b_mlp`. So before any further training its
 * logit is `alpha * logit_gmf + (1 - alpha) * logit_mlp`. The two models are not changed.
 *
 * @param gmf - a standard GMF model (see {@link GMF}), typically trained
 * @param mlp - a standard MLP model (see {@link MLP}) over the same users and items
 * @param options - `alpha` (default 0.5) and L2 penalties of the new model
 * @returns a new, uncompiled NeuMF `tf.LayersModel`
 * @example
 * ```ts
 * const gmf = GMF({ numUsers: 100, numItems: 50, factors: 8 });
 * const mlp = MLP({ numUsers: 100, numItems: 50, layers: [32, 16, 8] });
 * // ... train both ...
 * const neumf = pretrainedNeuMF(gmf, mlp, { alpha: 0.5 });
 * inspectModel(neumf);
 * //=> { kind: 'neumf', numUsers: 100, numItems: 50, factors: 8, layers: [32, 16, 8] }
 * ```
 */
export function pretrainedNeuMF(gmf: tf.LayersModel, mlp: tf.LayersModel, options: PretrainedNeuMFOptions = {}): tf.LayersModel {
  if (typeof options !== 'object' || options === null) {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  }
  const { alpha = 0.5, l2Gmf, l2Mlp } = options;
  assertInRange('alpha', alpha, 0, 1);
  const g = expectKind('gmf', gmf, 'GMF');
  const m = expectKind('mlp', mlp, 'MLP');
  for (const key of ['numUsers', 'numItems'] as const) {
    if (g[key] !== m[key]) {
      throw new RecsysError(
        'SHAPE_MISMATCH',
        `gmf and mlp must be built for the same users and items, but gmf has ${key}=${g[key]} and mlp has ${key}=${m[key]}`,
        { gmf: g[key], mlp: m[key] },
      );
    }
  }

  const model = NeuMF({ numUsers: g.numUsers, numItems: g.numItems, factors: g.factors, layers: m.layers, l2Gmf, l2Mlp });
  const architecture: NcfArchitecture = { kind: 'neumf', numUsers: g.numUsers, numItems: g.numItems, factors: g.factors, layers: m.layers };
  // every layer but the prediction comes whole from the model that has it: GMF tables from gmf,
  // MLP tables and tower from mlp
  const copied = new Set<string>();
  for (const w of ncfSpec(architecture).weights) {
    if (w.block === 'prediction' || copied.has(w.layer)) continue;
    copied.add(w.layer);
    model.getLayer(w.layer).setWeights((w.block === 'gmf' ? gmf : mlp).getLayer(w.layer).getWeights());
  }

  const [gmfKernel, gmfBias] = gmf.getLayer(LAYER_NAMES.prediction).getWeights();
  const [mlpKernel, mlpBias] = mlp.getLayer(LAYER_NAMES.prediction).getWeights();
  const output = tf.tidy(() => [
    tf.concat([tf.mul(gmfKernel, alpha), tf.mul(mlpKernel, 1 - alpha)], 0),
    tf.add(tf.mul(gmfBias, alpha), tf.mul(mlpBias, 1 - alpha)),
  ]);
  model.getLayer(LAYER_NAMES.prediction).setWeights(output);
  tf.dispose(output);
  return model;
}

function expectKind(kind: 'gmf' | 'mlp', model: tf.LayersModel, label: string): NcfArchitecture {
  const architecture = inspectModel(model);
  if (architecture?.features !== undefined) {
    throw new RecsysError('UNSUPPORTED_MODEL', `${kind}: pretrainedNeuMF does not combine models with side features yet; build NeuMF({ ..., itemFeatures }) and train it instead`);
  }
  if (architecture === null || architecture.kind !== kind) {
    const got = architecture === null ? 'a model that is not a standard NCF model' : `a standard ${architecture.kind.toUpperCase()} model`;
    throw new RecsysError('UNSUPPORTED_MODEL', `${kind} must be a standard ${label} model (as built by ${label}()), got ${got}`, {
      expected: kind,
      got: architecture?.kind ?? null,
    });
  }
  return architecture;
}
