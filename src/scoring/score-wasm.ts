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
    this.w = w;
    const plan = planMemory(w, firstWidth);
    this.numItems = plan.numItems;
    this.p1 = plan.p1;
    this.pf = plan.pf;
    this.paddedWidth = plan.paddedWidth;
    if (this.memory.buffer.byteLength < plan.end) this.memory.grow(Math.ceil((plan.end - this.memory.buffer.byteLength) / PAGE));
    const buffer = this.memory.buffer;
    new Uint8Array(buffer, BASE, plan.end - BASE).fill(0);
    writeConfig(buffer, plan);
    writeWeights(buffer, plan, w, firstWidth);
    ex.configure(plan.cfg);
    const f32 = (where: number, length: number) => new Float32Array(buffer, where, length);
    this.gtab = f32(plan.gtab, plan.numItems * plan.pf);
    this.au = f32(plan.au, plan.p1);
    this.gu = f32(plan.gu, plan.pf);
    this.out = f32(plan.out, plan.rows);
    this.list = new Int32Array(buffer, plan.list, LIST_CHUNK);
    this.stage = f32(plan.bufA, BLOCK * plan.paddedWidth);
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

/** The padded widths of one model and where each region of the kernel's memory starts (bytes). */
type MemoryPlan = ReturnType<typeof planMemory>;

/** Lays out the kernel's memory for a model: every region a multiple of 16 bytes, from BASE. */
function planMemory(w: NcfWeights, firstWidth: number) {
  const numItems = w.architecture.numItems;
  const hasMlp = w.mlpWidth > 0;
  const linear = hasMlp && w.tower.length === 0;
  const p1 = hasMlp ? pad4(firstWidth) : 0;
  const pf = pad4(w.factors);
  const paddedWidth = hasMlp ? pad4(w.mlpWidth) : 0;
  const hidden = hasMlp ? w.tower.slice(1) : [];
  const widths = [p1, ...hidden.map((d) => pad4(d.units))];
  const last = hasMlp && !linear ? widths[widths.length - 1] : 0;
  const widest = Math.max(4, paddedWidth, ...widths);
  const rows = Math.max(numItems, LIST_CHUNK);
  let at = BASE;
  const take = (floats: number): number => {
    const where = at;
    at += Math.ceil((floats * 4) / 16) * 16;
    return where;
  };
  const regions = {
    cfg: take(C_GLOBAL_WORDS + LAYER_WORDS * hidden.length),
    ctab: take(pad4(numItems) * p1), // whole groups of 4 rows: itemFirst writes them
    gtab: take(numItems * pf),
    au: take(p1),
    gu: take(pf),
    wout: take(last),
    bias: take(4),
    w1i: take(paddedWidth * p1),
    zero: take(p1),
    layers: hidden.map((_, l) => ({ kernel: take(widths[l] * widths[l + 1]), bias: take(widths[l + 1]) })),
    bufA: take(BLOCK * widest),
    bufB: take(BLOCK * widest),
    out: take(Math.ceil(rows / BLOCK) * BLOCK),
    list: take(LIST_CHUNK),
  };
  return { numItems, hasMlp, linear, p1, pf, paddedWidth, hidden, widths, last, rows, ...regions, end: at };
}

/** The config words the kernel reads (score-words.ts names them), global then one group per hidden layer. */
function writeConfig(buffer: ArrayBuffer, m: MemoryPlan): void {
  const words = new Int32Array(buffer, m.cfg, C_GLOBAL_WORDS + LAYER_WORDS * m.hidden.length);
  const named: [number, number][] = [
    [C_ITEMS, m.numItems], [C_P1, m.p1], [C_PF, m.pf], [C_HIDDEN, m.hidden.length], [C_CTAB, m.ctab], [C_GTAB, m.gtab],
    [C_AU, m.au], [C_GU, m.gu], [C_WOUT, m.wout], [C_BIAS, m.bias], [C_BUFA, m.bufA], [C_BUFB, m.bufB], [C_OUT, m.out],
    [C_LIST, m.list], [C_LAST, m.last], [C_LINEAR, m.linear ? 1 : 0], [C_W1I, m.w1i], [C_PADDED_WIDTH, m.paddedWidth], [C_ZERO, m.zero],
  ];
  for (const [word, value] of named) words[word] = value;
  m.hidden.forEach((_, l) => {
    const c = C_GLOBAL_WORDS + LAYER_WORDS * l;
    words[c + L_IN] = m.widths[l];
    words[c + L_OUT] = m.widths[l + 1];
    words[c + L_KERNEL] = m.layers[l].kernel;
    words[c + L_BIAS] = m.layers[l].bias;
  });
}

/** The hidden layers, the output's tower part and bias, and the item half of mlp_layer1, padded. */
function writeWeights(buffer: ArrayBuffer, m: MemoryPlan, w: NcfWeights, firstWidth: number): void {
  const f32 = (where: number, length: number) => new Float32Array(buffer, where, length);
  m.hidden.forEach((d, l) => {
    const K = f32(m.layers[l].kernel, m.widths[l] * m.widths[l + 1]);
    const stride = m.widths[l + 1];
    for (let j = 0; j < d.inputs; j++) K.set(d.kernel.subarray(j * d.units, (j + 1) * d.units), j * stride);
    f32(m.layers[l].bias, d.units).set(d.bias);
  });
  if (m.last > 0) f32(m.wout, m.last).set(w.outKernel.subarray(w.factors));
  f32(m.bias, 1)[0] = w.outBias;
  if (m.hasMlp) {
    // the item half of mlp_layer1's kernel: rows mlpWidth..2*mlpWidth-1 (the output's, with no hidden layer)
    const kernel = w.tower.length > 0 ? w.tower[0].kernel : w.outKernel.subarray(w.factors);
    const W1 = f32(m.w1i, m.paddedWidth * m.p1);
    for (let j = 0; j < w.mlpWidth; j++) W1.set(kernel.subarray((w.mlpWidth + j) * firstWidth, (w.mlpWidth + j + 1) * firstWidth), j * m.p1);
  }
}
