// The fast single-threaded kernel of the fused engine: the math of reference.ts, fused per instance.
//
// Why it is shaped this way:
// - Per instance, not per batch. BCE's dL/dz depends only on the instance's own logit (and BPR's on
//   its pair), so each instance runs forward and backward back to back while its ~150 activations
//   are still in registers/L1, and no [batch x width] activation matrices exist at all. The dense
//   gradients (about 2,800 numbers for the paper's NeuMF) stay in L1 for the whole batch.
// - Kernels are stored transposed ([out][in], see layout.ts), so the forward pass is a dot product
//   over contiguous memory and the backward pass two axpys over the same row (weight gradient and
//   input gradient), skipping units the ReLU switched off (about half of them).
// - Embedding gradients go to per-batch "slots": the first time a batch touches a row it gets the
//   next slot (duplicates in a batch sum into the same slot), and the optimizer then updates exactly
//   those rows and releases them; the rows a batch skips catch up in closed form when next read
//   (dense Adam, catch-up.ts; or stay put with rows: 'lazy'). Cost per step is proportional to the
//   batch, never to the size of the tables.
// - The first tower layer is linear in [U[u] ; V[i]], so it splits into a user half and an item
//   half. The sampler emits each positive followed by its negatives, all of the same user, so the
//   user half of the pre-activation is computed once per run of equal users and reused, and its
//   backward part (weight gradient and dL/dU[u]) is taken once per run on the summed dL/da: the
//   same sums in another order, for about a third less arithmetic per instance.
// - Nothing is allocated per batch or per instance; activations and gradients are Float64Array
//   (no float32 rounding inside a step, and no conversions in the inner loops); weights and Adam
//   moments are Float32Array as in tfjs, possibly views of a SharedArrayBuffer (worker threads).
// - The same instance order always gives the same arithmetic: one thread is bit-for-bit
//   deterministic.
//
// - The dense tower can run in WebAssembly SIMD instead (tower-wasm.ts, given as `tower`): the same
//   per-instance math on a private double-precision copy of the tower's weights, with the sums in
//   another order (equal to ~1e-15 relative). Everything else (GMF part, loss, embedding gradients,
//   optimizer) stays here; the JS tower below is the fallback where WebAssembly SIMD is missing.
//
// No tfjs here: worker threads import this file.
import type { ParamLayout } from './layout.js';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './reference.js';
import { RowCatchUp } from './catch-up.js';
import { CONTROL_STEP } from './store.js';
import type { KernelKind, WasmTower } from './tower-wasm.js';

// module-level copies: hot loops then read plain constants, not imported bindings
const BETA1 = ADAM_BETA1;
const BETA2 = ADAM_BETA2;
const EPSILON = ADAM_EPSILON;

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
}

/** The trained numbers: weights and, for Adam, the two moments (same layout). */
export interface KernelStore {
  params: Float32Array;
  m: Float32Array | null;
  v: Float32Array | null;
  /**
   * Dense Adam: per table row (users then items) the step a catch-up brought its weights to and
   * the step its moments are from (2 × (numUsers + numItems) entries, shared between threads; see
   * catch-up.ts); the kernel allocates its own when absent.
   */
  rowSteps?: Int32Array | null;
}

/** One instance's forward activations. */
interface Scratch {
  /** GMF product, length factors. */
  g: Float64Array;
  /** Tower activations: h[0] the concatenated MLP embeddings, h[l] after layer l. */
  h: Float64Array[];
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

  private readonly F: number;
  private readonly E: number;
  /** Width of a user/item gradient slot: [gmf (F) | mlp (E)]. */
  private readonly rowWidth: number;
  private readonly scratch: Scratch[];
  private dh: Float64Array;
  private din: Float64Array;
  private readonly live: Int32Array;
  /** User whose half of the first layer's pre-activation is in `userPre` (-1: none). */
  private preUser = -1;
  private readonly userPre: Float64Array;
  /** Current run of equal users in the backward pass, its gradient row, and its summed dL/da of layer 1. */
  private groupUser = -1;
  private groupRow = 0;
  private readonly groupDa: Float64Array;
  private readonly dUser: Float64Array;
  private readonly gDense: Float64Array;
  /** Double-precision copy of the dense block for the current batch (no conversions in hot loops). */
  private readonly dense: Float64Array;
  /** The WebAssembly tower, or null for the JS one. */
  private readonly tower: WasmTower | null;

  private readonly userSlot: Int32Array;
  private readonly itemSlot: Int32Array;
  private touchedUsers = new Int32Array(0);
  private touchedItems = new Int32Array(0);
  private gUser = new Float64Array(0);
  private gItem = new Float64Array(0);
  private numTouchedUsers = 0;
  private numTouchedItems = 0;
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
    this.tower = layout.tower.length > 1 ? tower : null;
    this.kind = this.tower === null ? 'js' : 'wasm-simd';
    if (options.optimizer === 'adam' && (store.m === null || store.v === null)) {
      throw new TypeError('FusedKernel: Adam needs moment arrays');
    }
    this.F = layout.factors;
    this.E = layout.mlpWidth;
    this.rowWidth = this.F + this.E;
    const slots = options.loss === 'bpr' ? 2 : 1;
    if (this.tower !== null && this.tower.x.length < slots) throw new TypeError(`FusedKernel: the tower needs ${slots} slots`);
    this.scratch = [];
    for (let s = 0; s < slots; s++) {
      this.scratch.push({ g: new Float64Array(this.F), h: layout.tower.map((w) => new Float64Array(w)) });
    }
    const widest = Math.max(1, ...layout.tower);
    this.dh = new Float64Array(widest);
    this.din = new Float64Array(widest);
    this.live = new Int32Array(widest);
    const first = layout.tower.length > 1 ? layout.tower[1] : 0;
    this.userPre = new Float64Array(first);
    this.groupDa = new Float64Array(first);
    this.dUser = new Float64Array(this.E);
    this.gDense = new Float64Array(layout.denseLength);
    this.dense = new Float64Array(layout.denseLength);
    this.loadDense();
    this.userSlot = new Int32Array(layout.numUsers).fill(-1);
    this.itemSlot = new Int32Array(layout.numItems).fill(-1);
    this.clock = clock;
    this.catchUp =
      options.optimizer === 'adam' && options.rows !== 'lazy'
        ? new RowCatchUp(layout, store.params, store.m!, store.v!, store.rowSteps ?? new Int32Array(2 * (layout.numUsers + layout.numItems)), options.learningRate)
        : null;
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
   * Dense Adam: catches the weights of the rows a batch reads up to the steps taken so far (their
   * moments catch up in {@link apply}, folded into the optimizer's update of the same rows).
   */
  private catchUpRows(users: Int32Array, a: Int32Array, b: Int32Array | null, n: number): void {
    const cu = this.catchUp;
    if (cu === null) return;
    const S = this.stepsDone();
    if (S === 0) return;
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

  /** Makes room for a batch touching up to `users` user rows and `items` item rows. */
  private reserve(users: number, items: number): void {
    if (this.touchedUsers.length < users) {
      this.touchedUsers = new Int32Array(users);
      this.gUser = new Float64Array(users * this.rowWidth);
    }
    if (this.touchedItems.length < items) {
      this.touchedItems = new Int32Array(items);
      this.gItem = new Float64Array(items * this.rowWidth);
    }
  }

  private userGradientRow(u: number): number {
    let s = this.userSlot[u];
    if (s < 0) {
      s = this.numTouchedUsers++;
      this.userSlot[u] = s;
      this.touchedUsers[s] = u;
      this.gUser.fill(0, s * this.rowWidth, (s + 1) * this.rowWidth);
    }
    return s * this.rowWidth;
  }

  private itemGradientRow(i: number): number {
    let s = this.itemSlot[i];
    if (s < 0) {
      s = this.numTouchedItems++;
      this.itemSlot[i] = s;
      this.touchedItems[s] = i;
      this.gItem.fill(0, s * this.rowWidth, (s + 1) * this.rowWidth);
    }
    return s * this.rowWidth;
  }

  /** The logit of (u, i); keeps the activations in `scratch[slot]` for {@link backward}. */
  private forward(slot: number, u: number, i: number): number {
    const P = this.store.params;
    const D = this.dense;
    const L = this.layout;
    const F = this.F;
    const E = this.E;
    const sc = this.scratch[slot];
    const base = L.denseOffset;
    const pk = L.predictionKernel - base;
    let z = D[L.predictionBias - base];
    if (F > 0) {
      const g = sc.g;
      const pu = L.gmfUser + u * F;
      const qi = L.gmfItem + i * F;
      for (let f = 0; f < F; f++) {
        const gf = P[pu + f] * P[qi + f];
        g[f] = gf;
        z += gf * D[pk + f];
      }
    }
    if (E === 0) return z;
    const tw = this.tower;
    if (tw !== null) {
      const x = tw.x[slot];
      const at = L.mlpItem + i * E;
      for (let k = 0; k < E; k++) x[k] = P[at + k];
      let newUser = 0;
      if (u !== this.preUser) {
        const xu = tw.xu;
        const mu = L.mlpUser + u * E;
        for (let k = 0; k < E; k++) xu[k] = P[mu + k];
        this.preUser = u;
        newUser = 1;
      }
      return z + tw.forward(slot, newUser);
    }
    const h = sc.h;
    const h0 = h[0];
    const tower = L.tower;
    const mi = L.mlpItem + i * E;
    for (let k = 0; k < E; k++) h0[E + k] = P[mi + k];
    if (tower.length === 1) {
      // no dense layer: the concatenated embeddings feed the prediction directly
      const mu = L.mlpUser + u * E;
      for (let k = 0; k < E; k++) h0[k] = P[mu + k];
    } else {
      this.firstLayer(h0, h[1], u);
      for (let l = 1; l + 1 < tower.length; l++) this.layer(l, h[l], h[l + 1]);
    }
    const top = h[tower.length - 1];
    const nTop = top.length;
    for (let j = 0; j < nTop; j++) z += top[j] * D[pk + F + j];
    return z;
  }

  /** Layer 1 from the cached user half plus the item half (h0[E..2E]). */
  private firstLayer(h0: Float64Array, hout: Float64Array, u: number): void {
    const P = this.store.params;
    const D = this.dense;
    const L = this.layout;
    const E = this.E;
    const nIn = 2 * E;
    const nOut = hout.length;
    const W = L.towerKernels[0] - L.denseOffset;
    const pre = this.userPre;
    if (u !== this.preUser) {
      const mu = L.mlpUser + u * E;
      const b = L.towerBiases[0] - L.denseOffset;
      // the user half goes through h0[0..E) as doubles, so the dot product reads no float32
      for (let k = 0; k < E; k++) h0[k] = P[mu + k];
      for (let j = 0; j < nOut; j++) {
        const row = W + j * nIn;
        let s0 = 0;
        let s1 = 0;
        let k = 0;
        for (; k + 1 < E; k += 2) {
          s0 += h0[k] * D[row + k];
          s1 += h0[k + 1] * D[row + k + 1];
        }
        if (k < E) s0 += h0[k] * D[row + k];
        pre[j] = D[b + j] + (s0 + s1);
      }
      this.preUser = u;
    }
    let j = 0;
    // four units at a time: each input is loaded once for four weights, and the four sums are
    // independent dependency chains
    for (; j + 3 < nOut; j += 4) {
      const r0 = W + j * nIn + E;
      const r1 = r0 + nIn;
      const r2 = r1 + nIn;
      const r3 = r2 + nIn;
      let s0 = pre[j];
      let s1 = pre[j + 1];
      let s2 = pre[j + 2];
      let s3 = pre[j + 3];
      for (let k = 0; k < E; k++) {
        const x = h0[E + k];
        s0 += x * D[r0 + k];
        s1 += x * D[r1 + k];
        s2 += x * D[r2 + k];
        s3 += x * D[r3 + k];
      }
      hout[j] = s0 > 0 ? s0 : 0;
      hout[j + 1] = s1 > 0 ? s1 : 0;
      hout[j + 2] = s2 > 0 ? s2 : 0;
      hout[j + 3] = s3 > 0 ? s3 : 0;
    }
    for (; j < nOut; j++) {
      const row = W + j * nIn + E;
      let s0 = pre[j];
      for (let k = 0; k < E; k++) s0 += h0[E + k] * D[row + k];
      hout[j] = s0 > 0 ? s0 : 0;
    }
  }

  /** Dense ReLU layer l (l >= 1): hout = relu(W_l hin + b_l). */
  private layer(l: number, hin: Float64Array, hout: Float64Array): void {
    const D = this.dense;
    const L = this.layout;
    const nIn = hin.length;
    const nOut = hout.length;
    const W = L.towerKernels[l] - L.denseOffset;
    const b = L.towerBiases[l] - L.denseOffset;
    let j = 0;
    for (; j + 3 < nOut; j += 4) {
      const r0 = W + j * nIn;
      const r1 = r0 + nIn;
      const r2 = r1 + nIn;
      const r3 = r2 + nIn;
      let s0 = D[b + j];
      let s1 = D[b + j + 1];
      let s2 = D[b + j + 2];
      let s3 = D[b + j + 3];
      for (let k = 0; k < nIn; k++) {
        const x = hin[k];
        s0 += x * D[r0 + k];
        s1 += x * D[r1 + k];
        s2 += x * D[r2 + k];
        s3 += x * D[r3 + k];
      }
      hout[j] = s0 > 0 ? s0 : 0;
      hout[j + 1] = s1 > 0 ? s1 : 0;
      hout[j + 2] = s2 > 0 ? s2 : 0;
      hout[j + 3] = s3 > 0 ? s3 : 0;
    }
    for (; j < nOut; j++) {
      const row = W + j * nIn;
      let s0 = D[b + j];
      for (let k = 0; k < nIn; k++) s0 += hin[k] * D[row + k];
      hout[j] = s0 > 0 ? s0 : 0;
    }
  }

  /** Adds the gradients of (u, i) given dL/dz, using the activations of `scratch[slot]`. */
  private backward(slot: number, u: number, i: number, dz: number): void {
    const P = this.store.params;
    const D = this.dense;
    const L = this.layout;
    const F = this.F;
    const E = this.E;
    const sc = this.scratch[slot];
    const gD = this.gDense;
    const base = L.denseOffset;
    const pk = L.predictionKernel - base;
    gD[L.predictionBias - base] += dz;
    const ur = this.userGradientRow(u);
    const ir = this.itemGradientRow(i);
    const gU = this.gUser;
    const gI = this.gItem;
    if (F > 0) {
      const g = sc.g;
      const pu = L.gmfUser + u * F;
      const qi = L.gmfItem + i * F;
      for (let f = 0; f < F; f++) {
        gD[pk + f] += dz * g[f];
        const dg = dz * D[pk + f];
        gU[ur + f] += dg * P[qi + f];
        gI[ir + f] += dg * P[pu + f];
      }
    }
    if (E === 0) return;
    const tw = this.tower;
    if (tw !== null) {
      if (u !== this.groupUser) {
        this.flushUserRun();
        this.groupUser = u;
        this.groupRow = ur;
        const xr = tw.xrun;
        const mu = L.mlpUser + u * E;
        for (let k = 0; k < E; k++) xr[k] = P[mu + k];
      }
      tw.backward(slot, dz);
      const dx = tw.dx[slot];
      const io = ir + F;
      for (let k = 0; k < E; k++) gI[io + k] += dx[k];
      return;
    }
    const h = sc.h;
    const tower = L.tower;
    const top = h[tower.length - 1];
    let dh = this.dh;
    let din = this.din;
    for (let j = 0; j < top.length; j++) {
      gD[pk + F + j] += dz * top[j];
      dh[j] = dz * D[pk + F + j];
    }
    if (tower.length === 1) {
      for (let k = 0; k < E; k++) {
        gU[ur + F + k] += dh[k];
        gI[ir + F + k] += dh[E + k];
      }
      return;
    }
    for (let l = tower.length - 2; l >= 1; l--) {
      this.layerBackward(l, h[l], h[l + 1], dh, din);
      const t = dh;
      dh = din;
      din = t;
    }
    // layer 1: the item half now, the user half summed over the run of equal users
    if (u !== this.groupUser) {
      this.flushUserRun();
      this.groupUser = u;
      this.groupRow = ur;
    }
    const nIn = 2 * E;
    const hout = h[1];
    const nOut = hout.length;
    const W = L.towerKernels[0] - base;
    const gb = L.towerBiases[0] - base;
    const h0 = h[0];
    const daRun = this.groupDa;
    const live = this.live;
    let nLive = 0;
    for (let j = 0; j < nOut; j++) {
      const da = dh[j];
      if (hout[j] > 0 && da !== 0) {
        gD[gb + j] += da;
        daRun[j] += da;
        live[nLive++] = j;
      }
    }
    din.fill(0, 0, E);
    let q = 0;
    for (; q + 3 < nLive; q += 4) {
      const j0 = live[q];
      const j1 = live[q + 1];
      const j2 = live[q + 2];
      const j3 = live[q + 3];
      const d0 = dh[j0];
      const d1 = dh[j1];
      const d2 = dh[j2];
      const d3 = dh[j3];
      const r0 = W + j0 * nIn + E;
      const r1 = W + j1 * nIn + E;
      const r2 = W + j2 * nIn + E;
      const r3 = W + j3 * nIn + E;
      for (let k = 0; k < E; k++) {
        const x = h0[E + k];
        gD[r0 + k] += d0 * x;
        gD[r1 + k] += d1 * x;
        gD[r2 + k] += d2 * x;
        gD[r3 + k] += d3 * x;
        din[k] += d0 * D[r0 + k] + d1 * D[r1 + k] + (d2 * D[r2 + k] + d3 * D[r3 + k]);
      }
    }
    for (; q < nLive; q++) {
      const j = live[q];
      const da = dh[j];
      const row = W + j * nIn + E;
      for (let k = 0; k < E; k++) {
        gD[row + k] += da * h0[E + k];
        din[k] += da * D[row + k];
      }
    }
    const io = ir + F;
    for (let k = 0; k < E; k++) gI[io + k] += din[k];
  }

  /** Backward through dense layer l >= 1: adds its weight gradients, writes dL/dhin into `din`. */
  private layerBackward(l: number, hin: Float64Array, hout: Float64Array, dh: Float64Array, din: Float64Array): void {
    const D = this.dense;
    const gD = this.gDense;
    const L = this.layout;
    const nIn = hin.length;
    const nOut = hout.length;
    const W = L.towerKernels[l] - L.denseOffset;
    const gb = L.towerBiases[l] - L.denseOffset;
    din.fill(0, 0, nIn);
    // the units the ReLU let through (relu' = 0 elsewhere: those contribute nothing below)
    const live = this.live;
    let nLive = 0;
    for (let j = 0; j < nOut; j++) {
      const da = dh[j];
      if (hout[j] > 0 && da !== 0) {
        gD[gb + j] += da;
        live[nLive++] = j;
      }
    }
    let q = 0;
    // four units at a time: hin and din are loaded once per four rows
    for (; q + 3 < nLive; q += 4) {
      const j0 = live[q];
      const j1 = live[q + 1];
      const j2 = live[q + 2];
      const j3 = live[q + 3];
      const d0 = dh[j0];
      const d1 = dh[j1];
      const d2 = dh[j2];
      const d3 = dh[j3];
      const r0 = W + j0 * nIn;
      const r1 = W + j1 * nIn;
      const r2 = W + j2 * nIn;
      const r3 = W + j3 * nIn;
      for (let k = 0; k < nIn; k++) {
        const x = hin[k];
        gD[r0 + k] += d0 * x;
        gD[r1 + k] += d1 * x;
        gD[r2 + k] += d2 * x;
        gD[r3 + k] += d3 * x;
        din[k] += d0 * D[r0 + k] + d1 * D[r1 + k] + (d2 * D[r2 + k] + d3 * D[r3 + k]);
      }
    }
    for (; q < nLive; q++) {
      const j = live[q];
      const da = dh[j];
      const row = W + j * nIn;
      for (let k = 0; k < nIn; k++) {
        gD[row + k] += da * hin[k];
        din[k] += da * D[row + k];
      }
    }
  }

  /** Adds the user half of layer 1's backward for the finished run of equal users. */
  private flushUserRun(): void {
    const u = this.groupUser;
    if (u < 0) return;
    this.groupUser = -1;
    const tw = this.tower;
    if (tw !== null) {
      tw.flush();
      const du = tw.du;
      const gU = this.gUser;
      const at = this.groupRow + this.F;
      for (let k = 0; k < this.E; k++) gU[at + k] += du[k];
      return;
    }
    const P = this.store.params;
    const D = this.dense;
    const gD = this.gDense;
    const L = this.layout;
    const E = this.E;
    const nIn = 2 * E;
    const W = L.towerKernels[0] - L.denseOffset;
    const mu = L.mlpUser + u * E;
    const daRun = this.groupDa;
    const dU = this.dUser;
    dU.fill(0);
    for (let j = 0; j < daRun.length; j++) {
      const d = daRun[j];
      if (d === 0) continue;
      daRun[j] = 0;
      const row = W + j * nIn;
      for (let k = 0; k < E; k++) {
        gD[row + k] += d * P[mu + k];
        dU[k] += d * D[row + k];
      }
    }
    const gU = this.gUser;
    const at = this.groupRow + this.F;
    for (let k = 0; k < E; k++) gU[at + k] += dU[k];
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
    this.reserve(users, items);
    this.numTouchedUsers = 0;
    this.numTouchedItems = 0;
    this.preUser = -1;
    this.groupUser = -1;
    this.gDense.fill(0);
    // other threads (Hogwild) or the model (syncFromModel) may have changed the weights
    this.loadDense();
  }

  /**
   * Computes the mean BCE loss of a pointwise batch and accumulates its gradients (no update).
   *
   * @param users - user of each instance
   * @param items - item of each instance
   * @param labels - 1 for a positive, 0 for a negative
   * @param weights - optional weight c of each instance: the loss is then the mean of c times each loss
   * @param n - instances to use (default: all)
   * @returns the batch's mean loss
   */
  gradientsBce(users: Int32Array, items: Int32Array, labels: Float32Array, weights?: Float32Array, n = users.length): number {
    this.catchUpRows(users, items, null, n);
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
    this.flushUserRun();
    this.tower?.store(this.gDense);
    return loss * scale;
  }

  /**
   * Computes the mean BPR loss of a pairwise batch and accumulates its gradients (no update).
   *
   * @param users - user of each pair
   * @param positives - the pair's positive item
   * @param negatives - the pair's negative item
   * @param weights - optional weight c of each pair: the loss is then the mean of c times each loss
   * @param n - pairs to use (default: all)
   * @returns the batch's mean loss
   */
  gradientsBpr(users: Int32Array, positives: Int32Array, negatives: Int32Array, weights?: Float32Array, n = users.length): number {
    this.catchUpRows(users, positives, negatives, n);
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
    this.flushUserRun();
    this.tower?.store(this.gDense);
    return loss * scale;
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
    const P = this.store.params;
    const L = this.layout;
    const lr = this.options.learningRate;
    const gD = this.gDense;
    const base = L.denseOffset;
    const n = L.denseLength;
    const F = this.F;
    const E = this.E;
    const W = this.rowWidth;
    if (this.options.optimizer === 'sgd') {
      for (let k = 0; k < n; k++) P[base + k] -= lr * gD[k];
      for (let s = 0; s < this.numTouchedUsers; s++) {
        const u = this.touchedUsers[s];
        sgdRow(P, L.gmfUser + u * F, this.gUser, s * W, F, lr);
        sgdRow(P, L.mlpUser + u * E, this.gUser, s * W + F, E, lr);
        this.userSlot[u] = -1;
      }
      for (let s = 0; s < this.numTouchedItems; s++) {
        const i = this.touchedItems[s];
        sgdRow(P, L.gmfItem + i * F, this.gItem, s * W, F, lr);
        sgdRow(P, L.mlpItem + i * E, this.gItem, s * W + F, E, lr);
        this.itemSlot[i] = -1;
      }
      return;
    }
    const m = this.store.m!;
    const v = this.store.v!;
    const c1 = 1 - Math.pow(BETA1, step);
    const c2 = 1 - Math.pow(BETA2, step);
    adamRow(P, m, v, base, gD, 0, n, lr, c1, c2, BETA1, BETA2);
    // dense Adam: a row's moments decay over every step since they were last updated (the steps
    // it sat out, which catchUpRows moved its weights over, and on several threads the steps other
    // threads took since this batch read it) in the same pass as the update; lazy Adam: one step
    const cu = this.catchUp;
    const U = L.numUsers;
    let b1 = BETA1;
    let b2 = BETA2;
    const p1 = cu === null ? null : cu.beta1Powers;
    const p2 = cu === null ? null : cu.beta2Powers;
    for (let s = 0; s < this.numTouchedUsers; s++) {
      const u = this.touchedUsers[s];
      if (cu !== null) {
        const k = cu.touch(u, step);
        b1 = k < p1!.length ? p1![k] : Math.pow(BETA1, k);
        b2 = k < p2!.length ? p2![k] : Math.pow(BETA2, k);
      }
      if (F > 0) adamRow(P, m, v, L.gmfUser + u * F, this.gUser, s * W, F, lr, c1, c2, b1, b2);
      if (E > 0) adamRow(P, m, v, L.mlpUser + u * E, this.gUser, s * W + F, E, lr, c1, c2, b1, b2);
      this.userSlot[u] = -1;
    }
    for (let s = 0; s < this.numTouchedItems; s++) {
      const i = this.touchedItems[s];
      if (cu !== null) {
        const k = cu.touch(U + i, step);
        b1 = k < p1!.length ? p1![k] : Math.pow(BETA1, k);
        b2 = k < p2!.length ? p2![k] : Math.pow(BETA2, k);
      }
      if (F > 0) adamRow(P, m, v, L.gmfItem + i * F, this.gItem, s * W, F, lr, c1, c2, b1, b2);
      if (E > 0) adamRow(P, m, v, L.mlpItem + i * E, this.gItem, s * W + F, E, lr, c1, c2, b1, b2);
      this.itemSlot[i] = -1;
    }
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
    const F = this.F;
    const E = this.E;
    const W = this.rowWidth;
    for (let s = 0; s < this.numTouchedUsers; s++) {
      const u = this.touchedUsers[s];
      for (let f = 0; f < F; f++) out[L.gmfUser + u * F + f] = this.gUser[s * W + f];
      for (let k = 0; k < E; k++) out[L.mlpUser + u * E + k] = this.gUser[s * W + F + k];
    }
    for (let s = 0; s < this.numTouchedItems; s++) {
      const i = this.touchedItems[s];
      for (let f = 0; f < F; f++) out[L.gmfItem + i * F + f] = this.gItem[s * W + f];
      for (let k = 0; k < E; k++) out[L.mlpItem + i * E + k] = this.gItem[s * W + F + k];
    }
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
    return this.forward(0, u, i);
  }
}

function sgdRow(P: Float32Array, at: number, g: Float64Array, gAt: number, n: number, lr: number): void {
  for (let k = 0; k < n; k++) P[at + k] -= lr * g[gAt + k];
}

/**
 * tfjs's Adam update on P[at .. at+n) with gradients g[gAt ..]; the old moments are multiplied by b1
 * and b2 (β1 and β2, or their powers when the moments also decay over steps the row sat out).
 */
function adamRow(
  P: Float32Array,
  m: Float32Array,
  v: Float32Array,
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
  // w -= lr * m̂ / (sqrt(v̂) + eps), m̂ = m / c1, v̂ = v / c2 (tfjs's order of operations)
  const ic1 = 1 / c1;
  const ic2 = 1 / c2;
  const eps = EPSILON;
  for (let k = 0; k < n; k++) {
    const gk = g[gAt + k];
    const idx = at + k;
    const mk = b1 * m[idx] + a1 * gk;
    const vk = b2 * v[idx] + a2 * gk * gk;
    m[idx] = mk;
    v[idx] = vk;
    P[idx] -= (lr * (mk * ic1)) / (Math.sqrt(vk * ic2) + eps);
  }
}
