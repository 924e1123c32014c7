// The first tower layer of the JS tower (tower-js.ts), split into its user half and its item half.
//
// Layer 1 is linear in [U[u] ; V[i]]: with its transposed kernel's row j = [Wu_j | Wi_j], unit j's
// pre-activation is (b_j + Wu_j · U[u]) + Wi_j · V[i]. The sampler emits each positive followed by
// its negatives, all of the same user, so the user half (the parenthesis) is computed once per run
// of equal users and reused (`userHalfForward`). Backward, the user half's part (the weight
// gradient of Wu and dL/dU[u]) is taken once per run on the summed dL/da (`userRunBackward`), and
// the item half's per instance (`itemHalfBackward`): the same sums in another order, for about a
// third less arithmetic per instance.
//
// No tfjs here: worker threads import this file.
import { liveUnits, rowsBackward, rowsForward } from './dense-layer.js';

/**
 * pre = b + Wu · xu: the user half of layer 1's pre-activation.
 *
 * @param D - the dense block
 * @param W - offset of layer 1's transposed kernel [pre.length][2 · mlpWidth]
 * @param b - offset of its bias
 * @param mlpWidth - width of one MLP embedding
 * @param xu - the user's MLP embedding
 * @param pre - receives the user half, one number per unit
 */
export function userHalfForward(D: Float64Array, W: number, b: number, mlpWidth: number, xu: Float64Array, pre: Float64Array): void {
  const nIn = 2 * mlpWidth;
  for (let j = 0; j < pre.length; j++) {
    const row = W + j * nIn;
    let s0 = 0;
    let s1 = 0;
    let k = 0;
    for (; k + 1 < mlpWidth; k += 2) {
      s0 += xu[k] * D[row + k];
      s1 += xu[k + 1] * D[row + k + 1];
    }
    if (k < mlpWidth) s0 += xu[k] * D[row + k];
    pre[j] = D[b + j] + (s0 + s1);
  }
}

/**
 * hout = relu(pre + Wi · x): layer 1 from the user half and the item's MLP embedding.
 *
 * @param D - the dense block
 * @param W - offset of layer 1's transposed kernel
 * @param mlpWidth - width of one MLP embedding
 * @param pre - the user half, from {@link userHalfForward}
 * @param x - the item's MLP embedding
 * @param hout - receives the layer's output
 */
export function itemHalfForward(D: Float64Array, W: number, mlpWidth: number, pre: Float64Array, x: Float64Array, hout: Float64Array): void {
  rowsForward(D, W, 2 * mlpWidth, mlpWidth, mlpWidth, x, pre, 0, hout);
}

/**
 * Layer 1's backward for one instance: the bias gradient, the item half's weight gradient and
 * dL/dV[i] into `dx`; dL/da is added to `run` for the user half ({@link userRunBackward}).
 *
 * @param D - the dense block
 * @param gD - its gradient
 * @param W - offset of layer 1's transposed kernel
 * @param b - offset of its bias
 * @param mlpWidth - width of one MLP embedding
 * @param hout - the layer's output in the forward pass
 * @param dh - dL/dhout
 * @param x - the item's MLP embedding
 * @param run - dL/da summed over the current run of equal users
 * @param live - scratch, at least hout.length entries
 * @param dx - receives dL/dV[i]
 */
export function itemHalfBackward(
  D: Float64Array,
  gD: Float64Array,
  W: number,
  b: number,
  mlpWidth: number,
  hout: Float64Array,
  dh: Float64Array,
  x: Float64Array,
  run: Float64Array,
  live: Int32Array,
  dx: Float64Array,
): void {
  const nLive = liveUnits(gD, b, hout, dh, live);
  for (let q = 0; q < nLive; q++) run[live[q]] += dh[live[q]];
  rowsBackward(D, gD, W, 2 * mlpWidth, mlpWidth, mlpWidth, x, dh, live, nLive, dx);
}

/**
 * Layer 1's user half backward for a finished run of equal users: adds d_j xrun to the user half of
 * kernel row j, writes dL/dU[u] = Σ_j d_j Wu_j into `du`, and zeroes `run` for the next run.
 *
 * @param D - the dense block
 * @param gD - its gradient
 * @param W - offset of layer 1's transposed kernel
 * @param mlpWidth - width of one MLP embedding
 * @param run - dL/da summed over the run (zeroed on return)
 * @param xrun - the run's user's MLP embedding
 * @param du - receives dL/dU[u]
 */
export function userRunBackward(D: Float64Array, gD: Float64Array, W: number, mlpWidth: number, run: Float64Array, xrun: Float64Array, du: Float64Array): void {
  const nIn = 2 * mlpWidth;
  du.fill(0);
  for (let j = 0; j < run.length; j++) {
    const d = run[j];
    if (d === 0) continue;
    run[j] = 0;
    const row = W + j * nIn;
    for (let k = 0; k < mlpWidth; k++) {
      gD[row + k] += d * xrun[k];
      du[k] += d * D[row + k];
    }
  }
}
