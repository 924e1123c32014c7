// The fused engine's dense MLP tower in WebAssembly SIMD (f64x2): loading the module, laying out its
// private memory, and moving numbers between it and the JS kernel (kernel.ts).
//
// Why: the tower is about 85-90% of a single-thread step (measured for NeuMF [64,32,16,8]), and V8
// does not vectorise JS loops. The same per-instance math in wasm SIMD made the whole engine about
// 2.8x faster at batch 256 and 2.65x at batch 4096 (scalar wasm only 1.8x). The source is
// wasm/tower.ts (AssemblyScript), shipped as base64 in tower-wasm.generated.ts; the test oracle
// test/oracles/ncf-reference.ts stays the readable statement of the math, and tower-js.ts (the same
// DenseTower interface) the fallback where WebAssembly SIMD is missing.
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
import {
  C_DH, C_DIN, C_DU, C_GLOBAL_WORDS, C_GRAD, C_LAYERS, C_LIVE, C_PADDED_WIDTH, C_PRE, C_RUN, C_SLOT, C_SLOT0,
  C_WP, C_XRUN, C_XU, L_ACTIVATION, L_BIAS, L_KERNEL, L_WIDTH, LAYER_WORDS,
} from './tower-words.js';

/** Which implementation computes the dense tower: WebAssembly SIMD, or the plain JS kernel. */
export type KernelKind = 'wasm-simd' | 'js';

/** Our data starts at the second 64 KiB page: the module's own static data lives in the first. */
const BASE = 65536;
const PAGE = 65536;

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
 * The tower's weights laid out padded (element offsets in the padded weight block), and the map
 * from the engine's dense block (offsets relative to denseOffset) to it.
 */
interface PaddedTower {
  /** Padded widths: [paddedWidth, even(tower[1]), ...]. */
  readonly width: readonly number[];
  readonly kernels: readonly number[];
  readonly biases: readonly number[];
  /** The tower part of the prediction kernel. */
  readonly wp: number;
  readonly size: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
}

function padTower(layout: ParamLayout, paddedWidth: number): PaddedTower {
  const { tower, mlpWidth } = layout;
  const NL = tower.length - 1;
  const width = tower.map((n, l) => (l === 0 ? paddedWidth : even(n)));
  const base = layout.denseOffset;
  const from: number[] = [];
  const to: number[] = [];
  const kernels: number[] = [];
  const biases: number[] = [];
  let size = 0;
  for (let l = 0; l < NL; l++) {
    const nOut = tower[l + 1];
    const pOut = width[l + 1];
    const K = layout.towerKernels[l] - base;
    const b = layout.towerBiases[l] - base;
    kernels.push(size);
    if (l === 0) {
      // two matrices [pOut][paddedWidth]: the user half, then the item half
      const Wi = size + pOut * paddedWidth;
      for (let j = 0; j < nOut; j++) {
        for (let k = 0; k < mlpWidth; k++) {
          from.push(K + j * 2 * mlpWidth + k, K + j * 2 * mlpWidth + mlpWidth + k);
          to.push(size + j * paddedWidth + k, Wi + j * paddedWidth + k);
        }
      }
      size += 2 * pOut * paddedWidth;
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
  return { width, kernels, biases, wp, size, from: Int32Array.from(from), to: Int32Array.from(to) };
}

/** Byte addresses of the regions of the private memory (every region a multiple of 16 bytes). */
interface TowerMemory {
  readonly cfg: number;
  readonly weights: number;
  readonly grads: number;
  readonly xu: number;
  readonly xrun: number;
  readonly pre: number;
  readonly run: number;
  readonly dh: number;
  readonly din: number;
  readonly live: number;
  readonly du: number;
  /** A slot: x (paddedWidth), dx (paddedWidth), then the activations of layers 1..NL at these offsets. */
  readonly activation: readonly number[];
  readonly slotBytes: number;
  readonly slot0: number;
  /** The first byte after the last region. */
  readonly end: number;
}

function planMemory(padded: PaddedTower, paddedWidth: number, slots: number): TowerMemory {
  const { width, size } = padded;
  const NL = width.length - 1;
  const maxWidth = Math.max(...width);
  let at = BASE;
  const take = (elements: number): number => {
    const where = at;
    at += Math.ceil((elements * 8) / 16) * 16;
    return where;
  };
  const cfg = take((C_GLOBAL_WORDS + LAYER_WORDS * NL) / 2);
  const weights = take(size);
  const grads = take(size);
  const xu = take(paddedWidth);
  const xrun = take(paddedWidth);
  const pre = take(width[1]);
  const run = take(width[1]);
  const dh = take(maxWidth);
  const din = take(maxWidth);
  const live = take(maxWidth);
  const du = take(paddedWidth);
  const activation: number[] = [];
  let slotBytes = 2 * paddedWidth * 8;
  for (let l = 1; l <= NL; l++) {
    activation.push(slotBytes);
    slotBytes += width[l] * 8;
  }
  const slot0 = take((slotBytes / 8) * slots);
  return { cfg, weights, grads, xu, xrun, pre, run, dh, din, live, du, activation, slotBytes, slot0, end: at };
}

/** Writes the config table (tower-words.ts names every word) and returns its address. */
function writeWords(buffer: ArrayBuffer, m: TowerMemory, padded: PaddedTower, paddedWidth: number): number {
  const NL = padded.width.length - 1;
  const words = new Int32Array(buffer, m.cfg, C_GLOBAL_WORDS + LAYER_WORDS * NL);
  words[C_LAYERS] = NL;
  words[C_PADDED_WIDTH] = paddedWidth;
  words[C_GRAD] = m.grads - m.weights;
  words[C_WP] = m.weights + padded.wp * 8;
  words[C_XU] = m.xu;
  words[C_XRUN] = m.xrun;
  words[C_PRE] = m.pre;
  words[C_RUN] = m.run;
  words[C_DH] = m.dh;
  words[C_DIN] = m.din;
  words[C_LIVE] = m.live;
  words[C_DU] = m.du;
  words[C_SLOT] = m.slotBytes;
  words[C_SLOT0] = m.slot0;
  for (let l = 0; l < NL; l++) {
    const c = C_GLOBAL_WORDS + LAYER_WORDS * l;
    words[c + L_WIDTH] = padded.width[l + 1];
    words[c + L_KERNEL] = m.weights + padded.kernels[l] * 8;
    words[c + L_BIAS] = m.weights + padded.biases[l] * 8;
    words[c + L_ACTIVATION] = m.activation[l];
  }
  return m.cfg;
}

/**
 * One instance of the tower module, laid out for one model and loss. The kernel writes the MLP
 * embeddings of an instance into `x[slot]` (item) and `xu` (user, when it changes), calls
 * `forward`, and after `backward` reads dL/dV[i] from `dx[slot]`; `xrun` holds the user of the run
 * being accumulated and `du` receives dL/dU[u] when the run is flushed.
 */
export class WasmTower {
  /** Per slot: the item half of the tower's input (mlpWidth entries of a padded row). */
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
    if (layout.tower.length < 2) throw new TypeError('WasmTower: the model has no dense tower layer');
    const { mlpWidth } = layout;
    const paddedWidth = even(mlpWidth);
    const padded = padTower(layout, paddedWidth);
    const m = planMemory(padded, paddedWidth, slots);
    this.from = padded.from;
    this.to = padded.to;

    const memory = ex.memory;
    if (memory.buffer.byteLength < m.end) memory.grow(Math.ceil((m.end - memory.buffer.byteLength) / PAGE));
    const buffer = memory.buffer;
    new Uint8Array(buffer, BASE, m.end - BASE).fill(0);
    ex.configure(writeWords(buffer, m, padded, paddedWidth));

    this.weights = new Float64Array(buffer, m.weights, padded.size);
    this.grads = new Float64Array(buffer, m.grads, padded.size);
    this.xu = new Float64Array(buffer, m.xu, mlpWidth);
    this.xrun = new Float64Array(buffer, m.xrun, mlpWidth);
    this.du = new Float64Array(buffer, m.du, mlpWidth);
    for (let s = 0; s < slots; s++) {
      this.x.push(new Float64Array(buffer, m.slot0 + s * m.slotBytes, mlpWidth));
      this.dx.push(new Float64Array(buffer, m.slot0 + s * m.slotBytes + paddedWidth * 8, mlpWidth));
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
