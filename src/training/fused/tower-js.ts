// The fused engine's dense MLP tower in plain JS: the fallback where WebAssembly SIMD is missing
// (tower-wasm.ts), and the tower of models without a dense layer. Both implement `DenseTower`, so
// the kernel (kernel.ts) drives either the same way, per instance:
//
//   forward:  the kernel writes the item's MLP embedding into x[slot] (and the user's into xu when
//             the user changes: newUser = 1), and `forward` returns the tower's part of the logit,
//             w · h_L over the last layer's output, keeping the activations of the slot.
//   backward: the kernel writes the user of a new run of equal users into xrun (after `flush` of
//             the previous run); `backward(slot, dz)` adds the tower's weight gradients and writes
//             dL/dV[i] into dx[slot]; `flush` ends the run, writing dL/dU[u] into du.
//
// Forward runs layer 1 through first-layer.ts (the user half cached per run of equal users), then
// dense-layer.ts's layers; backward the reverse. Activations and gradients are Float64Array, read
// from the kernel's double-precision copy of the dense block and added into its gradient directly,
// so `load` and `store` have nothing to copy here.
//
// No tfjs here: worker threads import this file.
import type { ParamLayout } from './layout.js';
import { denseForward, liveUnits, rowsBackward } from './dense-layer.js';
import { itemHalfBackward, itemHalfForward, userHalfForward, userRunBackward } from './first-layer.js';

/** What the kernel needs of a dense tower: the JS one below, or the WebAssembly one (tower-wasm.ts). */
export interface DenseTower {
  /** Per slot: the item's MLP embedding, written by the kernel before `forward`. */
  readonly x: Float64Array[];
  /** Per slot: dL/dV[i] after `backward`. */
  readonly dx: Float64Array[];
  /** The current user's MLP embedding (written when the user changes). */
  readonly xu: Float64Array;
  /** The MLP embedding of the user whose run `backward` accumulates. */
  readonly xrun: Float64Array;
  /** dL/dU[u] of the run, after `flush`. */
  readonly du: Float64Array;
  /** The tower's part of the logit for `slot`; newUser = 1 when `xu` changed since the last call. */
  forward(slot: number, newUser: number): number;
  /** Adds the gradients of the instance in `slot` given dL/dz. */
  backward(slot: number, dz: number): void;
  /** Ends the run of equal users: dL/dU[u] into `du`. */
  flush(): void;
  /** Takes the dense block's weights for the next batch (relative to denseOffset) and zeroes the tower's gradients. */
  load(dense: Float64Array): void;
  /** Writes the tower's gradients into the dense block's gradient. */
  store(gDense: Float64Array): void;
}

/** The dense tower in JS, over the kernel's own dense block and gradient. */
export class JsTower implements DenseTower {
  readonly x: Float64Array[] = [];
  readonly dx: Float64Array[] = [];
  readonly xu: Float64Array;
  readonly xrun: Float64Array;
  readonly du: Float64Array;
  private readonly mlpWidth: number;
  /** Per slot: the activations of layers 1..L (index l - 1). */
  private readonly h: Float64Array[][] = [];
  /** Offsets in the dense block of each layer's transposed kernel and bias, and of the prediction kernel's tower part. */
  private readonly kernels: number[];
  private readonly biases: number[];
  private readonly prediction: number;
  /** Layer 1's user half for the user in `xu`. */
  private readonly pre: Float64Array;
  /** dL/da of layer 1 (or, without a dense layer, dL/dU[u]) summed over the current run of equal users. */
  private readonly run: Float64Array;
  private dh: Float64Array;
  private din: Float64Array;
  private readonly live: Int32Array;

  /**
   * @param layout - the model's parameter layout (with an MLP part)
   * @param slots - instances in flight (1 for BCE, 2 for BPR's pairs)
   * @param dense - the kernel's double-precision copy of the dense block, read in place
   * @param gDense - the dense block's gradient, added to in place
   */
  constructor(
    layout: ParamLayout,
    slots: number,
    private readonly dense: Float64Array,
    private readonly gDense: Float64Array,
  ) {
    const tower = layout.tower;
    const mlpWidth = layout.mlpWidth;
    this.mlpWidth = mlpWidth;
    const base = layout.denseOffset;
    this.kernels = layout.towerKernels.map((k) => k - base);
    this.biases = layout.towerBiases.map((b) => b - base);
    this.prediction = layout.predictionKernel - base + layout.factors;
    for (let s = 0; s < slots; s++) {
      this.x.push(new Float64Array(mlpWidth));
      this.dx.push(new Float64Array(mlpWidth));
      this.h.push(tower.slice(1).map((n) => new Float64Array(n)));
    }
    this.xu = new Float64Array(mlpWidth);
    this.xrun = new Float64Array(mlpWidth);
    this.du = new Float64Array(mlpWidth);
    this.pre = new Float64Array(tower.length > 1 ? tower[1] : 0);
    this.run = new Float64Array(tower.length > 1 ? tower[1] : mlpWidth);
    const widest = Math.max(1, ...tower);
    this.dh = new Float64Array(widest);
    this.din = new Float64Array(widest);
    this.live = new Int32Array(widest);
  }

  forward(slot: number, newUser: number): number {
    const D = this.dense;
    const P = this.prediction;
    const mlpWidth = this.mlpWidth;
    const x = this.x[slot];
    const h = this.h[slot];
    if (h.length === 0) {
      // no dense layer: the concatenated embeddings feed the prediction directly
      const xu = this.xu;
      let z = 0;
      for (let k = 0; k < mlpWidth; k++) z += xu[k] * D[P + k];
      for (let k = 0; k < mlpWidth; k++) z += x[k] * D[P + mlpWidth + k];
      return z;
    }
    if (newUser !== 0) userHalfForward(D, this.kernels[0], this.biases[0], mlpWidth, this.xu, this.pre);
    itemHalfForward(D, this.kernels[0], mlpWidth, this.pre, x, h[0]);
    for (let l = 1; l < h.length; l++) denseForward(D, this.kernels[l], this.biases[l], h[l - 1], h[l]);
    const top = h[h.length - 1];
    let z = 0;
    for (let j = 0; j < top.length; j++) z += top[j] * D[P + j];
    return z;
  }

  backward(slot: number, dz: number): void {
    const D = this.dense;
    const gD = this.gDense;
    const P = this.prediction;
    const h = this.h[slot];
    if (h.length === 0) {
      this.backwardConcatenation(slot, dz);
      return;
    }
    const top = h[h.length - 1];
    let dh = this.dh;
    let din = this.din;
    for (let j = 0; j < top.length; j++) {
      gD[P + j] += dz * top[j];
      dh[j] = dz * D[P + j];
    }
    for (let l = h.length - 1; l >= 1; l--) {
      const nLive = liveUnits(gD, this.biases[l], h[l], dh, this.live);
      rowsBackward(D, gD, this.kernels[l], h[l - 1].length, 0, h[l - 1].length, h[l - 1], dh, this.live, nLive, din);
      const t = dh;
      dh = din;
      din = t;
    }
    // layer 1: the item half now, the user half summed over the run of equal users (flush)
    itemHalfBackward(D, gD, this.kernels[0], this.biases[0], this.mlpWidth, h[0], dh, this.x[slot], this.run, this.live, this.dx[slot]);
  }

  /** Without a dense layer: the prediction kernel's gradient, dL/dV[i], and dL/dU[u] into the run. */
  private backwardConcatenation(slot: number, dz: number): void {
    const D = this.dense;
    const gD = this.gDense;
    const P = this.prediction;
    const mlpWidth = this.mlpWidth;
    const xrun = this.xrun;
    const x = this.x[slot];
    const dx = this.dx[slot];
    const run = this.run;
    for (let k = 0; k < mlpWidth; k++) {
      gD[P + k] += dz * xrun[k];
      run[k] += dz * D[P + k];
    }
    for (let k = 0; k < mlpWidth; k++) {
      gD[P + mlpWidth + k] += dz * x[k];
      dx[k] = dz * D[P + mlpWidth + k];
    }
  }

  flush(): void {
    if (this.h[0].length === 0) {
      this.du.set(this.run);
      this.run.fill(0);
      return;
    }
    userRunBackward(this.dense, this.gDense, this.kernels[0], this.mlpWidth, this.run, this.xrun, this.du);
  }

  load(): void {
    // the tower reads the kernel's dense block in place
  }

  store(): void {
    // the tower's gradients are already in the kernel's gradient block
  }
}
