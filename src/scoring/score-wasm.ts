// The fast scorer's kernel in WebAssembly SIMD (f32x4): loading the module, laying out its private
// memory for one model, and moving numbers between it and NcfFastScorer (scorer-fast.ts).
//
// Why: full ranking spends nearly all its time in the per-pair tower (relu(a_u + c_i), then
// mlp_layer2..N and the output), and V8 does not vectorise JS loops. The kernel (wasm/score.ts,
// AssemblyScript, shipped as base64 in score-wasm.generated.ts) runs it for blocks of 64 items as
// small matrix products, register-blocked 4 items x 8 units. scorer-fast.ts's JS loops stay the
// readable statement of the math and the fallback where WebAssembly SIMD is missing.
//
// Each scorer owns one instance with its own memory, laid out once at creation: the per-item tables
// (c_i, computed by the kernel itself, and the GMF item vectors; both on first use, about 1 ms for
// ML-1M's 3,706 items where the JS loops took about 10), the per-user vectors (a_u, p_u ⊙ w_gmf),
// the hidden layers' weights, two activation blocks, the output scores and an item list. Every width is
// rounded up to 4 with zeros in the padding (see wasm/score.ts for why that changes no result).
import { decodeBase64 } from '../_lib/wasm-bytes.js';
import { SCORE_WASM_BASE64 } from './score-wasm.generated.js';
import type { NcfWeights } from './scorer-fast.js';
import {
  C_AU, C_BIAS, C_BUFA, C_BUFB, C_CTAB, C_GLOBAL_WORDS, C_GTAB, C_GU, C_HIDDEN, C_ITEMS, C_LAST, C_LINEAR, C_LIST,
  C_OUT, C_P1, C_PADDED_WIDTH, C_PF, C_W1I, C_WOUT, C_ZERO, L_BIAS, L_IN, L_KERNEL, L_OUT, LAYER_WORDS,
} from './score-words.js';

/** Which implementation computes a fast scorer's scores: WebAssembly SIMD, or plain JS loops. */
export type ScoreKernelKind = 'wasm-simd' | 'js';

/** Our data starts at the second 64 KiB page: the module's own static data lives in the first. */
const BASE = 65536;
const PAGE = 65536;
/** Items the kernel scores per block (wasm/score.ts's BLOCK). */
const BLOCK = 64;
/** Most items of one `scoreList` call; longer lists go in several calls. */
export const LIST_CHUNK = 4096;

interface ScoreExports {
  memory: WebAssembly.Memory;
  configure(cfg: number): void;
  scoreRange(first: number, count: number): void;
  scoreList(count: number): void;
  itemFirst(count: number, at: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled kernel module, compiled synchronously once per process (the module is about 2.4 KB,
 * under the 4 KB that browsers allow to compile synchronously on the main thread). Null where it
 * cannot run: no WebAssembly, or no SIMD (`WebAssembly.validate` of the module itself is the feature
 * test, so it answers exactly for the instructions the module uses), or a compile that throws.
 *
 * @returns the module, or null (then the fast scorer runs its JS loops)
 */
export function scoreModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function') {
      const bytes = decodeBase64(SCORE_WASM_BASE64);
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

const pad4 = (n: number): number => (n + 3) & ~3;


/**
 * One instance of the kernel, laid out for one model. The scorer fills the item tables once
 * (`loadItems`), writes each user's vectors (`setUser`), then asks for the scores of every item
 * (`scoreAll`) or of a list (`scoreList`).
 */
export class ScoreKernel {
  private readonly numItems: number;
  private readonly p1: number;
  private readonly pf: number;
  private readonly memory: WebAssembly.Memory;
  private readonly ex: ScoreExports;
  private readonly gtab: Float32Array;
  private readonly au: Float32Array;
  private readonly gu: Float32Array;
  private readonly out: Float32Array;
  private readonly list: Int32Array;
  private itemsLoaded = false;
  private readonly w: NcfWeights;
  /** Padded width of the MLP item embedding, and BUFA, where loadItems stages a block of them. */
  private readonly paddedWidth: number;
  private readonly stage: Float32Array;

  /**
   * @param module - from {@link scoreModule}
   * @param w - the model's weights; the MLP part needs `firstWidth` units in its first stage
   * @param firstWidth - mlp_layer1's units, or 1 when the MLP has no hidden layer (the output reads
   *   a_u + c_i directly, with no ReLU)
   */
  constructor(module: WebAssembly.Module, w: NcfWeights, firstWidth: number) {
    const instance = new WebAssembly.Instance(module, {});
    const ex = instance.exports as unknown as ScoreExports;
    this.ex = ex;
    this.memory = ex.memory;
    const numItems = w.architecture.numItems;
    this.numItems = numItems;
    this.w = w;
    const hasMlp = w.mlpWidth > 0;
    const linear = hasMlp && w.tower.length === 0;
    const p1 = hasMlp ? pad4(firstWidth) : 0;
    const pf = pad4(w.factors);
    this.p1 = p1;
    this.pf = pf;
    const paddedWidth = hasMlp ? pad4(w.mlpWidth) : 0;
    this.paddedWidth = paddedWidth;
    const hidden = hasMlp ? w.tower.slice(1) : [];
    const widths = [p1, ...hidden.map((d) => pad4(d.units))];
    const last = hasMlp && !linear ? widths[widths.length - 1] : 0;
    const widest = Math.max(4, paddedWidth, ...widths);
    const rows = Math.max(numItems, LIST_CHUNK);

    // byte layout (every region a multiple of 16 bytes)
    let at = BASE;
    const take = (floats: number): number => {
      const where = at;
      at += Math.ceil((floats * 4) / 16) * 16;
      return where;
    };
    const cfg = take(C_GLOBAL_WORDS + LAYER_WORDS * hidden.length);
    const ctab = take(pad4(numItems) * p1); // whole groups of 4 rows: itemFirst writes them
    const gtab = take(numItems * pf);
    const au = take(p1);
    const gu = take(pf);
    const wout = take(last);
    const bias = take(4);
    const w1i = take(paddedWidth * p1);
    const zero = take(p1);
    const layers = hidden.map((d, l) => ({ kernel: take(widths[l] * widths[l + 1]), bias: take(widths[l + 1]) }));
    const bufA = take(BLOCK * widest);
    const bufB = take(BLOCK * widest);
    const out = take(Math.ceil(rows / BLOCK) * BLOCK);
    const list = take(LIST_CHUNK);
    if (this.memory.buffer.byteLength < at) this.memory.grow(Math.ceil((at - this.memory.buffer.byteLength) / PAGE));
    const buffer = this.memory.buffer;
    new Uint8Array(buffer, BASE, at - BASE).fill(0);

    const words = new Int32Array(buffer, cfg, C_GLOBAL_WORDS + LAYER_WORDS * hidden.length);
    const named: [number, number][] = [
      [C_ITEMS, numItems], [C_P1, p1], [C_PF, pf], [C_HIDDEN, hidden.length], [C_CTAB, ctab], [C_GTAB, gtab],
      [C_AU, au], [C_GU, gu], [C_WOUT, wout], [C_BIAS, bias], [C_BUFA, bufA], [C_BUFB, bufB], [C_OUT, out],
      [C_LIST, list], [C_LAST, last], [C_LINEAR, linear ? 1 : 0], [C_W1I, w1i], [C_PADDED_WIDTH, paddedWidth], [C_ZERO, zero],
    ];
    for (const [word, value] of named) words[word] = value;
    const f32 = (where: number, length: number) => new Float32Array(buffer, where, length);
    hidden.forEach((d, l) => {
      const c = C_GLOBAL_WORDS + LAYER_WORDS * l;
      words[c + L_IN] = widths[l];
      words[c + L_OUT] = widths[l + 1];
      words[c + L_KERNEL] = layers[l].kernel;
      words[c + L_BIAS] = layers[l].bias;
      const K = f32(layers[l].kernel, widths[l] * widths[l + 1]);
      const stride = widths[l + 1];
      for (let j = 0; j < d.inputs; j++) K.set(d.kernel.subarray(j * d.units, (j + 1) * d.units), j * stride);
      f32(layers[l].bias, d.units).set(d.bias);
    });
    if (last > 0) f32(wout, last).set(w.outKernel.subarray(w.factors));
    f32(bias, 1)[0] = w.outBias;
    if (hasMlp) {
      // the item half of mlp_layer1's kernel: rows mlpWidth..2*mlpWidth-1 (the output's, with no hidden layer)
      const kernel = w.tower.length > 0 ? w.tower[0].kernel : w.outKernel.subarray(w.factors);
      const W1 = f32(w1i, paddedWidth * p1);
      for (let j = 0; j < w.mlpWidth; j++) W1.set(kernel.subarray((w.mlpWidth + j) * firstWidth, (w.mlpWidth + j + 1) * firstWidth), j * p1);
    }
    ex.configure(cfg);

    this.gtab = f32(gtab, numItems * pf);
    this.au = f32(au, p1);
    this.gu = f32(gu, pf);
    this.out = f32(out, rows);
    this.list = new Int32Array(buffer, list, LIST_CHUNK);
    this.stage = f32(bufA, BLOCK * paddedWidth);
  }

  /** Whether {@link ScoreKernel.loadItems} has run. */
  get loaded(): boolean {
    return this.itemsLoaded;
  }

  /**
   * Builds the per-item tables, padded: c_i = W1_item . i_mlp for every item, computed by the kernel
   * a block of items at a time (in float32), and a copy of the GMF item vectors.
   */
  loadItems(): void {
    const { numItems, paddedWidth, pf, stage, w } = this;
    if (paddedWidth > 0) {
      const width = w.mlpWidth;
      for (let at = 0; at < numItems; at += BLOCK) {
        const n = Math.min(BLOCK, numItems - at);
        stage.fill(0);
        for (let t = 0; t < n; t++) stage.set(w.mlpItem.subarray((at + t) * width, (at + t + 1) * width), t * paddedWidth);
        this.ex.itemFirst(n, at);
      }
    }
    if (pf > 0) {
      const factors = w.factors;
      for (let i = 0; i < numItems; i++) this.gtab.set(w.gmfItem.subarray(i * factors, (i + 1) * factors), i * pf);
    }
    this.itemsLoaded = true;
  }

  /** Writes the user's a_u (first-stage pre-activation) and p_u ⊙ w_gmf. */
  setUser(first: Float32Array, gmf: Float32Array): void {
    if (this.p1 > 0) this.au.set(first);
    if (this.pf > 0) this.gu.set(gmf);
  }

  /** Scores every item for the current user into `result[offset..offset + numItems)`. */
  scoreAll(result: Float32Array, offset: number): void {
    this.ex.scoreRange(0, this.numItems);
    result.set(this.out.subarray(0, this.numItems), offset);
  }

  /** Scores `items[start..start + count)` for the current user into `result[offset..)`. */
  scoreList(items: Int32Array, start: number, count: number, result: Float32Array, offset: number): void {
    for (let b = 0; b < count; b += LIST_CHUNK) {
      const n = Math.min(LIST_CHUNK, count - b);
      this.list.set(items.subarray(start + b, start + b + n));
      this.ex.scoreList(n);
      result.set(this.out.subarray(0, n), offset + b);
    }
  }
}
