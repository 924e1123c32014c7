// Neural Matrix Factorization (He et al. 2017, section 3.4): GMF and MLP with separate embeddings,
// fused by one sigmoid layer over the concatenation [gmf ; mlp]. The GMF part comes first: the
// fused engine, the fast scorer and pretrainedNeuMF all rely on that order of the output kernel.
import * as tf from '@tensorflow/tfjs';
import { assertInteger, show } from '../_lib/validate.js';
import { RecsysError } from '../errors.js';
import { ncfSpec } from '../ncf/index.js';
import { assertL2, assertLayers, assertOptionalSeed, resolveLayerL2 } from './checks.js';
import { GMF } from './gmf.js';
import { mlpTower } from './mlp.js';
import { ncfInputs, partSeed, predictionLayer, SEED_STREAM } from './parts.js';
import { resolveSideFeatures, sideVector, type SideFeatureArgs } from './side-features.js';

/** Arguments of {@link NeuMF}. @category Models */
export interface NeuMFArgs extends SideFeatureArgs {
  /** Number of users. A positive integer. */
  numUsers: number;
  /** Number of items. A positive integer. */
  numItems: number;
  /** Width of the GMF embeddings (`mf_embedding_user`, `mf_embedding_item`), a positive integer. Default 8. */
  factors?: number;
  /**
   * MLP layer sizes as in the paper: `layers[0]` is the concatenated MLP embedding width (each
   * `layers[0] / 2`, so it must be even), `layers[1..]` the Dense ReLU units. Sizes never grow
   * toward the output. Default `[64, 32, 16, 8]`.
   */
  layers?: readonly number[];
  /** L2 penalty on the GMF embeddings, a finite number >= 0. Default 0. */
  l2Gmf?: number;
  /**
   * L2 penalty of the MLP part: one number, or one per entry of `layers` (`[0]` the embeddings,
   * `[i]` the kernel of `mlp_layer{i}`). Default 0. The fused engine trains the kernels'
   * penalties; an embedding penalty (`[0]`, or `l2Gmf`) sends training to the tfjs engine.
   */
  l2Mlp?: number | readonly number[];
  /** Seed of the initial weights; the same seed gives the same model. Default: unseeded. */
  seed?: number;
}

/**
 * Builds a NeuMF model: a GMF part (`mf_embedding_user/item`, element-wise product) and an MLP part
 * (`mlp_embedding_user/item`, concatenation, Dense ReLU `mlp_layer1..N`) with separate embeddings,
 * and a `prediction` layer (Dense(1, sigmoid), lecun_uniform) over `[gmf ; mlp]`. Inputs
 * `[user_input, item_input]`, each int32 `[batch, 1]`; output the score `[batch, 1]` in (0, 1).
 * With `userFeatures` / `itemFeatures`, each block's id embeddings get the pooled field tables
 * summed in (see {@link GMF} and docs/features.md).
 *
 * @param args - sizes, factors, layer list, L2 penalties and seed
 * @returns an uncompiled `tf.LayersModel`
 * @example
 * ```ts
 * const model = NeuMF({ numUsers: 6040, numItems: 3706, factors: 8, layers: [64, 32, 16, 8] });
 * model.getLayer('prediction').getWeights()[0].shape; //=> [16, 1]
 * ```
 */
export function NeuMF(args: NeuMFArgs): tf.LayersModel {
  if (typeof args !== 'object' || args === null) {
    throw new RecsysError('INVALID_ARGUMENT', `NeuMF expects an arguments object, got ${show(args)}`);
  }
  const { numUsers, numItems, factors = 8, layers = [64, 32, 16, 8], l2Gmf = 0, l2Mlp = 0, seed } = args;
  assertInteger('numUsers', numUsers);
  assertInteger('numItems', numItems);
  assertInteger('factors', factors);
  assertLayers('layers', layers, { evenFirst: true });
  assertL2('l2Gmf', l2Gmf);
  const penalties = resolveLayerL2('l2Mlp', l2Mlp, layers);
  assertOptionalSeed(seed);
  const side = resolveSideFeatures(args, numUsers, numItems);

  const { user, item } = ncfInputs();
  const spec = ncfSpec({ kind: 'neumf', numUsers, numItems, factors, layers, ...(side.features === undefined ? {} : { features: side.features }) });
  const gmfUser = sideVector(spec, side, 'user', 'gmf', user, l2Gmf, seed);
  const gmfItem = sideVector(spec, side, 'item', 'gmf', item, l2Gmf, seed);
  const gmf = GMF.block(gmfUser, gmfItem, { name: 'mf_product' });
  const mlp = mlpTower(user, item, spec, side, penalties, seed);
  const fused = tf.layers.concatenate({ axis: -1, name: 'neumf_concat' }).apply([gmf, mlp]) as tf.SymbolicTensor;
  const score = predictionLayer(partSeed(seed, SEED_STREAM.prediction)).apply(fused) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, item], outputs: score, name: 'neumf' });
}
