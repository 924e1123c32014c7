// One dense ReLU layer of the JS tower (tower-js.ts), forward and backward, over a double-precision
// copy of the dense block. Kernels are stored transposed ([out][in], layout.ts), so the forward
// pass is a dot product over contiguous memory and the backward pass two axpys over the same row
// (weight gradient and input gradient), skipping the units the ReLU switched off (about half).
// Four units at a time: each input is loaded once for four weights, and the four sums are
// independent dependency chains.
//
// No tfjs here: worker threads import this file.

/**
 * hout = relu(W hin + b).
 *
 * @param D - the dense block
 * @param W - offset in D of the transposed kernel [hout.length][hin.length]
 * @param b - offset in D of the bias
 * @param hin - the layer's input
 * @param hout - receives the layer's output
 */
export function denseForward(D: Float64Array, W: number, b: number, hin: Float64Array, hout: Float64Array): void {
  rowsForward(D, W, hin.length, 0, hin.length, hin, D, b, hout);
}

/**
 * hout_j = relu(start_j + W[j] · x) over `n` columns of the transposed kernel's rows from column
 * `col` (a whole layer: start = the bias; the item half of layer 1: start = its user half).
 *
 * @param D - the dense block
 * @param W - offset of the kernel; row j starts at W + j * stride
 * @param stride - inputs per kernel row
 * @param col - first column used
 * @param n - columns used
 * @param x - the inputs of those columns
 * @param start - where each unit's sum starts: start[at + j]
 * @param at - offset in `start`
 * @param hout - receives the output
 */
export function rowsForward(
  D: Float64Array,
  W: number,
  stride: number,
  col: number,
  n: number,
  x: Float64Array,
  start: Float64Array,
  at: number,
  hout: Float64Array,
): void {
  const nOut = hout.length;
  let j = 0;
  for (; j + 3 < nOut; j += 4) {
    const r0 = W + j * stride + col;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    let s0 = start[at + j];
    let s1 = start[at + j + 1];
    let s2 = start[at + j + 2];
    let s3 = start[at + j + 3];
    for (let k = 0; k < n; k++) {
      const xk = x[k];
      s0 += xk * D[r0 + k];
      s1 += xk * D[r1 + k];
      s2 += xk * D[r2 + k];
      s3 += xk * D[r3 + k];
    }
    hout[j] = s0 > 0 ? s0 : 0;
    hout[j + 1] = s1 > 0 ? s1 : 0;
    hout[j + 2] = s2 > 0 ? s2 : 0;
    hout[j + 3] = s3 > 0 ? s3 : 0;
  }
  for (; j < nOut; j++) {
    const row = W + j * stride + col;
    let s0 = start[at + j];
    for (let k = 0; k < n; k++) s0 += x[k] * D[row + k];
    hout[j] = s0 > 0 ? s0 : 0;
  }
}

/**
 * Collects the units the ReLU let through with a non-zero gradient (relu' = 0 elsewhere: those
 * contribute nothing below) and adds their bias gradients.
 *
 * @param gD - the dense block's gradient (same offsets as the dense block)
 * @param b - offset of the bias
 * @param hout - the layer's output (a unit is live where it is positive)
 * @param dh - dL/dhout
 * @param live - receives the live units
 * @returns how many units are live
 */
export function liveUnits(gD: Float64Array, b: number, hout: Float64Array, dh: Float64Array, live: Int32Array): number {
  let nLive = 0;
  for (let j = 0; j < hout.length; j++) {
    const da = dh[j];
    if (hout[j] > 0 && da !== 0) {
      gD[b + j] += da;
      live[nLive++] = j;
    }
  }
  return nLive;
}

/**
 * Backward through the live units of a transposed kernel's rows: adds da_j x to row j's weight
 * gradient and writes din = Σ_j da_j W[j] (over `n` inputs starting at column `col`).
 *
 * @param D - the dense block
 * @param gD - its gradient
 * @param W - offset of the kernel; row j starts at W + j * stride
 * @param stride - inputs per kernel row
 * @param col - first column of the rows used
 * @param n - columns used
 * @param x - the inputs of those columns
 * @param dh - dL/da per unit
 * @param live - the units to visit, `nLive` of them
 * @param din - receives dL/dx (n entries)
 */
export function rowsBackward(
  D: Float64Array,
  gD: Float64Array,
  W: number,
  stride: number,
  col: number,
  n: number,
  x: Float64Array,
  dh: Float64Array,
  live: Int32Array,
  nLive: number,
  din: Float64Array,
): void {
  din.fill(0, 0, n);
  let q = 0;
  // four units at a time: x and din are loaded once per four rows
  for (; q + 3 < nLive; q += 4) {
    const j0 = live[q];
    const j1 = live[q + 1];
    const j2 = live[q + 2];
    const j3 = live[q + 3];
    const d0 = dh[j0];
    const d1 = dh[j1];
    const d2 = dh[j2];
    const d3 = dh[j3];
    const r0 = W + j0 * stride + col;
    const r1 = W + j1 * stride + col;
    const r2 = W + j2 * stride + col;
    const r3 = W + j3 * stride + col;
    for (let k = 0; k < n; k++) {
      const xk = x[k];
      gD[r0 + k] += d0 * xk;
      gD[r1 + k] += d1 * xk;
      gD[r2 + k] += d2 * xk;
      gD[r3 + k] += d3 * xk;
      din[k] += d0 * D[r0 + k] + d1 * D[r1 + k] + (d2 * D[r2 + k] + d3 * D[r3 + k]);
    }
  }
  for (; q < nLive; q++) {
    const j = live[q];
    const da = dh[j];
    const row = W + j * stride + col;
    for (let k = 0; k < n; k++) {
      gD[row + k] += da * x[k];
      din[k] += da * D[row + k];
    }
  }
}
