// The fused engine's optimizer step: SGD, or Adam exactly as tfjs's AdamOptimizer, over the dense
// block (every weight, every step) and over the table rows the batch touched (row-gradients.ts).
// With dense Adam (the default) a row's moments also decay over the steps it sat out, in the same
// pass as its update (catch-up.ts moved its weights over those steps when the batch read it); with
// lazy Adam a row moves only at the steps whose batch touches it.
//
// The second moments are kept as their square roots (`rms`: sqrt(v), see store.ts): the update
// takes one square root per element as before (of the new v), and the catch-up of a row's skipped
// steps, which reads sqrt(v) of every element of every row a batch reads, takes none.
//
// No tfjs here: worker threads import this file.
import type { ParamLayout } from './layout.js';
import type { RowCatchUp } from './catch-up.js';
import type { FeatureRows } from './feature-rows.js';
import type { RowGradients } from './row-gradients.js';

/** tfjs's Adam defaults (`tf.train.adam`): first-moment decay β1. */
export const ADAM_BETA1 = 0.9;
/** Second-moment decay β2. */
export const ADAM_BETA2 = 0.999;
/** The ε added to sqrt(v̂). */
export const ADAM_EPSILON = 1e-7;

// module-level copies: hot loops then read plain constants, not imported bindings
const BETA1 = ADAM_BETA1;
const BETA2 = ADAM_BETA2;
const EPSILON = ADAM_EPSILON;

/** One optimizer over one flat parameter array (and, for Adam, its two moment arrays). */
export class Optimizer {
  private readonly factors: number;
  private readonly mlpWidth: number;

  /**
   * @param layout - where the tables and the dense block live
   * @param params - the weights
   * @param m - Adam's first moments (same layout), null for SGD
   * @param rms - the square roots of Adam's second moments (same layout), null for SGD
   * @param learningRate - the step size
   * @param catchUp - dense Adam's per-row bookkeeping (the moments' decay over skipped steps), or
   *   null for lazy Adam and SGD
   * @param features - the side-feature fields, whose touched value rows each step also updates
   *   (their gradients are in its slots), or null
   */
  constructor(
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    private readonly m: Float32Array | null,
    private readonly rms: Float32Array | null,
    private readonly learningRate: number,
    private readonly catchUp: RowCatchUp | null,
    private readonly features: FeatureRows | null = null,
  ) {
    this.factors = layout.factors;
    this.mlpWidth = layout.mlpWidth;
  }

  /**
   * Applies one step: every dense weight from `gDense`, and the rows in `rows` (which stay
   * assigned: the caller releases them).
   *
   * @param step - 1-based global step count, for Adam's bias correction
   * @param gDense - gradient of the dense block (relative to `layout.denseOffset`)
   * @param rows - the batch's table rows and their gradients
   */
  apply(step: number, gDense: Float64Array, rows: RowGradients): void {
    const L = this.layout;
    if (this.m === null || this.rms === null) {
      const lr = this.learningRate;
      const P = this.params;
      const base = L.denseOffset;
      for (let k = 0; k < L.denseLength; k++) P[base + k] -= lr * gDense[k];
      this.sgdRows(rows.users, rows.numUsers, rows.gUser, L.gmfUser, L.mlpUser);
      this.sgdRows(rows.items, rows.numItems, rows.gItem, L.gmfItem, L.mlpItem);
      for (const f of this.features?.fields ?? []) this.sgdRows(f.which, f.count, f.g, f.field.gmf, f.field.mlp);
      return;
    }
    const c1 = 1 - Math.pow(BETA1, step);
    const c2 = 1 - Math.pow(BETA2, step);
    adamRow(this.params, this.m, this.rms, L.denseOffset, gDense, 0, L.denseLength, this.learningRate, c1, c2, BETA1, BETA2);
    this.adamRows(rows.users, rows.numUsers, rows.gUser, L.gmfUser, L.mlpUser, 0, step, c1, c2);
    this.adamRows(rows.items, rows.numItems, rows.gItem, L.gmfItem, L.mlpItem, L.numUsers, step, c1, c2);
    for (const f of this.features?.fields ?? []) this.adamRows(f.which, f.count, f.g, f.field.gmf, f.field.mlp, f.field.first, step, c1, c2);
  }

  /** SGD on `count` rows of one side (users or items), whose gradients sit in `g` by slot. */
  private sgdRows(which: Int32Array, count: number, g: Float64Array, gmf: number, mlp: number): void {
    const P = this.params;
    const lr = this.learningRate;
    const factors = this.factors;
    const mlpWidth = this.mlpWidth;
    const width = factors + mlpWidth;
    for (let s = 0; s < count; s++) {
      const r = which[s];
      sgdRow(P, gmf + r * factors, g, s * width, factors, lr);
      sgdRow(P, mlp + r * mlpWidth, g, s * width + factors, mlpWidth, lr);
    }
  }

  /**
   * Adam on `count` rows of one side. Dense Adam: a row's moments decay over every step since they
   * were last updated (the steps it sat out, which the catch-up moved its weights over when the
   * batch read it, and on several threads the steps other threads took since then) in the same
   * pass as the update. Lazy Adam: one step's decay.
   *
   * @param first - the side's first row index in the catch-up's row numbering (users, then items)
   */
  private adamRows(which: Int32Array, count: number, g: Float64Array, gmf: number, mlp: number, first: number, step: number, c1: number, c2: number): void {
    const P = this.params;
    const m = this.m!;
    const rms = this.rms!;
    const lr = this.learningRate;
    const factors = this.factors;
    const mlpWidth = this.mlpWidth;
    const width = factors + mlpWidth;
    const cu = this.catchUp;
    const p1 = cu === null ? null : cu.beta1Powers;
    const p2 = cu === null ? null : cu.beta2Powers;
    let b1 = BETA1;
    let b2 = BETA2;
    for (let s = 0; s < count; s++) {
      const r = which[s];
      if (cu !== null) {
        const k = cu.touch(first + r, step);
        b1 = k < p1!.length ? p1![k] : Math.pow(BETA1, k);
        b2 = k < p2!.length ? p2![k] : Math.pow(BETA2, k);
      }
      if (factors > 0) adamRow(P, m, rms, gmf + r * factors, g, s * width, factors, lr, c1, c2, b1, b2);
      if (mlpWidth > 0) adamRow(P, m, rms, mlp + r * mlpWidth, g, s * width + factors, mlpWidth, lr, c1, c2, b1, b2);
    }
  }
}

function sgdRow(P: Float32Array, at: number, g: Float64Array, gAt: number, n: number, lr: number): void {
  for (let k = 0; k < n; k++) P[at + k] -= lr * g[gAt + k];
}

/**
 * tfjs's Adam update on P[at .. at+n) with gradients g[gAt ..]; the old moments are multiplied by b1
 * and b2 (β1 and β2, or their powers when the moments also decay over steps the row sat out). The
 * second moments are read and written as their square roots (`rms`).
 */
function adamRow(
  P: Float32Array,
  m: Float32Array,
  rms: Float32Array,
  at: number,
  g: Float64Array,
  gAt: number,
  n: number,
  lr: number,
  c1: number,
  c2: number,
  b1: number,
  b2: number,
): void {
  const a1 = 1 - BETA1;
  const a2 = 1 - BETA2;
  // w -= lr * m̂ / (sqrt(v̂) + eps), m̂ = m / c1, v̂ = v / c2, so sqrt(v̂) = sqrt(v) · sqrt(1 / c2)
  const ic1 = 1 / c1;
  const ric2 = Math.sqrt(1 / c2);
  const eps = EPSILON;
  for (let k = 0; k < n; k++) {
    const gk = g[gAt + k];
    const idx = at + k;
    const mk = b1 * m[idx] + a1 * gk;
    const r = rms[idx];
    const rk = Math.sqrt(b2 * (r * r) + a2 * gk * gk);
    m[idx] = mk;
    rms[idx] = rk;
    P[idx] -= (lr * (mk * ic1)) / (rk * ric2 + eps);
  }
}
