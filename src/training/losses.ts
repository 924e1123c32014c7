// The two training objectives, as small pure tensor functions. Both engines define them the same
// way (the fused engine's hand-written kernels mirror these formulas), so their losses agree.
//
// Logit forms are preferred: for a sigmoid output p = σ(z), BCE is softplus(z) − y·z and BPR is
// softplus(z_neg − z_pos), both exact and stable for any z (no log(0), no 1 − p cancellation).
// The probability forms are for custom models whose output is not a sigmoid Dense layer: they clip
// p to [ε, 1 − ε] (ε = 1e-7, Keras's epsilon) so a saturated output cannot produce Infinity.
import * as tf from '@tensorflow/tfjs';

/** Probabilities are clipped to [PROBABILITY_EPSILON, 1 − PROBABILITY_EPSILON] before logs. */
export const PROBABILITY_EPSILON = 1e-7;

/**
 * Mean binary cross-entropy of `sigmoid(logits)` against `labels`, computed stably as
 * `mean(softplus(z) − y·z)`.
 *
 * @param logits - pre-sigmoid scores, any shape
 * @param labels - 0/1 targets, same number of elements
 * @returns a scalar tensor (the caller disposes it or runs this inside `tf.tidy`)
 * @example
 * ```ts
 * bceFromLogits(tf.tensor1d([0]), tf.tensor1d([1])).dataSync()[0]; //=> 0.6931472 (log 2)
 * ```
 */
export function bceFromLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.reshape(logits, [-1]);
    const y = tf.reshape(labels, [-1]);
    return tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z)));
  });
}

/**
 * Mean binary cross-entropy of probabilities against labels, with `p` clipped to
 * `[1e-7, 1 − 1e-7]`: `−mean(y·log p + (1 − y)·log(1 − p))`.
 *
 * @param probabilities - scores in [0, 1], any shape
 * @param labels - 0/1 targets, same number of elements
 * @returns a scalar tensor
 * @example
 * ```ts
 * bceFromProbabilities(tf.tensor1d([0.5]), tf.tensor1d([0])).dataSync()[0]; //=> 0.6931472
 * ```
 */
export function bceFromProbabilities(probabilities: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(tf.reshape(probabilities, [-1]), PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
    const y = tf.reshape(labels, [-1]);
    const perInstance = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(perInstance)) as tf.Scalar;
  });
}

/**
 * Mean BPR loss `−log σ(z_pos − z_neg)` over pairs, computed stably as `mean(softplus(z_neg − z_pos))`.
 *
 * @param positiveLogits - pre-sigmoid scores of the positives
 * @param negativeLogits - pre-sigmoid scores of their paired negatives, same length
 * @returns a scalar tensor
 * @example
 * ```ts
 * bprFromLogits(tf.tensor1d([2]), tf.tensor1d([2])).dataSync()[0]; //=> 0.6931472
 * ```
 */
export function bprFromLogits(positiveLogits: tf.Tensor, negativeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.sub(tf.reshape(negativeLogits, [-1]), tf.reshape(positiveLogits, [-1])))));
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
