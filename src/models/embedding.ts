// The embedding lookup every NCF model starts from: a standard tf.layers.embedding followed by a
// flatten, so [batch, 1] indices become [batch, outputDim] vectors and saved models stay plain Keras.
// With side features (`features`), each field adds a FeaturePool layer (the mean of the entity's
// value rows) and the block's output is their sum with the id vector, as in the builders.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertInteger, show } from '../_lib/validate.js';
import { ensureFastGatherGradient } from '../_lib/gather-gradient.js';
import { deriveSeed } from '../_lib/random.js';
import type { FeatureTable } from '../data/features.js';
import { assertL2, assertOptionalName, assertOptionalSeed, showShape } from './checks.js';
import { featurePools, resolveSide } from './feature-fields.js';
import type { FeaturePool } from './feature-pool.js';

/** A tfjs-layers initializer, e.g. `tf.initializers.randomNormal({ stddev: 0.01 })`. @category Models */
export type EmbeddingInitializer = ReturnType<typeof tf.initializers.randomNormal>;

/** Arguments of {@link Embedding}. @category Models */
export interface EmbeddingArgs {
  /** Number of rows: the number of users (or items) the table can look up. A positive integer. */
  inputDim: number;
  /** Width of each vector. A positive integer. */
  outputDim: number;
  /**
   * Name of the embedding layer (its flatten is named `<name>_flatten`). Default: a name tfjs makes
   * unique.
   */
  name?: string;
  /** L2 penalty on the table (`embeddingsRegularizer`), a finite number >= 0. Default 0 (none). */
  l2?: number;
  /**
   * Initializer of the table. Default `tf.initializers.randomNormal({ mean: 0, stddev: 0.01 })`, as
   * in the paper.
   */
  initializer?: EmbeddingInitializer;
  /** Seed of the default initializer (ignored when `initializer` is given). Default: unseeded. */
  seed?: number;
  /**
   * Side features of the entities this table embeds (a user or item FeatureTable with
   * `numEntities === inputDim`): each field adds a table `[field rows, outputDim]` whose mean over
   * the entity's values is summed with its id vector (LightFM's sum), so an entity with no
   * interactions still has a vector from its features. Default: none (a plain lookup).
   */
  features?: FeatureTable;
  /** The fields of `features` to use, in order. Default: all of them. */
  fields?: readonly string[];
}

/** An embedding lookup: the two standard layers it is made of and a way to apply them. @category Models */
export interface EmbeddingBlock {
  /** The `tf.layers.embedding` layer holding the table `[inputDim, outputDim]`. */
  readonly embedding: tf.layers.Layer;
  /** The `tf.layers.flatten` layer turning `[batch, 1, outputDim]` into `[batch, outputDim]`. */
  readonly flatten: tf.layers.Layer;
  /** One FeaturePool layer per side-feature field (empty without `features`). */
  readonly pools: readonly FeaturePool[];
  /**
   * Looks up the vectors of a `[batch, 1]` index tensor. May be called more than once: every call
   * shares the same table.
   *
   * @param x - symbolic int32 indices of shape `[batch, 1]` (e.g. `tf.input({ shape: [1], dtype: 'int32' })`)
   * @returns the symbolic `[batch, outputDim]` vectors
   */
  apply(x: tf.SymbolicTensor): tf.SymbolicTensor;
}

/**
 * Creates an embedding lookup for a functional tfjs model: a standard embedding layer (weights
 * `N(0, 0.01)` by default) followed by a flatten, so the result of `apply` is `[batch, outputDim]`.
 * Also installs the fast embedding gradient (see the training docs), so models built from it train
 * at full speed on the cpu and wasm backends.
 *
 * @param args - table size, width, optional name, L2 penalty, initializer and seed
 * @returns the block: `.apply(x)` plus the underlying `.embedding` and `.flatten` layers
 * @example
 * ```ts
 * const user = tf.input({ shape: [1], dtype: 'int32' });
 * const vectors = Embedding({ inputDim: 6040, outputDim: 8, name: 'user_vectors' }).apply(user);
 * vectors.shape; //=> [null, 8]
 *
 * // with side features: id vector + the mean of each field's value rows
 * const item = tf.input({ shape: [1], dtype: 'int32' });
 * const hybrid = Embedding({ inputDim: movies.numEntities, outputDim: 8, name: 'item_vectors', features: movies, fields: ['genre'] });
 * hybrid.apply(item).shape; //=> [null, 8]
 * hybrid.pools.map((p) => p.name); //=> ['item_vectors_feature0']
 * ```
 */
export function Embedding(args: EmbeddingArgs): EmbeddingBlock {
  if (typeof args !== 'object' || args === null) {
    throw new RecsysError('INVALID_ARGUMENT', `Embedding expects an arguments object, got ${show(args)}`);
  }
  const { inputDim, outputDim, name, l2 = 0, initializer, seed } = args;
  assertInteger('inputDim', inputDim);
  assertInteger('outputDim', outputDim);
  assertOptionalName('name', name);
  assertL2('l2', l2);
  if (initializer !== undefined && !isInitializer(initializer)) {
    throw new RecsysError('INVALID_ARGUMENT', `initializer must be a tfjs initializer (e.g. tf.initializers.randomNormal(...)), got ${show(initializer)}`);
  }
  assertOptionalSeed(seed);
  ensureFastGatherGradient();

  const embedding = tf.layers.embedding({
    inputDim,
    outputDim,
    embeddingsInitializer: initializer ?? tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed }),
    embeddingsRegularizer: l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined,
    name,
  });
  const flatten = tf.layers.flatten(name === undefined ? {} : { name: `${name}_flatten` });
  const pools = embeddingPools(args);
  const sum = pools.length === 0 ? null : tf.layers.add(name === undefined ? {} : { name: `${name}_sum` });
  return {
    embedding,
    flatten,
    pools,
    apply(x: tf.SymbolicTensor): tf.SymbolicTensor {
      if (!(x instanceof tf.SymbolicTensor) || x.shape.length !== 2 || x.shape[1] !== 1) {
        const got = x instanceof tf.SymbolicTensor ? `a symbolic tensor of shape ${showShape(x.shape)}` : show(x);
        throw new RecsysError(
          'SHAPE_MISMATCH',
          `Embedding${name === undefined ? '' : ` '${name}'`}.apply expects symbolic indices of shape [batch, 1], got ${got}`,
        );
      }
      const id = flatten.apply(embedding.apply(x)) as tf.SymbolicTensor;
      return sum === null ? id : (sum.apply([id, ...pools.map((p) => p.apply(x) as tf.SymbolicTensor)]) as tf.SymbolicTensor);
    },
  };
}

/** The FeaturePool layers of `features` (none without), named `<name>_feature<k>`, seeded from `seed`. */
function embeddingPools(args: EmbeddingArgs): FeaturePool[] {
  const { features, fields, inputDim, outputDim, name, l2 = 0, seed } = args;
  if (features === undefined && fields === undefined) return [];
  const kind = (features as { kind?: unknown } | null | undefined)?.kind;
  const side = kind === 'user' ? 'user' : 'item';
  const resolved = resolveSide(side, features, fields, inputDim, { table: 'features', fields: 'fields', count: 'inputDim' });
  return featurePools(resolved, outputDim, inputDim, (k) => (name === undefined ? undefined : `${name}_feature${k}`), l2, (k) =>
    seed === undefined ? undefined : deriveSeed(seed, 1000 + k),
  );
}

function isInitializer(value: unknown): value is EmbeddingInitializer {
  const candidate = value as { apply?: unknown; getConfig?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.apply === 'function' && typeof candidate.getConfig === 'function';
}
