// Generalized Matrix Factorization (He et al. 2017, section 3.2): sigmoid(w · (p_u ⊙ q_i) + b).
import * as tf from '@tensorflow/tfjs';
import { assertInteger, show } from '../_lib/validate.js';
import { RecsysError } from '../errors.js';
import { ncfSpec } from '../ncf/index.js';
import { assertL2, assertOptionalName, assertOptionalSeed } from './checks.js';
import { ncfInputs, partSeed, predictionLayer, SEED_STREAM, vectorWidth } from './parts.js';
import { resolveSideFeatures, sideVector, type SideFeatureArgs } from './side-features.js';

/** Arguments of {@link GMF}. @category Models */
export interface GMFArgs extends SideFeatureArgs {
  /** Number of users (rows of `mf_embedding_user`). A positive integer. */
  numUsers: number;
  /** Number of items (rows of `mf_embedding_item`). A positive integer. */
  numItems: number;
  /** Predictive factors: the width of both embeddings. A positive integer. Default 8. */
  factors?: number;
  /** L2 penalty on both embedding tables, a finite number >= 0. Default 0. */
  l2?: number;
  /** Seed of the initial weights; the same seed gives the same model. Default: unseeded. */
  seed?: number;
}

/** Options of {@link GMF.block}. @category Models */
export interface GMFBlockOptions {
  /** Name of the `tf.layers.multiply` layer. Default: a name tfjs makes unique. */
  name?: string;
}

/**
 * Builds a GMF model: user and item embeddings (`mf_embedding_user`, `mf_embedding_item`, `factors`
 * wide, `N(0, 0.01)`), their element-wise product, and a `prediction` layer (Dense(1, sigmoid),
 * lecun_uniform). Inputs `[user_input, item_input]`, each int32 `[batch, 1]` (a 1-D int32 tensor of
 * length batch works too); output the score `[batch, 1]` in (0, 1).
 *
 * With `userFeatures` / `itemFeatures`, each field adds a table (`mf_item_feature0`, ...) whose
 * mean over the entity's values is summed with its id embedding (see docs/features.md).
 *
 * @param args - sizes, factors, L2 penalty and seed
 * @returns an uncompiled `tf.LayersModel`
 * @example
 * ```ts
 * const model = GMF({ numUsers: 6040, numItems: 3706, factors: 8 });
 * const users = tf.tensor2d([[0], [1]], [2, 1], 'int32');
 * const items = tf.tensor2d([[5], [9]], [2, 1], 'int32');
 * (model.predict([users, items]) as tf.Tensor).shape; //=> [2, 1]
 *
 * // with item genres: inputs stay [user, item]
 * const genres = featuresFrom(movieRows, { fields: ['genre'], ids: data.items });
 * const hybrid = GMF({ numUsers: data.users.size, numItems: genres.numEntities, itemFeatures: genres });
 * ```
 */
export function GMF(args: GMFArgs): tf.LayersModel {
  if (typeof args !== 'object' || args === null) {
    throw new RecsysError('INVALID_ARGUMENT', `GMF expects an arguments object, got ${show(args)}`);
  }
  const { numUsers, numItems, factors = 8, l2 = 0, seed } = args;
  assertInteger('numUsers', numUsers);
  assertInteger('numItems', numItems);
  assertInteger('factors', factors);
  assertL2('l2', l2);
  assertOptionalSeed(seed);

  const side = resolveSideFeatures(args, numUsers, numItems);

  const { user, item } = ncfInputs();
  const spec = ncfSpec({ kind: 'gmf', numUsers, numItems, factors, layers: [], ...(side.features === undefined ? {} : { features: side.features }) });
  const userVector = sideVector(spec, side, 'user', 'gmf', user, l2, seed);
  const itemVector = sideVector(spec, side, 'item', 'gmf', item, l2, seed);
  const product = gmfBlock(userVector, itemVector, { name: 'mf_product' });
  const score = predictionLayer(partSeed(seed, SEED_STREAM.prediction)).apply(product) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, item], outputs: score, name: 'gmf' });
}

// Documented where it is attached, below: typedoc reads the comment on the property.
function gmfBlock(userVector: tf.SymbolicTensor, itemVector: tf.SymbolicTensor, options: GMFBlockOptions = {}): tf.SymbolicTensor {
  const userWidth = vectorWidth('userVector', 'GMF.block', userVector);
  const itemWidth = vectorWidth('itemVector', 'GMF.block', itemVector);
  if (userWidth !== itemWidth) {
    throw new RecsysError(
      'SHAPE_MISMATCH',
      `GMF.block: userVector and itemVector must have the same width for an element-wise product, got ${userWidth} and ${itemWidth}`,
      { userWidth, itemWidth },
    );
  }
  assertOptionalName('options.name', options.name);
  return tf.layers.multiply(options.name === undefined ? {} : { name: options.name }).apply([userVector, itemVector]) as tf.SymbolicTensor;
}

/**
 * The GMF block for your own towers: the element-wise product of a user and an item vector of the
 * same width (a `tf.layers.multiply`).
 *
 * @param userVector - symbolic `[batch, d]` user vectors (e.g. from {@link Embedding})
 * @param itemVector - symbolic `[batch, d]` item vectors
 * @param options - optional layer name
 * @returns the symbolic `[batch, d]` product
 * @example
 * ```ts
 * const u = tf.input({ shape: [1], dtype: 'int32' }), i = tf.input({ shape: [1], dtype: 'int32' });
 * const g = GMF.block(
 *   Embedding({ inputDim: 100, outputDim: 8 }).apply(u),
 *   Embedding({ inputDim: 50, outputDim: 8 }).apply(i),
 * );
 * g.shape; //=> [null, 8]
 * ```
 */
GMF.block = gmfBlock;
