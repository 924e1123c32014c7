// Dense Adam (tfjs's AdamOptimizer) replayed step by step over the steps an embedding row sat out:
// the ground truth the fused engine's closed-form catch-up (src/training/fused/catch-up-rule.ts) is
// measured against, in the tests and in bench/sparse-catch-up-error.ts. A test oracle: no part of
// the package imports it.
import { ADAM_BETA1 as BETA1, ADAM_BETA2 as BETA2, ADAM_EPSILON as EPSILON } from '../../src/training/fused/optimizer.js';

/**
 * Dense Adam's displacement of one weight over zero-gradient steps t+1..T, replayed step by step in
 * double precision (the ground truth for catchUpDisplacement, src/training/fused/catch-up-rule.ts).
 *
 * @param m - first moment after step t
 * @param v - second moment after step t
 * @param t - last step the weight was updated at
 * @param T - step to replay to
 * @param lr - learning rate
 * @returns Δw
 */
export function replayDisplacement(m: number, v: number, t: number, T: number, lr: number): number {
  let d = 0;
  for (let s = t + 1; s <= T; s++) {
    m *= BETA1;
    v *= BETA2;
    d -= (lr * (m / (1 - Math.pow(BETA1, s)))) / (Math.sqrt(v / (1 - Math.pow(BETA2, s))) + EPSILON);
  }
  return d;
}
