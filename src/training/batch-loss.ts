// The loss of one batch under a model's current weights, as the tfjs engine minimises it: the
// shared loss formulas (losses.ts) applied to the model's ScoreHead, plus the model's regularisation
// penalties exactly as tfjs's model.fit adds them (so an l2 set on a builder is honoured).
import * as tf from '@tensorflow/tfjs';
import type { Batch, PairBatch } from '../sampling/index.js';
import type { ScoreHead } from './logit-head.js';
import { bceFromLogits, bceFromProbabilities, bprFromLogits, logitOfProbability } from './losses.js';

const column = (values: Int32Array): tf.Tensor2D => tf.tensor2d(values, [values.length, 1], 'int32');

/**
 * The mean BCE of a batch under the model's current weights (logit form when the head gives
 * logits), plus the model's regularisation penalties as `model.fit` adds them. A batch with
 * `weights` (a weighted sampler's) gives the mean of each instance's weight times its loss.
 *
 * @param model - the model (for its regularisation losses)
 * @param head - its {@link ScoreHead}
 * @param batch - users, items, 0/1 labels and optional per-instance weights
 * @returns a scalar tensor
 * @example
 * ```ts
 * pointwiseLoss(model, createScoreHead(model), batch).dataSync()[0]; //=> 0.6931 (untrained model, all z ≈ 0)
 * ```
 */
export function pointwiseLoss(model: tf.LayersModel, head: ScoreHead, batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    const s = head.scores(column(batch.users), column(batch.items));
    const y = tf.tensor1d(batch.labels, 'float32');
    const c = batch.weights === undefined ? undefined : tf.tensor1d(batch.weights, 'float32');
    const data = head.kind === 'logit' ? bceFromLogits(s, y, c) : bceFromProbabilities(s, y, c);
    return withRegularization(model, data);
  });
}

/**
 * The mean BPR loss of a batch of pairs under the model's current weights, plus regularisation.
 * Positives and negatives are scored in one forward pass of twice the batch. A batch with
 * `weights` gives the mean of each pair's weight times its loss.
 *
 * @param model - the model (for its regularisation losses)
 * @param head - its {@link ScoreHead}
 * @param batch - users with one positive and one negative each (and optional per-pair weights)
 * @returns a scalar tensor
 * @example
 * ```ts
 * pairwiseLoss(model, createScoreHead(model), pairs).dataSync()[0]; //=> 0.6931 (untrained model)
 * ```
 */
export function pairwiseLoss(model: tf.LayersModel, head: ScoreHead, batch: PairBatch): tf.Scalar {
  return tf.tidy(() => {
    const n = batch.users.length;
    const users = new Int32Array(2 * n);
    users.set(batch.users);
    users.set(batch.users, n);
    const items = new Int32Array(2 * n);
    items.set(batch.positives);
    items.set(batch.negatives, n);
    let s: tf.Tensor = head.scores(column(users), column(items));
    if (head.kind === 'probability') s = logitOfProbability(s);
    const [positive, negative] = tf.split(s, 2);
    const c = batch.weights === undefined ? undefined : tf.tensor1d(batch.weights, 'float32');
    return withRegularization(model, bprFromLogits(positive, negative, c));
  });
}

function withRegularization(model: tf.LayersModel, loss: tf.Scalar): tf.Scalar {
  let total = loss;
  for (const penalty of model.calculateLosses()) total = tf.add(total, penalty);
  return total;
}
