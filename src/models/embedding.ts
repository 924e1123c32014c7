// The embedding lookup every NCF model starts from: a standard tf.layers.embedding followed by a
// flatten, so [batch, 1] indices become [batch, outputDim] vectors and saved models stay plain Keras.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertInteger, show } from '../_lib/validate.js';
import { ensureFastGatherGradient } from '../_lib/gather-gradient.js';
import { assertL2, assertOptionalName, assertOptionalSeed, showShape } from './checks.js';

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
}

/** An embedding lookup: the two standard layers it is made of and a way to apply them. @category Models */
export interface EmbeddingBlock {
  /** The `tf.layers.embedding` layer holding the table `[inputDim, outputDim]`. */
  readonly embedding: tf.layers.Layer;
  /** The `tf.layers.flatten` layer turning `[batch, 1, outputDim]` into `[batch, outputDim]`. */
  readonly flatten: tf.layers.Layer;
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
  return {
    embedding,
    flatten,
    apply(x: tf.SymbolicTensor): tf.SymbolicTensor {
      if (!(x instanceof tf.SymbolicTensor) || x.shape.length !== 2 || x.shape[1] !== 1) {
        const got = x instanceof tf.SymbolicTensor ? `a symbolic tensor of shape ${showShape(x.shape)}` : show(x);
        throw new RecsysError(
          'SHAPE_MISMATCH',
          `Embedding${name === undefined ? '' : ` '${name}'`}.apply expects symbolic indices of shape [batch, 1], got ${got}`,
        );
      }
      return flatten.apply(embedding.apply(x)) as tf.SymbolicTensor;
    },
  };
}

function isInitializer(value: unknown): value is EmbeddingInitializer {
  const candidate = value as { apply?: unknown; getConfig?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.apply === 'function' && typeof candidate.getConfig === 'function';
}
