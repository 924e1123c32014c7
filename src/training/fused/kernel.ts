// The fast single-threaded kernel of the fused engine: the math of the readable reference
// (test/oracles/ncf-reference.ts), fused per instance.
//
// Why it is shaped this way:
// - Per instance, not per batch. BCE's dL/dz depends only on the instance's own logit (and BPR's on
//   its pair), so each instance runs forward and backward back to back while its ~150 activations
//   are still in registers/L1, and no [batch x width] activation matrices exist at all. The dense
//   gradients (about 2,800 numbers for the paper's NeuMF) stay in L1 for the whole batch.
// - This file holds the per-instance GMF part, the loss and the batch drivers. The dense MLP tower
//   is a `DenseTower` (tower-js.ts): WebAssembly SIMD (tower-wasm.ts, given as `tower`: the same
//   per-instance math on a private double-precision copy of the tower's weights, with the sums in
//   another order, equal to ~1e-15 relative) or the JS fallback (tower-js.ts, with first-layer.ts
//   and dense-layer.ts), which caches the user half of the first layer per run of equal users.
// - Embedding gradients go to per-batch slots (row-gradients.ts), and the optimizer (optimizer.ts)
//   then updates exactly those rows; the rows a batch skips catch up in closed form when next read
//   (dense Adam, catch-up.ts; or stay put with rows: 'lazy'). Cost per step is proportional to the
//   batch, never to the size of the tables.
// - Nothing is allocated per batch or per instance; activations and gradients are Float64Array
//   (no float32 rounding inside a step, and no conversions in the inner loops); weights and Adam
//   moments are Float32Array as in tfjs, possibly views of a SharedArrayBuffer (worker threads).
// - The same instance order always gives the same arithmetic: one thread is bit-for-bit
//   deterministic.
//
// No tfjs here: worker threads import this file.
import type { ParamLayout } from './layout.js';
import type { SimdJump } from './catch-up-wasm.js';
import { RowCatchUp } from './catch-up.js';
import { FeatureRows } from './feature-rows.js';
import { Optimizer } from './optimizer.js';
import { RowGradients } from './row-gradients.js';
import { CONTROL_STEP } from './store.js';
import { JsTower, type DenseTower } from './tower-js.js';
import type { KernelKind, WasmTower } from './tower-wasm.js';

/** Hyper-parameters of a kernel. */
export interface KernelOptions {
  loss: 'bce' | 'bpr';
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  /**
   * Adam on the embedding tables: 'dense' (default) catches a row up on the steps it sat out
   * (catch-up.ts), as tfjs's dense Adam moves it; 'lazy' leaves it where it was (LazyAdam).
   */
  rows?: 'dense' | 'lazy';
  /**
   * L2 penalties on dense kernels (a Dense layer's `kernelRegularizer`, tfjs's `l2 * sum(W^2)`
   * added to every batch's loss): each kernel's place in the dense block and its `l2`. Absent or
   * empty: no penalty.
   */
  kernelL2?: readonly KernelPenalty[];
}

/** An L2 penalty on one dense kernel: `l2 * sum(W^2)` over `length` weights from `offset`. */
export interface KernelPenalty {
  /** Offset of the kernel's first weight in the dense block (not the flat array). */
  offset: number;
  /** Number of weights of the kernel. */
  length: number;
  /** The penalty's factor, > 0. */
  l2: number;
}

/** The trained numbers: weights and, for Adam, the two moments (same layout). */
export interface KernelStore {
  params: Float32Array;
  /** Adam's first moments. */
  m: Float32Array | null;
  /** The square roots of Adam's second moments, sqrt(v) (the catch-up then needs no square root). */
  rms: Float32Array | null;
  /**
   * Dense Adam: per table row (users, items, side-feature rows) the step a catch-up brought its
   * weights to and the step its moments are from (2 × `layout.tableRows` entries, shared between threads; see
   * catch-up.ts); the kernel allocates its own when absent.
   */
  rowSteps?: Int32Array | null;
  /**
   * Side features: each field's fixed index of entity value rows (`layout.fields` order, see
   * feature-rows.ts; read with `readFeatureIndex`). Not trained; absent without side features.
   */
  featureIndex?: readonly Int32Array[];
  /**
   * The dense-Adam catch-up's jump in WebAssembly, instantiated on the memory these arrays live in
   * (catch-up-wasm.ts; their offsets must be store.ts's), or absent: the JS jump runs.
   */
  simd?: SimdJump | null;
}

/**
 * Forward, backward and optimizer step of a standard NCF model over a flat parameter array.
 */
export class FusedKernel {
  readonly layout: ParamLayout;
  readonly store: KernelStore;
  readonly options: KernelOptions;
  /** Which implementation computes the dense tower. */
  readonly kind: KernelKind;

  private readonly factors: number;
  private readonly mlpWidth: number;
  /** Per slot (1 for BCE, 2 for BPR's pairs): the GMF product of the instance in flight. */
  private readonly gmf: Float64Array[] = [];
  /** The dense tower (WebAssembly or JS), or null without an MLP part. */
  private readonly tower: DenseTower | null;
  /** User whose MLP embedding is in the tower's `xu` (-1: none). */
  private preUser = -1;
  /** Current run of equal users in the backward pass, and its gradient row. */
  private groupUser = -1;
  private groupRow = 0;
  /** Gradient of the dense block (tower + prediction). */
  private readonly gDense: Float64Array;
  /** Double-precision copy of the dense block for the current batch (no conversions in hot loops). */
  private readonly dense: Float64Array;
  /** Gradients of the table rows the batch touches. */
  private readonly rows: RowGradients;
  private readonly optimizer: Optimizer;
  /** Side-feature fields (pooling and their rows' gradients), or null without side features. */
  private readonly features: FeatureRows | null;
  /**
   * Where forward and backward read the id tables' rows: the weights themselves, or with side
   * features a private copy of the id tables holding each entity's pooled vector (feature-rows.ts).
   */
  private readonly tables: Float32Array;
  /** Dense-Adam catch-up of skipped rows, or null (lazy Adam, SGD). */
  private readonly catchUp: RowCatchUp | null;
  /** Control block whose CONTROL_STEP counts the steps every thread has taken, or null (one thread). */
  private readonly clock: Int32Array | null;
  /** Without a clock: the last step given to {@link apply}. */
  private lastStep = 0;

  /**
   * @param layout - where each weight lives in `store.params`
   * @param store - weights and Adam moments (moments may be null for SGD)
   * @param options - loss, optimizer and learning rate
   * @param tower - a WebAssembly tower instantiated for this layout with 1 slot (BCE) or 2 (BPR), or
   *   null to compute the tower in JS (also what models without a dense layer use)
   * @param clock - the shared control block (Hogwild: the global step count says how far to catch
   *   rows up before a batch reads them), or null on one thread
   */
  constructor(layout: ParamLayout, store: KernelStore, options: KernelOptions, tower: WasmTower | null = null, clock: Int32Array | null = null) {
    this.layout = layout;
    this.store = store;
    this.options = options;
    const adam = options.optimizer === 'adam';
    if (adam && (store.m === null || store.rms === null)) {
      throw new TypeError('FusedKernel: Adam needs moment arrays');
    }
    this.factors = layout.factors;
    this.mlpWidth = layout.mlpWidth;
    const slots = options.loss === 'bpr' ? 2 : 1;
    for (let s = 0; s < slots; s++) this.gmf.push(new Float64Array(this.factors));
    this.gDense = new Float64Array(layout.denseLength);
    this.dense = new Float64Array(layout.denseLength);
    const wasm = layout.tower.length > 1 ? tower : null;
    if (wasm !== null && wasm.x.length < slots) throw new TypeError(`FusedKernel: the tower needs ${slots} slots`);
    this.kind = wasm === null ? 'js' : 'wasm-simd';
    this.tower = this.mlpWidth === 0 ? null : (wasm ?? new JsTower(layout, slots, this.dense, this.gDense));
    this.loadDense();
    this.rows = new RowGradients(layout.numUsers, layout.numItems, this.factors + this.mlpWidth);
    this.features = layout.fields.length === 0 ? null : new FeatureRows(layout, store.featureIndex ?? []);
    this.tables = this.features === null ? store.params : new Float32Array(layout.idTablesEnd);
    this.clock = clock;
    this.catchUp =
      adam && options.rows !== 'lazy'
        ? new RowCatchUp(layout, store.params, store.m!, store.rms!, store.rowSteps ?? new Int32Array(2 * layout.tableRows), options.learningRate, store.simd ?? null)
        : null;
    this.optimizer = new Optimizer(layout, store.params, adam ? store.m : null, adam ? store.rms : null, options.learningRate, this.catchUp, this.features);
  }

  /** Steps taken so far by every thread. */
  private stepsDone(): number {
    return this.clock === null ? this.lastStep : Atomics.load(this.clock, CONTROL_STEP);
  }

  /**
   * Dense Adam: brings every table row up to `step` (the steps taken so far), as at the end of an
   * epoch before the weights are handed back. No-op for lazy Adam and SGD.
   *
   * @param step - steps taken so far (default: as many as this kernel knows of)
   */
  catchUpAll(step = this.stepsDone()): void {
    this.catchUp?.all(step);
  }

  /**
   * Readies the rows a batch reads. Dense Adam: catches their weights up to the steps taken so far
   * (their moments catch up in {@link apply}, folded into the optimizer's update of the same rows).
   * Side features: then writes each user's and item's pooled vector into `this.tables`
   * (feature-rows.ts), which the passes read instead of the id rows.
   */
  private prepareRows(users: Int32Array, a: Int32Array, b: Int32Array | null, n: number): void {
    const cu = this.catchUp;
    const S = cu === null && this.features === null ? 0 : this.stepsDone();
    if (cu !== null && S > 0) {
      let last = -1;
      for (let k = 0; k < n; k++) {
        // the sampler emits runs of equal users: one call per run
        const u = users[k];
        if (u !== last) cu.readUser(u, S);
        last = u;
        cu.readItem(a[k], S);
        if (b !== null) cu.readItem(b[k], S);
      }
    }
    const fr = this.features;
    if (fr === null) return;
    const P = this.store.params;
    const T = this.tables;
    fr.begin();
    for (let k = 0; k < n; k++) {
      fr.poolUser(users[k], P, T, cu, S);
      fr.poolItem(a[k], P, T, cu, S);
      if (b !== null) fr.poolItem(b[k], P, T, cu, S);
    }
  }

  /** The logit of (u, i); keeps the activations of `slot` for {@link backward}. */
  private forward(slot: number, u: number, i: number): number {
    const P = this.tables;
    const D = this.dense;
    const L = this.layout;
    const factors = this.factors;
    const pk = L.predictionKernel - L.denseOffset;
    let z = D[L.predictionBias - L.denseOffset];
    if (factors > 0) {
      const g = this.gmf[slot];
      const pu = L.gmfUser + u * factors;
      const qi = L.gmfItem + i * factors;
      for (let f = 0; f < factors; f++) {
        const gf = P[pu + f] * P[qi + f];
        g[f] = gf;
        z += gf * D[pk + f];
      }
    }
    const tw = this.tower;
    if (tw === null) return z;
    const mlpWidth = this.mlpWidth;
    const x = tw.x[slot];
    const mi = L.mlpItem + i * mlpWidth;
    for (let k = 0; k < mlpWidth; k++) x[k] = P[mi + k];
    let newUser = 0;
    if (u !== this.preUser) {
      const xu = tw.xu;
      const mu = L.mlpUser + u * mlpWidth;
      for (let k = 0; k < mlpWidth; k++) xu[k] = P[mu + k];
      this.preUser = u;
      newUser = 1;
    }
    return z + tw.forward(slot, newUser);
  }

  /** Adds the gradients of (u, i) given dL/dz, using the activations of `slot`. */
  private backward(slot: number, u: number, i: number, dz: number): void {
    const P = this.tables;
    const D = this.dense;
    const L = this.layout;
    const factors = this.factors;
    const gD = this.gDense;
    const rows = this.rows;
    const pk = L.predictionKernel - L.denseOffset;
    gD[L.predictionBias - L.denseOffset] += dz;
    const ur = rows.userRow(u);
    const ir = rows.itemRow(i);
    const gU = rows.gUser;
    const gI = rows.gItem;
    if (factors > 0) {
      const g = this.gmf[slot];
      const pu = L.gmfUser + u * factors;
      const qi = L.gmfItem + i * factors;
      for (let f = 0; f < factors; f++) {
        gD[pk + f] += dz * g[f];
        const dg = dz * D[pk + f];
        gU[ur + f] += dg * P[qi + f];
        gI[ir + f] += dg * P[pu + f];
      }
    }
    const tw = this.tower;
    if (tw === null) return;
    const mlpWidth = this.mlpWidth;
    if (u !== this.groupUser) {
      // a new run of equal users: the tower takes the user half of layer 1 once per run
      this.flushUserRun();
      this.groupUser = u;
      this.groupRow = ur;
      const xr = tw.xrun;
      const mu = L.mlpUser + u * mlpWidth;
      for (let k = 0; k < mlpWidth; k++) xr[k] = P[mu + k];
    }
    tw.backward(slot, dz);
    const dx = tw.dx[slot];
    const io = ir + factors;
    for (let k = 0; k < mlpWidth; k++) gI[io + k] += dx[k];
  }

  /** Adds dL/dU[u] of the finished run of equal users to its gradient row. */
  private flushUserRun(): void {
    if (this.groupUser < 0) return;
    this.groupUser = -1;
    const tw = this.tower!;
    tw.flush();
    const du = tw.du;
    const gU = this.rows.gUser;
    const at = this.groupRow + this.factors;
    for (let k = 0; k < this.mlpWidth; k++) gU[at + k] += du[k];
  }

  /** Refreshes the double-precision copy of the dense block from the weights. */
  private loadDense(): void {
    const P = this.store.params;
    const D = this.dense;
    const base = this.layout.denseOffset;
    for (let k = 0; k < D.length; k++) D[k] = P[base + k];
    this.tower?.load(D);
  }

  private begin(users: number, items: number): void {
    this.rows.begin(users, items);
    this.preUser = -1;
    this.groupUser = -1;
    this.gDense.fill(0);
    // other threads (Hogwild) or the model (syncFromModel) may have changed the weights
    this.loadDense();
  }

  /**
   * Ends a batch's gradients: the last run of users, the tower's gradients into the dense block's,
   * and with side features the entities' gradients spread over their value rows.
   */
  private end(): number {
    this.flushUserRun();
    this.tower?.store(this.gDense);
    this.features?.distribute(this.rows);
    return this.kernelPenalties();
  }

  /**
   * Adds the dense kernels' L2 penalties' gradients (2 l2 W, once per batch, as tfjs adds
   * `l2 * sum(W^2)` to each batch's loss) to the dense block's gradient.
   *
   * @returns the penalties' sum, the batch's loss term
   */
  private kernelPenalties(): number {
    const penalties = this.options.kernelL2;
    if (penalties === undefined) return 0;
    const D = this.dense;
    const gD = this.gDense;
    let total = 0;
    for (const { offset, length, l2 } of penalties) {
      let sum = 0;
      const twice = 2 * l2;
      for (let k = offset; k < offset + length; k++) {
        const w = D[k];
        sum += w * w;
        gD[k] += twice * w;
      }
      total += l2 * sum;
    }
    return total;
  }

  /**
   * Computes the mean BCE loss of a pointwise batch and accumulates its gradients (no update).
   *
   * @param users - user of each instance
   * @param items - item of each instance
   * @param labels - 1 for a positive, 0 for a negative
   * @param weights - optional weight c of each instance: the loss is then the mean of c times each loss
   * @param n - instances to use (default: all)
   * @returns the batch's mean loss, plus the kernels' L2 penalties
   */
  gradientsBce(users: Int32Array, items: Int32Array, labels: Float32Array, weights?: Float32Array, n = users.length): number {
    this.prepareRows(users, items, null, n);
    this.begin(n, n);
    const scale = 1 / n;
    let loss = 0;
    for (let b = 0; b < n; b++) {
      const u = users[b];
      const i = items[b];
      const z = this.forward(0, u, i);
      const y = labels[b];
      const c = weights === undefined ? 1 : weights[b];
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      loss += c * ((z > 0 ? z : 0) + Math.log1p(e) - y * z);
      this.backward(0, u, i, (p - y) * scale * c);
    }
    return loss * scale + this.end();
  }

  /**
   * Computes the mean BPR loss of a pairwise batch and accumulates its gradients (no update).
   *
   * @param users - user of each pair
   * @param positives - the pair's positive item
   * @param negatives - the pair's negative item
   * @param weights - optional weight c of each pair: the loss is then the mean of c times each loss
   * @param n - pairs to use (default: all)
   * @returns the batch's mean loss, plus the kernels' L2 penalties
   */
  gradientsBpr(users: Int32Array, positives: Int32Array, negatives: Int32Array, weights?: Float32Array, n = users.length): number {
    this.prepareRows(users, positives, negatives, n);
    this.begin(n, 2 * n);
    const scale = 1 / n;
    let loss = 0;
    for (let b = 0; b < n; b++) {
      const u = users[b];
      const d = this.forward(0, u, positives[b]) - this.forward(1, u, negatives[b]);
      // -log σ(d) = softplus(-d); dL/dd = -σ(-d)
      const e = Math.exp(-Math.abs(d));
      const sNeg = d >= 0 ? e / (1 + e) : 1 / (1 + e);
      const c = weights === undefined ? 1 : weights[b];
      loss += c * ((d < 0 ? -d : 0) + Math.log1p(e));
      const dd = -sNeg * scale * c;
      this.backward(0, u, positives[b], dd);
      this.backward(1, u, negatives[b], -dd);
    }
    return loss * scale + this.end();
  }

  /**
   * Applies the optimizer to the gradients accumulated by the last `gradients*` call: every dense
   * weight, and the touched rows of the tables only (dense Adam catches the others up when they are
   * next read, see catch-up.ts).
   *
   * @param step - 1-based global step count, for Adam's bias correction
   */
  apply(step: number): void {
    if (step > this.lastStep) this.lastStep = step;
    this.optimizer.apply(step, this.gDense, this.rows);
    this.rows.release();
    this.features?.release();
  }

  /**
   * The gradients accumulated by the last `gradients*` call, in the flat layout (tables full-size,
   * kernels transposed), for tests and debugging. Call before {@link apply}.
   *
   * @returns a fresh Float64Array of `layout.length` elements
   */
  flatGradients(): Float64Array {
    const L = this.layout;
    const out = new Float64Array(L.length);
    out.set(this.gDense, L.denseOffset);
    this.rows.writeFlat(L, out);
    this.features?.writeFlat(out);
    return out;
  }

  /**
   * Logit of (u, i) under the current weights (no gradient), for tests.
   *
   * @param u - user index
   * @param i - item index
   * @returns z, the pre-sigmoid score
   */
  logit(u: number, i: number): number {
    this.loadDense();
    this.preUser = -1;
    if (this.features !== null) {
      this.features.begin();
      this.features.poolUser(u, this.store.params, this.tables, null, 0);
      this.features.poolItem(i, this.store.params, this.tables, null, 0);
    }
    return this.forward(0, u, i);
  }
}
