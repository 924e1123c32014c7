// The fused engine's dense MLP tower in WebAssembly SIMD (f64x2): loading the module, laying out its
// private memory, and moving numbers between it and the JS kernel (kernel.ts).
//
// Why: the tower is about 85-90% of a single-thread step (measured for NeuMF [64,32,16,8]), and V8
// does not vectorise JS loops. The same per-instance math in wasm SIMD made the whole engine about
// 2.8x faster at batch 256 and 2.65x at batch 4096 (scalar wasm only 1.8x). The source is
// wasm/tower.ts (AssemblyScript), shipped as base64 in tower-wasm.generated.ts; reference.ts stays
// the readable statement of the math and kernel.ts's JS tower the fallback where WebAssembly SIMD
// is missing.
//
// Each kernel owns one instance with its own private memory (a worker gets the compiled Module by
// postMessage and instantiates it there): a double-precision, zero-padded copy of the tower's
// weights (every width rounded up to the SIMD width of 2, layer 1's kernel split into its user and
// item halves), their gradients, and per-slot activations. The shared weights stay in the
// engine's Float32Array store; they are copied in once per batch (`load`) and the tower's gradients
// copied out once per batch (`store`), as the JS kernel already does with its dense copy.
//
// No tfjs here: worker threads import this file.
import type { ParamLayout } from './layout.js';
import { decodeBase64 } from '../../_lib/wasm-bytes.js';
import { TOWER_WASM_BASE64 } from './tower-wasm.generated.js';

/** Which implementation computes the dense tower: WebAssembly SIMD, or the plain JS kernel. */
export type KernelKind = 'wasm-simd' | 'js';

/** Our data starts at the second 64 KiB page: the module's own static data lives in the first. */
const BASE = 65536;
const PAGE = 65536;
const CFG_WORDS = 16;

interface TowerExports {
  memory: WebAssembly.Memory;
  configure(cfg: number): void;
  forward(slot: number, newUser: number): number;
  backward(slot: number, dz: number): void;
  flush(): void;
}

let compiled: Promise<WebAssembly.Module | null> | undefined;

/**
 * Compiles the tower module once per process, asynchronously. Resolves null where it cannot run
 * (no WebAssembly, or no SIMD: `WebAssembly.validate` of the module itself is the feature test, so
 * it answers exactly for the instructions the module uses).
 *
 * @returns the compiled module, or null (then the JS kernel runs)
 */
export function compileTower(): Promise<WebAssembly.Module | null> {
  compiled ??= (async () => {
    try {
      if (typeof WebAssembly !== 'object' || typeof WebAssembly.compile !== 'function') return null;
      const bytes = decodeBase64(TOWER_WASM_BASE64);
      if (!WebAssembly.validate(bytes)) return null;
      return await WebAssembly.compile(bytes);
    } catch {
      return null;
    }
  })();
  return compiled;
}

const even = (n: number): number => n + (n & 1);

/**
 * One instance of the tower module, laid out for one model and loss. The kernel writes the MLP
 * embeddings of an instance into `x[slot]` (item) and `xu` (user, when it changes), calls
 * `forward`, and after `backward` reads dL/dV[i] from `dx[slot]`; `xrun` holds the user of the run
 * being accumulated and `du` receives dL/dU[u] when the run is flushed.
 */
export class WasmTower {
  /** Per slot: the item half of the tower's input (length E of a padded row). */
  readonly x: Float64Array[] = [];
  /** Per slot: dL/dV[i] after `backward`. */
  readonly dx: Float64Array[] = [];
  /** The current user's MLP embedding, for the cached user half of layer 1. */
  readonly xu: Float64Array;
  /** The MLP embedding of the user whose run `backward` accumulates. */
  readonly xrun: Float64Array;
  /** dL/dU[u] of the run, after `flush`. */
  readonly du: Float64Array;
  readonly forward: (slot: number, newUser: number) => number;
  readonly backward: (slot: number, dz: number) => void;
  readonly flush: () => void;
  private readonly weights: Float64Array;
  private readonly grads: Float64Array;
  /** The tower's entries of the dense block (relative to denseOffset) and where each sits in `weights`. */
  private readonly from: Int32Array;
  private readonly to: Int32Array;

  constructor(instance: WebAssembly.Instance, layout: ParamLayout, slots: number) {
    const ex = instance.exports as unknown as TowerExports;
    const tower = layout.tower;
    const NL = tower.length - 1;
    if (NL < 1) throw new TypeError('WasmTower: the model has no dense tower layer');
    const E = layout.mlpEmbedding;
    const PE = even(E);
    const width = tower.map((n, l) => (l === 0 ? PE : even(n)));
    const maxWidth = Math.max(...width);

    // element offsets in the padded weight block, and the map from the dense block
    const base = layout.denseOffset;
    const from: number[] = [];
    const to: number[] = [];
    let size = 0;
    const kernels: number[] = [];
    const biases: number[] = [];
    for (let l = 0; l < NL; l++) {
      const nOut = tower[l + 1];
      const pOut = width[l + 1];
      const K = layout.towerKernels[l] - base;
      const b = layout.towerBiases[l] - base;
      kernels.push(size);
      if (l === 0) {
        const Wi = size + pOut * PE;
        for (let j = 0; j < nOut; j++) {
          for (let k = 0; k < E; k++) {
            from.push(K + j * 2 * E + k, K + j * 2 * E + E + k);
            to.push(size + j * PE + k, Wi + j * PE + k);
          }
        }
        size += 2 * pOut * PE;
      } else {
        const nIn = tower[l];
        const pIn = width[l];
        for (let j = 0; j < nOut; j++) {
          for (let k = 0; k < nIn; k++) {
            from.push(K + j * nIn + k);
            to.push(size + j * pIn + k);
          }
        }
        size += pOut * pIn;
      }
      biases.push(size);
      for (let j = 0; j < nOut; j++) {
        from.push(b + j);
        to.push(size + j);
      }
      size += pOut;
    }
    const wp = size;
    for (let j = 0; j < tower[NL]; j++) {
      from.push(layout.predictionKernel - base + layout.factors + j);
      to.push(wp + j);
    }
    size += width[NL];
    this.from = Int32Array.from(from);
    this.to = Int32Array.from(to);

    // byte layout of the private memory (every region a multiple of 16 bytes: all lengths are even)
    let at = BASE;
    const take = (elements: number): number => {
      const where = at;
      at += Math.ceil((elements * 8) / 16) * 16;
      return where;
    };
    const cfg = take((CFG_WORDS + 4 * NL) / 2);
    const weights = take(size);
    const grads = take(size);
    const xu = take(PE);
    const xrun = take(PE);
    const pre = take(width[1]);
    const run = take(width[1]);
    const dh = take(maxWidth);
    const din = take(maxWidth);
    const live = take(maxWidth);
    const du = take(PE);
    // a slot: x (PE), dx (PE), then the activations of layers 1..NL
    const activation: number[] = [];
    let slotBytes = 2 * PE * 8;
    for (let l = 1; l <= NL; l++) {
      activation.push(slotBytes);
      slotBytes += width[l] * 8;
    }
    const slot0 = take((slotBytes / 8) * slots);
    const memory = ex.memory;
    if (memory.buffer.byteLength < at) memory.grow(Math.ceil((at - memory.buffer.byteLength) / PAGE));
    const buffer = memory.buffer;
    new Uint8Array(buffer, BASE, at - BASE).fill(0);

    const words = new Int32Array(buffer, cfg, CFG_WORDS + 4 * NL);
    words.set([NL, PE, grads - weights, weights + wp * 8, xu, xrun, pre, run, dh, din, live, du, slotBytes, slot0]);
    for (let l = 0; l < NL; l++) {
      words.set([width[l + 1], weights + kernels[l] * 8, weights + biases[l] * 8, activation[l]], CFG_WORDS + 4 * l);
    }
    ex.configure(cfg);

    this.weights = new Float64Array(buffer, weights, size);
    this.grads = new Float64Array(buffer, grads, size);
    this.xu = new Float64Array(buffer, xu, E);
    this.xrun = new Float64Array(buffer, xrun, E);
    this.du = new Float64Array(buffer, du, E);
    for (let s = 0; s < slots; s++) {
      this.x.push(new Float64Array(buffer, slot0 + s * slotBytes, E));
      this.dx.push(new Float64Array(buffer, slot0 + s * slotBytes + PE * 8, E));
    }
    this.forward = ex.forward;
    this.backward = ex.backward;
    this.flush = ex.flush;
  }

  /** Copies the tower's weights from the dense block (relative to denseOffset) and zeroes their gradients. */
  load(dense: Float64Array): void {
    const W = this.weights;
    const from = this.from;
    const to = this.to;
    for (let t = 0; t < from.length; t++) W[to[t]] = dense[from[t]];
    this.grads.fill(0);
  }

  /** Writes the tower's accumulated gradients into their places of the dense gradient block. */
  store(gDense: Float64Array): void {
    const G = this.grads;
    const from = this.from;
    const to = this.to;
    for (let t = 0; t < from.length; t++) gDense[from[t]] = G[to[t]];
  }
}

/**
 * Instantiates the tower module (asynchronously, as browsers require for modules over 4 KB on the
 * main thread) with its own memory, laid out for `layout` and `slots` instances in flight (1 for
 * BCE, 2 for BPR's pairs).
 *
 * @param module - from {@link compileTower} (possibly received by a worker via postMessage)
 * @param layout - the model's parameter layout; needs at least one dense tower layer
 * @param slots - forward passes kept for backward at once
 * @returns the tower
 */
export async function instantiateTower(module: WebAssembly.Module, layout: ParamLayout, slots: number): Promise<WasmTower> {
  const instance = await WebAssembly.instantiate(module, {});
  return new WasmTower(instance, layout, slots);
}
