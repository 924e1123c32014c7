// What the fused kernel's tests share: random small models, tfjs autodiff's loss and gradients of
// a batch (the oracle the kernel is held to), kernels over a model's weights, and comparisons
// keyed by layer name and weight index.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GMF, MLP, NeuMF } from '../../src/models/index.js';
import type { NcfArchitecture } from '../../src/ncf/index.js';
import { mulberry32 } from '../../src/_lib/random.js';
import { FusedKernel, type KernelPenalty, type KernelStore } from '../../src/training/fused/kernel.js';
import { compileCatchUp, instantiateCatchUp } from '../../src/training/fused/catch-up-wasm.js';
import { allocateStore } from '../../src/training/fused/store.js';
import { compileTower, WasmTower, type KernelKind } from '../../src/training/fused/tower-wasm.js';
import { regionSize, toModelOrder, type ParamLayout, paramLayout } from '../../src/training/fused/layout.js';
import { readFeatureIndex, readModelWeights } from '../../src/training/fused/model-weights.js';
import type { ReferenceWeights } from '../oracles/ncf-reference.js';
import { relativeError } from './numeric.js';

/** Both implementations of the dense tower run every equality test. */
export const KERNELS: readonly KernelKind[] = ['js', 'wasm-simd'];

let towerModule: WebAssembly.Module | null = null;

let catchUpModule: WebAssembly.Module | null = null;

/**
 * Compiles the WebAssembly tower and the catch-up module (for an unshared memory) once (call in
 * beforeAll); null where the runtime lacks SIMD.
 */
export async function loadTowerModule(): Promise<WebAssembly.Module | null> {
  towerModule = await compileTower();
  catchUpModule = await compileCatchUp(false);
  return towerModule;
}

/** A WebAssembly tower for the layout, or null for the JS kernel (and for models without a dense layer). */
export function towerFor(kind: KernelKind, layout: ParamLayout, loss: 'bce' | 'bpr'): WasmTower | null {
  if (kind === 'js' || layout.tower.length < 2) return null;
  if (towerModule === null) throw new Error('WebAssembly SIMD is unavailable in this runtime (call loadTowerModule first)');
  return new WasmTower(new WebAssembly.Instance(towerModule, {}), layout, loss === 'bpr' ? 2 : 1);
}

export interface Case {
  arch: NcfArchitecture;
  seed: number;
  users: Int32Array;
  items: Int32Array;
  negatives: Int32Array;
  labels: Float32Array;
}


export function build(arch: NcfArchitecture, seed: number): tf.LayersModel {
  const { numUsers, numItems, factors, layers } = arch;
  const model =
    arch.kind === 'gmf' ? GMF({ numUsers, numItems, factors }) : arch.kind === 'mlp' ? MLP({ numUsers, numItems, layers }) : NeuMF({ numUsers, numItems, factors, layers });
  return randomizeWeights(model, seed);
}

/**
 * Sets every trained weight of `model` to uniform values in [-0.6, 0.6): far from the paper's tiny
 * init, so every term of a gradient matters and ReLUs vary. Fixed int32 weights (a side-feature
 * field's index) stay as they are.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): tf.LayersModel {
  const random = mulberry32(seed);
  const made: tf.Tensor[] = [];
  const values = model.getWeights().map((w) => {
    if (w.dtype === 'int32') return w;
    const t = tf.tensor(Float32Array.from({ length: w.size }, () => random() * 1.2 - 0.6), w.shape);
    made.push(t);
    return t;
  });
  model.setWeights(values);
  tf.dispose(made);
  return model;
}

/** The model's trainable variables and, for each, its layer name and weight index (0 kernel/table, 1 bias). */
export function variablesOf(model: tf.LayersModel): { variable: tf.Variable; layer: string; index: number }[] {
  return model.trainableWeights.map((w) => {
    const [layer, what] = w.originalName.split('/');
    return { variable: w.read() as tf.Variable, layer, index: what === 'bias' ? 1 : 0 };
  });
}

/**
 * The loss on the logit, as the engines define it: z from the model's penultimate output and the
 * prediction layer's kernel and bias.
 */
export function tfjsLoss(model: tf.LayersModel, c: Case, loss: 'bce' | 'bpr', weights?: Float32Array): { features: tf.LayersModel; f: () => tf.Scalar } {
  const prediction = model.getLayer('prediction');
  const features = tf.model({ inputs: model.inputs, outputs: prediction.input as tf.SymbolicTensor });
  const [kernel, bias] = prediction.weights.map((w) => w.read());
  const logits = (users: Int32Array, items: Int32Array): tf.Tensor1D => {
    const u = tf.tensor2d(users, [users.length, 1], 'int32');
    const i = tf.tensor2d(items, [items.length, 1], 'int32');
    const h = features.apply([u, i], { training: true }) as tf.Tensor2D;
    return tf.add(tf.matMul(h, kernel as tf.Tensor2D), bias).reshape([-1]) as tf.Tensor1D;
  };
  const f =
    loss === 'bce'
      ? () => {
          const z = logits(c.users, c.items);
          const y = tf.tensor1d(c.labels);
          const terms = tf.sub(tf.softplus(z), tf.mul(y, z));
          return tf.mean(weights === undefined ? terms : tf.mul(tf.tensor1d(weights), terms)) as tf.Scalar;
        }
      : () => {
          const d = tf.sub(logits(c.users, c.items), logits(c.users, c.negatives));
          const terms = tf.softplus(tf.neg(d));
          return tf.mean(weights === undefined ? terms : tf.mul(tf.tensor1d(weights), terms)) as tf.Scalar;
        };
  return { features, f };
}

/** tfjs autodiff's loss and gradients, keyed by layer name like the reference's. */
export function tfjsGradients(model: tf.LayersModel, c: Case, loss: 'bce' | 'bpr', weights?: Float32Array): { loss: number; gradients: Record<string, Float32Array[]> } {
  const { features, f } = tfjsLoss(model, c, loss, weights);
  const vars = variablesOf(model);
  const { value, grads } = tf.variableGrads(f, vars.map((v) => v.variable));
  const gradients: Record<string, Float32Array[]> = {};
  for (const v of vars) {
    (gradients[v.layer] ??= [])[v.index] = grads[v.variable.name].dataSync() as Float32Array;
  }
  const out = { loss: value.dataSync()[0], gradients };
  tf.dispose([value, ...Object.values(grads)]);
  void features; // shares every layer with the model: disposing the model frees them
  return out;
}

export function weightsOf(model: tf.LayersModel): ReferenceWeights {
  const out: ReferenceWeights = {};
  for (const v of variablesOf(model)) (out[v.layer] ??= [])[v.index] = Float32Array.from(v.variable.dataSync() as Float32Array);
  return out;
}

export function newKernel(
  model: tf.LayersModel,
  arch: NcfArchitecture,
  loss: 'bce' | 'bpr',
  optimizer: 'adam' | 'sgd',
  learningRate = 0.01,
  kind: KernelKind = 'js',
  rows: 'dense' | 'lazy' = 'dense',
  kernelL2: readonly KernelPenalty[] = [],
) {
  const layout = paramLayout(arch);
  const store = storeFor(kind, layout, optimizer === 'adam' && rows === 'dense');
  readModelWeights(model, layout, store.params);
  store.featureIndex = readFeatureIndex(model, layout);
  const options = { loss, optimizer, learningRate, rows, ...(kernelL2.length === 0 ? {} : { kernelL2 }) };
  const kernel = new FusedKernel(layout, store, options, towerFor(kind, layout, loss));
  expect(kernel.kind).toBe(layout.tower.length > 1 ? kind : 'js');
  return { layout, store, kernel };
}

/**
 * A kernel's store with Adam moments: for 'wasm-simd' with the dense-Adam catch-up, in WebAssembly
 * memory with the catch-up module on it (as the engine makes it), else plain arrays.
 */
function storeFor(kind: KernelKind, layout: ParamLayout, catchUp: boolean): KernelStore {
  if (kind === 'js' || !catchUp) return { params: new Float32Array(layout.length), m: new Float32Array(layout.length), rms: new Float32Array(layout.length) };
  if (catchUpModule === null) throw new Error('WebAssembly SIMD is unavailable in this runtime (call loadTowerModule first)');
  const { memory, store } = allocateStore(layout.length, true, false, layout.tableRows, true);
  if (memory === null) throw new Error('no WebAssembly memory for the store');
  store.simd = instantiateCatchUp(catchUpModule, memory, layout.length);
  return store;
}

export function kernelGradients(kernel: FusedKernel, c: Case, loss: 'bce' | 'bpr'): number {
  return loss === 'bce' ? kernel.gradientsBce(c.users, c.items, c.labels) : kernel.gradientsBpr(c.users, c.items, c.negatives);
}

/** The flat array's regions in tfjs layout, keyed by layer. */
export function byLayer<T extends Float32Array | Float64Array>(layout: ParamLayout, flat: T, make: (n: number) => T): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const region of layout.regions) (out[region.layer] ??= [])[region.index] = toModelOrder(region, flat, make(regionSize(region)));
  return out;
}

/**
 * Gradients are compared by max |actual - expected| / max(max |expected|, GRADIENT_SCALE_FLOOR). Rounding
 * noise is absolute, of the size of the terms a gradient sums (|term| < 1 here), not of their sum: where a
 * batch cancels a gradient to ~1e-7 (a BPR pair and its swap), noise alone is a large relative error.
 * tfjs (float32) was off by at most 5.6e-8 absolute over 4,000 random cases, the float64 kernel and
 * reference by ~1e-16; the floor allows 1e-6 (at 1e-4) and 1e-11 (at 1e-9) absolute, while a wrong gradient
 * (a dropped term, a factor of 2) is off by a whole term, typically 1e-3 or more.
 */
export const GRADIENT_SCALE_FLOOR = 1e-2;
/** The absolute error the floor allows on a tfjs (float32) gradient. */
export const TFJS_GRADIENT_NOISE = 1e-4 * GRADIENT_SCALE_FLOOR;

export function expectAllClose(actual: Record<string, ArrayLike<number>[]>, expected: Record<string, ArrayLike<number>[]>, tolerance: number, floor?: number): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [layer, arrays] of Object.entries(expected)) {
    arrays.forEach((e, index) => {
      expect(actual[layer][index].length, `${layer}[${index}] length`).toBe(e.length);
      const error = relativeError(actual[layer][index], e, floor);
      expect(error, `${layer}[${index}] relative error`).toBeLessThan(tolerance);
    });
  }
}

/**
 * Max-norm relative error of every weight of the kernel against the model's. With `initial` (the
 * weights before the steps), each array's scale is at least its initial max magnitude: float32
 * rounding is relative to the numbers the arithmetic worked with, and an update that cancels a weight
 * to near zero (a scalar bias of 0.03 stepped to -2e-5, say) otherwise turns one ulp of 0.03 into a
 * large relative error of the tiny result.
 */
export function maxRelativeError(layout: ParamLayout, params: Float32Array, model: tf.LayersModel, initial?: ReferenceWeights): number {
  const fused = byLayer(layout, params, (n) => new Float32Array(n));
  let worst = 0;
  for (const [layer, arrays] of Object.entries(weightsOf(model))) {
    arrays.forEach((e, index) => {
      const floor = initial ? initial[layer][index].reduce((m, w) => Math.max(m, Math.abs(w)), 1e-12) : undefined;
      worst = Math.max(worst, relativeError(fused[layer][index], e, floor));
    });
  }
  return worst;
}

