// The two training objectives, as small pure tensor functions. Both engines define them the same
// way (the fused engine's hand-written kernels mirror these formulas), so their losses agree.
//
// Logit forms are preferred: for a sigmoid output p = σ(z), BCE is softplus(z) − y·z and BPR is
// softplus(z_neg − z_pos), both exact and stable for any z (no log(0), no 1 − p cancellation).
// The probability forms are for custom models whose output is not a sigmoid Dense layer: they clip
// p to [ε, 1 − ε] (ε = 1e-7, Keras's epsilon) so a saturated output cannot produce Infinity.
//
// Each takes optional per-instance (per-pair) weights c: the loss is then mean(c · loss), the
// confidence weighting of train's `weighting` option. Without them the graph is exactly the
// unweighted one (no multiplication by 1), so unweighted training is unchanged to the bit.
import * as tf from '@tensorflow/tfjs';

/** mean(c · terms), or mean(terms) without weights. */
function weightedMean(terms: tf.Tensor, weights: tf.Tensor | undefined): tf.Scalar {
  return weights === undefined ? tf.mean(terms) : tf.mean(tf.mul(tf.reshape(weights, [-1]), terms));
}

/** Probabilities are clipped to [PROBABILITY_EPSILON, 1 − PROBABILITY_EPSILON] before logs. */
export const PROBABILITY_EPSILON = 1e-7;

/**
 * Mean binary cross-entropy of `sigmoid(logits)` against `labels`, computed stably as
 * `mean(softplus(z) − y·z)`; with `weights`, `mean(c · (softplus(z) − y·z))`.
 *
 * @param logits - pre-sigmoid scores, any shape
 * @param labels - 0/1 targets, same number of elements
 * @param weights - optional weight c of each instance, same number of elements
 * @returns a scalar tensor (the caller disposes it or runs this inside `tf.tidy`)
 * @example
 * ```ts
 * bceFromLogits(tf.tensor1d([0]), tf.tensor1d([1])).dataSync()[0]; //=> 0.6931472 (log 2)
 * ```
 */
export function bceFromLogits(logits: tf.Tensor, labels: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.reshape(logits, [-1]);
    const y = tf.reshape(labels, [-1]);
    return weightedMean(tf.sub(tf.softplus(z), tf.mul(y, z)), weights);
  });
}

/**
 * Mean binary cross-entropy of probabilities against labels, with `p` clipped to
 * `[1e-7, 1 − 1e-7]`: `−mean(y·log p + (1 − y)·log(1 − p))`; with `weights`, each term times its c.
 *
 * @param probabilities - scores in [0, 1], any shape
 * @param labels - 0/1 targets, same number of elements
 * @param weights - optional weight c of each instance, same number of elements
 * @returns a scalar tensor
 * @example
 * ```ts
 * bceFromProbabilities(tf.tensor1d([0.5]), tf.tensor1d([0])).dataSync()[0]; //=> 0.6931472
 * ```
 */
export function bceFromProbabilities(probabilities: tf.Tensor, labels: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(tf.reshape(probabilities, [-1]), PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    const y = tf.reshape(labels, [-1]);
    const perInstance = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    return tf.neg(weightedMean(perInstance, weights)) as tf.Scalar;
  });
}

/**
 * Mean BPR loss `−log σ(z_pos − z_neg)` over pairs, computed stably as `mean(softplus(z_neg − z_pos))`;
 * with `weights`, `mean(c · softplus(z_neg − z_pos))`.
 *
 * @param positiveLogits - pre-sigmoid scores of the positives
 * @param negativeLogits - pre-sigmoid scores of their paired negatives, same length
 * @param weights - optional weight c of each pair, same length
 * @returns a scalar tensor
 * @example
 * ```ts
 * bprFromLogits(tf.tensor1d([2]), tf.tensor1d([2])).dataSync()[0]; //=> 0.6931472
 * ```
 */
export function bprFromLogits(positiveLogits: tf.Tensor, negativeLogits: tf.Tensor, weights?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => weightedMean(tf.softplus(tf.sub(tf.reshape(negativeLogits, [-1]), tf.reshape(positiveLogits, [-1]))), weights));
}

/**
 * The logit `log p − log(1 − p)` of clipped probabilities (for models without a sigmoid Dense output).
 *
 * @param probabilities - scores in [0, 1]
 * @returns logits, same shape
 * @example
 * ```ts
 * logitOfProbability(tf.tensor1d([0.5])).dataSync()[0]; //=> 0
 * ```
 */
export function logitOfProbability(probabilities: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const p = tf.clipByValue(probabilities, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    return tf.sub(tf.log(p), tf.log(tf.sub(1, p)));
  });
}
