// The readable reference of the fused engine's math: forward, loss, backward and optimizer step
// for GMF, MLP and NeuMF over plain arrays in tfjs's own layouts (tables [rows][width], kernels
// [in][out]), one batch at a time, with every intermediate kept. It is written for the reader and
// for the tests, not for speed: the fast kernel (src/training/fused/kernel.ts) computes the same
// quantities fused per instance and is tested against this file and against tfjs autodiff. A test
// oracle: no part of the package imports it.
//
// Model (He et al. 2017, in the layer names of ncf/architecture.ts):
//   GMF part   g   = P[u] ⊙ Q[i]                                   (factors)
//   MLP part   h0  = [U[u] ; V[i]],  h_l = relu(h_{l-1} W_l + b_l)  (layers[0] .. layers[L])
//   logit      z   = [g ; h_L] · w + c                              (GMF part first)
//   prediction σ(z)
// Losses on the logit, as the tfjs engine defines them (B = instances, or pairs for BPR):
//   BCE  = mean_b softplus(z_b) - y_b z_b          dL/dz_b = (σ(z_b) - y_b) / B
//   BPR  = mean_p -log σ(z_p+ - z_p-)              dL/dz_p+ = -σ(-(z_p+ - z_p-)) / B = -dL/dz_p-
// Optimizers: SGD  w -= lr g.  Adam exactly as tfjs's AdamOptimizer (beta1 0.9, beta2 0.999,
// epsilon 1e-7; m = b1 m + (1-b1) g, v = b2 v + (1-b2) g², w -= lr (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps))
// for dense weights. Embedding tables use LAZY Adam (TensorFlow's LazyAdam, PyTorch's SparseAdam):
// only the rows the batch touched are updated, and only their moments decay, with the global step
// t's bias correction. tfjs's Adam instead decays the moments of every row at every step, so untouched
// rows keep drifting with their old momentum there; the two agree on the first step and on rows touched
// at every step, and differ on rows left out of a batch after they had a gradient. (The fused engine's
// default closes that difference by catching skipped rows up, src/training/fused/catch-up.ts;
// this reference is the single step both share.)
import type { NcfArchitecture } from '../../src/ncf/index.js';
import type { Batch as PointBatch, PairBatch } from '../../src/sampling/index.js';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from '../../src/training/fused/optimizer.js';

/** Weights in tfjs layout, keyed by layer name: `[kernel or table, bias?]`. */
export type ReferenceWeights = Record<string, Float32Array[]>;

/** Gradients in the same layout (double precision). */
export type ReferenceGradients = Record<string, Float64Array[]>;


/** Loss, gradients and which table rows the batch touched. */
export interface ReferenceResult {
  loss: number;
  gradients: ReferenceGradients;
  /** Rows each table received in this batch (rows repeated in the batch appear once). */
  touched: Record<string, Set<number>>;
}

/** Everything the forward pass computes for one (user, item), kept for the backward pass. */
interface Activations {
  g: Float64Array;
  h: Float64Array[];
  x: Float64Array;
  z: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + e^z) without overflow. */
export const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

function towerNames(arch: NcfArchitecture): string[] {
  return arch.kind === 'gmf' ? [] : arch.layers.slice(1).map((_, l) => `mlp_layer${l + 1}`);
}

function forward(arch: NcfArchitecture, w: ReferenceWeights, u: number, i: number): Activations {
  const F = arch.kind === 'mlp' ? 0 : arch.factors;
  const g = new Float64Array(F);
  if (F > 0) {
    const [P] = w.mf_embedding_user;
    const [Q] = w.mf_embedding_item;
    for (let f = 0; f < F; f++) g[f] = P[u * F + f] * Q[i * F + f];
  }
  const h: Float64Array[] = [];
  if (arch.kind !== 'gmf') {
    const E = arch.layers[0] / 2;
    const [U] = w.mlp_embedding_user;
    const [V] = w.mlp_embedding_item;
    const h0 = new Float64Array(2 * E);
    for (let k = 0; k < E; k++) {
      h0[k] = U[u * E + k];
      h0[E + k] = V[i * E + k];
    }
    h.push(h0);
    towerNames(arch).forEach((name, l) => {
      const [W, b] = w[name];
      const nIn = arch.layers[l];
      const nOut = arch.layers[l + 1];
      const out = new Float64Array(nOut);
      for (let j = 0; j < nOut; j++) {
        let s = b[j];
        for (let k = 0; k < nIn; k++) s += h[l][k] * W[k * nOut + j];
        out[j] = Math.max(0, s);
      }
      h.push(out);
    });
  }
  const top = h.length > 0 ? h[h.length - 1] : new Float64Array(0);
  const x = new Float64Array(F + top.length);
  x.set(g, 0);
  x.set(top, F);
  const [wp, c] = w.prediction;
  let z = c[0];
  for (let k = 0; k < x.length; k++) z += x[k] * wp[k];
  return { g, h, x, z };
}

function zeroGradients(w: ReferenceWeights): ReferenceGradients {
  const out: ReferenceGradients = {};
  for (const [name, arrays] of Object.entries(w)) out[name] = arrays.map((a) => new Float64Array(a.length));
  return out;
}

/** Adds dL/dz's contribution of one (user, item) to every gradient. */
function backward(
  arch: NcfArchitecture,
  w: ReferenceWeights,
  grads: ReferenceGradients,
  u: number,
  i: number,
  a: Activations,
  dz: number,
): void {
  const F = a.g.length;
  const [wp] = w.prediction;
  const [gwp, gc] = grads.prediction;
  for (let k = 0; k < a.x.length; k++) gwp[k] += dz * a.x[k];
  gc[0] += dz;
  if (F > 0) {
    const [P] = w.mf_embedding_user;
    const [Q] = w.mf_embedding_item;
    const [gP] = grads.mf_embedding_user;
    const [gQ] = grads.mf_embedding_item;
    for (let f = 0; f < F; f++) {
      const dg = dz * wp[f];
      gP[u * F + f] += dg * Q[i * F + f];
      gQ[i * F + f] += dg * P[u * F + f];
    }
  }
  if (arch.kind === 'gmf') return;
  const names = towerNames(arch);
  const L = names.length;
  let dh = new Float64Array(a.h[L].length);
  for (let k = 0; k < dh.length; k++) dh[k] = dz * wp[F + k];
  for (let l = L - 1; l >= 0; l--) {
    const [W] = w[names[l]];
    const [gW, gb] = grads[names[l]];
    const nIn = arch.layers[l];
    const nOut = arch.layers[l + 1];
    const dIn = new Float64Array(nIn);
    for (let j = 0; j < nOut; j++) {
      // relu'(s) = 1 for s > 0, else 0 (as tfjs's step(x)); h = relu(s) > 0 iff s > 0
      const da = a.h[l + 1][j] > 0 ? dh[j] : 0;
      gb[j] += da;
      for (let k = 0; k < nIn; k++) {
        gW[k * nOut + j] += a.h[l][k] * da;
        dIn[k] += W[k * nOut + j] * da;
      }
    }
    dh = dIn;
  }
  const E = arch.layers[0] / 2;
  const [gU] = grads.mlp_embedding_user;
  const [gV] = grads.mlp_embedding_item;
  for (let k = 0; k < E; k++) {
    gU[u * E + k] += dh[k];
    gV[i * E + k] += dh[E + k];
  }
}

function touchedTables(arch: NcfArchitecture, users: Int32Array, items: ArrayLike<number>[]): Record<string, Set<number>> {
  const userRows = new Set(users);
  const itemRows = new Set<number>();
  for (const list of items) for (let k = 0; k < list.length; k++) itemRows.add(list[k]);
  const out: Record<string, Set<number>> = {};
  if (arch.kind !== 'mlp') {
    out.mf_embedding_user = userRows;
    out.mf_embedding_item = itemRows;
  }
  if (arch.kind !== 'gmf') {
    out.mlp_embedding_user = userRows;
    out.mlp_embedding_item = itemRows;
  }
  return out;
}

/**
 * BCE loss and gradients of one pointwise batch, computed the plain way.
 *
 * @param arch - the model's architecture
 * @param w - the weights in tfjs layout
 * @param batch - users, items and 0/1 labels
 * @returns mean loss, gradients (full-size tables) and touched rows
 */
export function referenceBce(arch: NcfArchitecture, w: ReferenceWeights, batch: PointBatch): ReferenceResult {
  const B = batch.users.length;
  const grads = zeroGradients(w);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const a = forward(arch, w, batch.users[b], batch.items[b]);
    const y = batch.labels[b];
    loss += softplus(a.z) - y * a.z;
    backward(arch, w, grads, batch.users[b], batch.items[b], a, (sigmoid(a.z) - y) / B);
  }
  return { loss: loss / B, gradients: grads, touched: touchedTables(arch, batch.users, [batch.items]) };
}

/**
 * BPR loss and gradients of one pairwise batch, computed the plain way.
 *
 * @param arch - the model's architecture
 * @param w - the weights in tfjs layout
 * @param batch - users with one positive and one negative item each
 * @returns mean loss, gradients (full-size tables) and touched rows
 */
export function referenceBpr(arch: NcfArchitecture, w: ReferenceWeights, batch: PairBatch): ReferenceResult {
  const B = batch.users.length;
  const grads = zeroGradients(w);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const u = batch.users[b];
    const pos = forward(arch, w, u, batch.positives[b]);
    const neg = forward(arch, w, u, batch.negatives[b]);
    const d = pos.z - neg.z;
    loss += softplus(-d);
    const dd = -sigmoid(-d) / B;
    backward(arch, w, grads, u, batch.positives[b], pos, dd);
    backward(arch, w, grads, u, batch.negatives[b], neg, -dd);
  }
  return { loss: loss / B, gradients: grads, touched: touchedTables(arch, batch.users, [batch.positives, batch.negatives]) };
}

/** Adam moments per weight, same layout as the weights. */
export type ReferenceAdamState = { m: ReferenceWeights; v: ReferenceWeights; step: number };

/** Fresh (zero) Adam state for `w`. */
export function referenceAdamState(w: ReferenceWeights): ReferenceAdamState {
  const zeros = (): ReferenceWeights =>
    Object.fromEntries(Object.entries(w).map(([k, arrays]) => [k, arrays.map((a) => new Float32Array(a.length))]));
  return { m: zeros(), v: zeros(), step: 0 };
}

/**
 * Applies one optimizer step in place: SGD, or Adam (dense weights: every element; tables: lazy,
 * only the touched rows, with the global step's bias correction).
 *
 * @param arch - the model's architecture (fixes the tables' widths)
 * @param w - weights, updated in place
 * @param result - the batch's gradients and touched rows
 * @param optimizer - 'adam' or 'sgd'
 * @param learningRate - the step size
 * @param state - Adam moments and step count (updated in place); ignored for SGD
 */
export function referenceStep(
  arch: NcfArchitecture,
  w: ReferenceWeights,
  result: ReferenceResult,
  optimizer: 'adam' | 'sgd',
  learningRate: number,
  state?: ReferenceAdamState,
): void {
  let correction1 = 1;
  let correction2 = 1;
  if (optimizer === 'adam') {
    if (state === undefined) throw new TypeError('referenceStep: Adam needs a state');
    state.step += 1;
    correction1 = 1 - Math.pow(ADAM_BETA1, state.step);
    correction2 = 1 - Math.pow(ADAM_BETA2, state.step);
  }
  const update = (name: string, a: number, k: number): void => {
    const g = result.gradients[name][a][k];
    const value = w[name][a];
    if (optimizer === 'sgd') {
      value[k] -= learningRate * g;
      return;
    }
    const m = state!.m[name][a];
    const v = state!.v[name][a];
    m[k] = ADAM_BETA1 * m[k] + (1 - ADAM_BETA1) * g;
    v[k] = ADAM_BETA2 * v[k] + (1 - ADAM_BETA2) * g * g;
    value[k] -= (learningRate * (m[k] / correction1)) / (Math.sqrt(v[k] / correction2) + ADAM_EPSILON);
  };
  const tableWidth: Record<string, number> = {
    mf_embedding_user: arch.factors,
    mf_embedding_item: arch.factors,
    mlp_embedding_user: (arch.layers[0] ?? 0) / 2,
    mlp_embedding_item: (arch.layers[0] ?? 0) / 2,
  };
  for (const [name, arrays] of Object.entries(w)) {
    const width = tableWidth[name];
    if (width !== undefined) {
      for (const row of result.touched[name]) for (let k = 0; k < width; k++) update(name, 0, row * width + k);
    } else {
      arrays.forEach((a, index) => {
        for (let k = 0; k < a.length; k++) update(name, index, k);
      });
    }
  }
}
