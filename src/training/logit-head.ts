// How the tfjs engine gets a trainable score out of any two-input model.
//
// For the standard models (and any custom model ending in a 1-unit sigmoid Dense layer) the loss is
// defined on the logit z = features·kernel + bias of that last layer, not on σ(z): the logit forms
// of BCE and BPR are exact where the probability forms saturate (σ(20) rounds to 1 in float32). We
// build a second LayersModel over the same symbolic graph that stops at the Dense layer's input; it
// shares every layer and variable with the original, so gradients land on the model's own weights.
// Any other output falls back to the (clipped) probability.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { LAYER_NAMES } from '../ncf/index.js';

/** Scores a batch for training: logits when the output is a sigmoid Dense layer, else probabilities. */
export interface ScoreHead {
  /** `'logit'` when {@link ScoreHead.scores} returns pre-sigmoid scores, `'probability'` otherwise. */
  readonly kind: 'logit' | 'probability';
  /**
   * Forward pass in training mode (dropout active). Returns a 1-D tensor of length `batch`.
   * @param users - int32 `[batch, 1]`
   * @param items - int32 `[batch, 1]`
   */
  scores(users: tf.Tensor, items: tf.Tensor): tf.Tensor1D;
}

/**
 * Where each of the model's two inputs goes: `[userPosition, itemPosition]` in `model.inputs`
 * (by the builders' input names when present, else user first). Throws `UNSUPPORTED_MODEL` unless
 * the model has exactly two inputs.
 *
 * @param model - the model
 * @returns the positions of the user and the item input
 * @example
 * ```ts
 * inputOrder(GMF({ numUsers: 3, numItems: 4 })); //=> [0, 1]
 * ```
 */
export function inputOrder(model: tf.LayersModel): [number, number] {
  if (model.inputs.length !== 2) {
    throw new RecsysError(
      'UNSUPPORTED_MODEL',
      `train needs a model with two inputs (user, item), got ${model.inputs.length} input(s)`,
      { inputs: model.inputs.length },
    );
  }
  const names = model.inputLayers.map((l) => l.name);
  const user = names.indexOf(LAYER_NAMES.userInput);
  const item = names.indexOf(LAYER_NAMES.itemInput);
  // Models built elsewhere take (user, item) in that order, as the builders do.
  return user >= 0 && item >= 0 ? [user, item] : [0, 1];
}

/**
 * Builds the {@link ScoreHead} of a model. Throws `UNSUPPORTED_MODEL` when the model does not have
 * two inputs and one output of width 1.
 *
 * @param model - any two-input, one-output LayersModel
 * @returns the head used by the tfjs engine; it holds no tensors and needs no disposal
 * @example
 * ```ts
 * createScoreHead(NeuMF({ numUsers: 10, numItems: 20, factors: 4, layers: [8, 4] })).kind; //=> 'logit'
 * ```
 */
export function createScoreHead(model: tf.LayersModel): ScoreHead {
  const [userAt, itemAt] = inputOrder(model);
  if (model.outputs.length !== 1) {
    throw new RecsysError('UNSUPPORTED_MODEL', `train needs a model with one output, got ${model.outputs.length}`);
  }
  const outShape = model.outputs[0].shape;
  if (outShape[outShape.length - 1] !== 1 || outShape.length > 2) {
    throw new RecsysError('UNSUPPORTED_MODEL', `train needs a model whose output has shape [batch, 1], got [${outShape.join(', ')}]`);
  }
  const feed = (users: tf.Tensor, items: tf.Tensor): tf.Tensor[] => {
    const inputs: tf.Tensor[] = [];
    inputs[userAt] = users;
    inputs[itemAt] = items;
    return inputs;
  };

  const logit = sigmoidDenseLogit(model);
  if (logit !== null) {
    return {
      kind: 'logit',
      scores: (users, items) =>
        tf.tidy(() => {
          const features = logit.features.apply(feed(users, items), { training: true }) as tf.Tensor;
          // One fused kernel (matMul + bias), as the Dense layer itself runs it; measurably faster on wasm.
          const z = tf.fused.matMul({
            a: features as tf.Tensor2D,
            b: logit.kernel.read() as tf.Tensor2D,
            bias: logit.bias === null ? undefined : logit.bias.read(),
          });
          return tf.reshape(z, [-1]) as tf.Tensor1D;
        }),
    };
  }
  return {
    kind: 'probability',
    scores: (users, items) =>
      tf.tidy(() => tf.reshape(model.apply(feed(users, items), { training: true }) as tf.Tensor, [-1]) as tf.Tensor1D),
  };
}

interface WeightHandle {
  read(): tf.Tensor;
}

/** The feature model and the Dense variables, when the output layer is a 1-unit sigmoid Dense. */
function sigmoidDenseLogit(model: tf.LayersModel): { features: tf.LayersModel; kernel: WeightHandle; bias: WeightHandle | null } | null {
  const layer = model.outputs[0].sourceLayer as tf.layers.Layer;
  if (layer.getClassName() !== 'Dense') return null;
  const config = layer.getConfig() as { activation?: unknown; units?: unknown; useBias?: unknown };
  if (config.activation !== 'sigmoid' || config.units !== 1) return null;
  let input: tf.SymbolicTensor;
  try {
    // Throws when the layer is shared (several inbound nodes): then "its input" is ambiguous.
    const found = layer.input;
    if (Array.isArray(found)) return null;
    input = found;
  } catch {
    return null;
  }
  if (input.shape.length !== 2) return null;
  const kernel = layer.weights.find((w) => w.shape.length === 2);
  const bias = layer.weights.find((w) => w.shape.length === 1) ?? null;
  if (kernel === undefined || (config.useBias !== false && bias === null)) return null;
  let features: tf.LayersModel;
  try {
    features = tf.model({ inputs: model.inputs, outputs: input });
  } catch {
    return null;
  }
  return { features, kernel, bias: config.useBias === false ? null : bias };
}
