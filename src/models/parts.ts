// Pieces shared by the GMF, MLP and NeuMF builders (internal): the two int32 index inputs and the
// sigmoid output layer, named as in the paper's Keras code (see ncf/architecture.ts); each table from the
// architecture's weight list (ncf/spec.ts).
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { LAYER_NAMES, ncfTable, type NcfBlock, type NcfSide, type NcfSpec } from '../ncf/index.js';
import { showShape } from './checks.js';
import { deriveSeed } from '../_lib/random.js';
import { Embedding } from './embedding.js';

/** The `user_input` and `item_input` placeholders: int32, shape `[batch, 1]`. */
export function ncfInputs(): { user: tf.SymbolicTensor; item: tf.SymbolicTensor } {
  return {
    user: tf.input({ shape: [1], dtype: 'int32', name: LAYER_NAMES.userInput }),
    item: tf.input({ shape: [1], dtype: 'int32', name: LAYER_NAMES.itemInput }),
  };
}

/** The `prediction` layer: Dense(1, sigmoid), lecun_uniform kernel, zero bias. */
export function predictionLayer(seed: number | undefined): tf.layers.Layer {
  return tf.layers.dense({
    units: 1,
    activation: 'sigmoid',
    kernelInitializer: tf.initializers.leCunUniform({ seed }),
    biasInitializer: 'zeros',
    name: LAYER_NAMES.prediction,
  });
}

/** Asserts a symbolic `[batch, width]` tensor and returns its width. */
export function vectorWidth(name: string, where: string, x: unknown): number {
  if (!(x instanceof tf.SymbolicTensor) || x.shape.length !== 2 || x.shape[1] === null) {
    const got = x instanceof tf.SymbolicTensor ? `a symbolic tensor of shape ${showShape(x.shape)}` : show(x);
    throw new RecsysError('SHAPE_MISMATCH', `${where}: ${name} must be a symbolic [batch, width] tensor, got ${got}`, { name });
  }
  return x.shape[1];
}

/** Seed of part `stream` of a model, or undefined when the model is unseeded. */
export function partSeed(seed: number | undefined, stream: number): number | undefined {
  return seed === undefined ? undefined : deriveSeed(seed, stream);
}

/** Seed streams of the parts, fixed so that a seed gives the same weights in every builder. */
export const SEED_STREAM = {
  gmfUser: 0,
  gmfItem: 1,
  mlpUser: 2,
  mlpItem: 3,
  prediction: 4,
  /** Dense layer i of the tower uses stream `mlpLayer + i`. */
  mlpLayer: 100,
  /** Side-feature field k uses `feature + (mlp ? 500 : 0) + (item ? 250 : 0) + k`. */
  feature: 1000,
} as const;

/**
 * The embedding of one table of the spec (its layer name, rows and width come from the weight
 * list), looked up from `input`: the builders make every table this way.
 */
export function tableVector(
  spec: NcfSpec,
  side: NcfSide,
  block: NcfBlock,
  input: tf.SymbolicTensor,
  l2: number,
  seed: number | undefined,
): tf.SymbolicTensor {
  const table = ncfTable(spec, side, block);
  if (table === undefined) throw new RecsysError('INVALID_ARGUMENT', `a ${spec.kind} model has no ${block} ${side} table`);
  const stream = SEED_STREAM[`${block}${side === 'user' ? 'User' : 'Item'}` as const];
  return Embedding({ inputDim: table.rows, outputDim: table.width, name: table.layer, l2, seed: partSeed(seed, stream) }).apply(input) as tf.SymbolicTensor;
}
