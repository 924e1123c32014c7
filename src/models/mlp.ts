// Multi-Layer Perceptron over concatenated embeddings (He et al. 2017, section 3.3), as in the
// paper's Keras code: embeddings layers[0]/2 wide, Dense ReLU layers layers[1..] (glorot_uniform),
// then the sigmoid `prediction` layer.
import * as tf from '@tensorflow/tfjs';
import { assertInteger, show } from '../_lib/validate.js';
import { RecsysError } from '../errors.js';
import { ncfSpec, type NcfSpec } from '../ncf/index.js';
import { assertLayers, assertOptionalName, assertOptionalSeed, resolveLayerL2, showList } from './checks.js';
import { ncfInputs, partSeed, predictionLayer, SEED_STREAM, vectorWidth } from './parts.js';
import { resolveSideFeatures, sideVector, type ResolvedSideFeatures, type SideFeatureArgs } from './side-features.js';

/** Arguments of {@link MLP}. @category Models */
export interface MLPArgs extends SideFeatureArgs {
  /** Number of users (rows of `mlp_embedding_user`). A positive integer. */
  numUsers: number;
  /** Number of items (rows of `mlp_embedding_item`). A positive integer. */
  numItems: number;
  /**
   * Layer sizes as in the paper: `layers[0]` is the concatenated embedding width (each embedding is
   * `layers[0] / 2` wide, so it must be even), `layers[1..]` are the units of the Dense ReLU layers
   * `mlp_layer1..N`. Sizes never grow toward the output. Default `[64, 32, 16, 8]`.
   */
  layers?: readonly number[];
  /**
   * L2 penalty: one number for every part, or one per entry of `layers` (`l2[0]` for the
   * embeddings, `l2[i]` for the kernel of `mlp_layer{i}`), as the original code's `reg_layers`.
   * Default 0. The fused engine trains the kernels' penalties; a non-zero `l2[0]` (or a single
   * non-zero number) sends training to the tfjs engine.
   */
  l2?: number | readonly number[];
  /** Seed of the initial weights; the same seed gives the same model. Default: unseeded. */
  seed?: number;
}

/** Options of {@link MLP.block}. @category Models */
export interface MLPBlockOptions {
  /**
   * L2 penalty on the Dense kernels: one number, or one per entry of `layers` (`l2[i]` for the
   * layer with `layers[i]` units; `l2[0]` belongs to the embeddings and is not used here).
   * Default 0.
   */
  l2?: number | readonly number[];
  /** The Dense layers are named `<namePrefix>1..N`. Default: names tfjs makes unique. */
  namePrefix?: string;
  /** Name of the concatenate layer. Default: a name tfjs makes unique. */
  concatName?: string;
  /** Seed of the glorot_uniform kernels. Default: unseeded. */
  seed?: number;
}

/**
 * Builds an MLP model: user and item embeddings (`mlp_embedding_user`, `mlp_embedding_item`,
 * `layers[0] / 2` wide, `N(0, 0.01)`), their concatenation, Dense ReLU layers `mlp_layer1..N`
 * with `layers[1..]` units, and a `prediction` layer (Dense(1, sigmoid), lecun_uniform). Inputs
 * `[user_input, item_input]`, each int32 `[batch, 1]`; output the score `[batch, 1]` in (0, 1).
 * With `userFeatures` / `itemFeatures`, each field's pooled table (`mlp_item_feature0`, ...) is
 * summed with the side's MLP id embedding before the concatenation (see docs/features.md).
 *
 * @param args - sizes, layer list, L2 penalties and seed
 * @returns an uncompiled `tf.LayersModel`
 * @example
 * ```ts
 * const model = MLP({ numUsers: 6040, numItems: 3706, layers: [64, 32, 16, 8] });
 * model.getLayer('mlp_layer3').outputShape; //=> [null, 8]
 * ```
 */
export function MLP(args: MLPArgs): tf.LayersModel {
  if (typeof args !== 'object' || args === null) {
    throw new RecsysError('INVALID_ARGUMENT', `MLP expects an arguments object, got ${show(args)}`);
  }
  const { numUsers, numItems, layers = [64, 32, 16, 8], l2 = 0, seed } = args;
  assertInteger('numUsers', numUsers);
  assertInteger('numItems', numItems);
  assertLayers('layers', layers, { evenFirst: true });
  const penalties = resolveLayerL2('l2', l2, layers);
  assertOptionalSeed(seed);
  const side = resolveSideFeatures(args, numUsers, numItems);

  const { user, item } = ncfInputs();
  const spec = ncfSpec({ kind: 'mlp', numUsers, numItems, factors: 0, layers, ...(side.features === undefined ? {} : { features: side.features }) });
  const tower = mlpTower(user, item, spec, side, penalties, seed);
  const score = predictionLayer(partSeed(seed, SEED_STREAM.prediction)).apply(tower) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, item], outputs: score, name: 'mlp' });
}

/**
 * The MLP part of the standard models (internal, shared with NeuMF): the spec's MLP tables
 * (`mlpWidth` wide each), their concatenation and the tower `mlp_layer1..N`.
 */
export function mlpTower(
  user: tf.SymbolicTensor,
  item: tf.SymbolicTensor,
  spec: NcfSpec,
  side: ResolvedSideFeatures,
  penalties: readonly number[],
  seed: number | undefined,
): tf.SymbolicTensor {
  const userVector = sideVector(spec, side, 'user', 'mlp', user, penalties[0], seed);
  const itemVector = sideVector(spec, side, 'item', 'mlp', item, penalties[0], seed);
  return denseTower(userVector, itemVector, spec.tower, penalties, {
    namePrefix: 'mlp_layer',
    concatName: 'mlp_concat',
    seedOf: (i) => partSeed(seed, SEED_STREAM.mlpLayer + i),
  });
}

function denseTower(
  userVector: tf.SymbolicTensor,
  itemVector: tf.SymbolicTensor,
  layers: readonly number[],
  penalties: readonly number[],
  naming: { namePrefix?: string; concatName?: string; seedOf: (i: number) => number | undefined },
): tf.SymbolicTensor {
  let h = tf.layers
    .concatenate({ axis: -1, ...(naming.concatName === undefined ? {} : { name: naming.concatName }) })
    .apply([userVector, itemVector]) as tf.SymbolicTensor;
  for (let i = 1; i < layers.length; i++) {
    h = tf.layers
      .dense({
        units: layers[i],
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: naming.seedOf(i) }),
        biasInitializer: 'zeros',
        kernelRegularizer: penalties[i] > 0 ? tf.regularizers.l2({ l2: penalties[i] }) : undefined,
        ...(naming.namePrefix === undefined ? {} : { name: `${naming.namePrefix}${i}` }),
      })
      .apply(h) as tf.SymbolicTensor;
  }
  return h;
}

// Documented where it is attached, below: typedoc reads the comment on the property.
function mlpBlock(
  userVector: tf.SymbolicTensor,
  itemVector: tf.SymbolicTensor,
  layers: readonly number[],
  options: MLPBlockOptions = {},
): tf.SymbolicTensor {
  const userWidth = vectorWidth('userVector', 'MLP.block', userVector);
  const itemWidth = vectorWidth('itemVector', 'MLP.block', itemVector);
  assertLayers('layers', layers, { evenFirst: false });
  if (userWidth + itemWidth !== layers[0]) {
    throw new RecsysError(
      'SHAPE_MISMATCH',
      `MLP.block: layers[0] must equal the concatenated width of userVector and itemVector (${userWidth} + ${itemWidth} = ${userWidth + itemWidth}), got layers = ${showList(layers)}`,
      { userWidth, itemWidth, layers },
    );
  }
  const { l2 = 0, namePrefix, concatName, seed } = options;
  const penalties = resolveLayerL2('options.l2', l2, layers);
  assertOptionalName('options.namePrefix', namePrefix);
  assertOptionalName('options.concatName', concatName);
  assertOptionalSeed(seed);
  return denseTower(userVector, itemVector, layers, penalties, {
    namePrefix,
    concatName,
    seedOf: (i) => partSeed(seed, SEED_STREAM.mlpLayer + i),
  });
}

/**
 * The MLP block for your own towers: concatenates a user and an item vector and runs them through
 * Dense ReLU layers with `layers[1..]` units (glorot_uniform). `layers[0]` must equal the sum of the
 * two vectors' widths; sizes never grow toward the output. With `layers` of length 1 the result is
 * the concatenation itself.
 *
 * @param userVector - symbolic `[batch, a]` user vectors (e.g. from {@link Embedding})
 * @param itemVector - symbolic `[batch, b]` item vectors
 * @param layers - `[a + b, units1, units2, ...]`
 * @param options - L2 penalties, layer names and seed
 * @returns the symbolic `[batch, layers[layers.length - 1]]` tower output
 * @example
 * ```ts
 * const u = tf.input({ shape: [1], dtype: 'int32' }), i = tf.input({ shape: [1], dtype: 'int32' });
 * const h = MLP.block(
 *   Embedding({ inputDim: 100, outputDim: 32 }).apply(u),
 *   Embedding({ inputDim: 50, outputDim: 32 }).apply(i),
 *   [64, 32, 16, 8],
 * );
 * h.shape; //=> [null, 8]
 * ```
 */
MLP.block = mlpBlock;
