// AssemblyScript source of the fast scorer's kernel in WebAssembly SIMD (f32x4): the score of every
// item (or of a list of items) for one user of a standard NCF model (GMF, MLP, NeuMF).
// Not TypeScript proper: compiled by `npm run build:wasm` (scripts/build-wasm.mjs) into
// src/scoring/score-wasm.generated.ts. The math is scorer-fast.ts's, in float32 as tfjs computes it:
//   h1 = relu(a_u + c_i)                  a_u: the user half of mlp_layer1 plus its bias (per user)
//                                         c_i: the item half (per item, once per scorer: itemFirst)
//   h_l = relu(h_{l-1} W_l + b_l)         mlp_layer2..N, for blocks of items as matrix products
//   z  = b + w_mlp . h_N + g_u . q_i      g_u = p_u ⊙ w_gmf (per user), q_i the item's GMF vector
//   score = 1 / (1 + exp(-z))
//
// Memory is laid out by the JS side (score-wasm.ts) and described by a table of i32 words at CFG,
// whose indices both sides import from score-words.ts.
// Every width is padded to a multiple of 4 (the SIMD width) with zero weights, zero biases and zero
// table entries in the padding, so padded units stay at relu(0) = 0 and add nothing: the padding
// changes no result. All arrays are f32 and 16-byte aligned.
//
// ReLU is f32x4.pmax(x, 0), i.e. x < 0 ? 0 : x, one instruction (maxps) where f32x4.max's IEEE NaN
// and signed-zero rules cost V8 about six: it gives -0 for -0 (max gives +0; the same in every later
// sum and score) and lets a NaN through, as tfjs's relu does, so a NaN weight still shows in the
// scores. Measured: about 10% of the whole kernel's time.

let CFG: usize = 0;

// the words of the config table: one table, shared with score-wasm.ts, which writes them
import {
  C_AU, C_BIAS, C_BUFA, C_BUFB, C_CTAB, C_GLOBAL_WORDS, C_GTAB, C_GU, C_HIDDEN, C_LAST, C_LINEAR, C_LIST, C_OUT,
  C_P1, C_PADDED_WIDTH, C_PF, C_W1I, C_WOUT, C_ZERO, L_BIAS, L_IN, L_KERNEL, L_OUT, LAYER_WORDS,
} from '../src/scoring/score-words';

/** Items scored together; their activations (BLOCK x widest width floats) stay in the L1 cache. */
const BLOCK: i32 = 64;

function word(k: i32): i32 {
  return load<i32>(CFG + ((<usize>k) << 2));
}

function addr(k: i32): usize {
  return <usize>load<i32>(CFG + ((<usize>k) << 2));
}

function ix(k: i32): usize {
  return (<usize>k) << 2;
}

export function configure(cfg: usize): void {
  CFG = cfg;
}

/** The item at position t of the run: `start + t`, or `list[start + t]`. */
// @ts-ignore: decorator
@inline
function itemAt(list: usize, start: i32, t: i32): usize {
  return list == 0 ? <usize>(start + t) : <usize>load<i32>(list + ix(start + t));
}

/** X[t] = relu(a_u + c_item(t)) for the block's n items; rows n..n4-1 (the last group of 4) are zeroed. */
function firstStage(list: usize, start: i32, n: i32, n4: i32, X: usize): void {
  const P1 = word(C_P1);
  const stride = ix(P1);
  const C = addr(C_CTAB);
  const A = addr(C_AU);
  const zero = f32x4.splat(0);
  for (let t = 0; t < n; t++) {
    const c = C + itemAt(list, start, t) * stride;
    const x = X + (<usize>t) * stride;
    for (let o = 0; o < P1; o += 4) {
      v128.store(x + ix(o), f32x4.pmax(f32x4.add(v128.load(A + ix(o)), v128.load(c + ix(o))), zero));
    }
  }
  for (let t = n; t < n4; t++) {
    const x = X + (<usize>t) * stride;
    for (let o = 0; o < P1; o += 4) v128.store(x + ix(o), zero);
  }
}

/**
 * Y = relu(X W + b) (or X W + b when `relu` is false) for n4 rows (a multiple of 4): X [n4][pIn],
 * W [pIn][pOut], Y [n4][pOut].
 * Register-blocked: 4 rows x 8 outputs (8 accumulators) per pass over the inputs, each weight
 * vector loaded once for the 4 rows and each input broadcast once for 2 weight vectors.
 */
function dense(X: usize, pIn: i32, W: usize, b: usize, Y: usize, pOut: i32, n4: i32, relu: bool): void {
  // pmax(x, -inf) is x: the same code then applies no ReLU
  const zero = f32x4.splat(relu ? <f32>0 : -Infinity);
  const sx = ix(pIn);
  const sy = ix(pOut);
  const sw = ix(pOut);
  for (let t = 0; t < n4; t += 4) {
    const x0 = X + (<usize>t) * sx;
    const x1 = x0 + sx;
    const x2 = x1 + sx;
    const x3 = x2 + sx;
    const y0 = Y + (<usize>t) * sy;
    const y1 = y0 + sy;
    const y2 = y1 + sy;
    const y3 = y2 + sy;
    let o = 0;
    for (; o + 8 <= pOut; o += 8) {
      const oo = ix(o);
      const bl = v128.load(b + oo);
      const bh = v128.load(b + oo + 16);
      let a0 = bl, a1 = bl, a2 = bl, a3 = bl;
      let c0 = bh, c1 = bh, c2 = bh, c3 = bh;
      let w = W + oo;
      for (let j = 0; j < pIn; j++) {
        const jj = ix(j);
        const wl = v128.load(w);
        const wh = v128.load(w + 16);
        const v0 = v128.load32_splat(x0 + jj);
        const v1 = v128.load32_splat(x1 + jj);
        const v2 = v128.load32_splat(x2 + jj);
        const v3 = v128.load32_splat(x3 + jj);
        a0 = f32x4.add(a0, f32x4.mul(v0, wl));
        c0 = f32x4.add(c0, f32x4.mul(v0, wh));
        a1 = f32x4.add(a1, f32x4.mul(v1, wl));
        c1 = f32x4.add(c1, f32x4.mul(v1, wh));
        a2 = f32x4.add(a2, f32x4.mul(v2, wl));
        c2 = f32x4.add(c2, f32x4.mul(v2, wh));
        a3 = f32x4.add(a3, f32x4.mul(v3, wl));
        c3 = f32x4.add(c3, f32x4.mul(v3, wh));
        w += sw;
      }
      v128.store(y0 + oo, f32x4.pmax(a0, zero));
      v128.store(y0 + oo + 16, f32x4.pmax(c0, zero));
      v128.store(y1 + oo, f32x4.pmax(a1, zero));
      v128.store(y1 + oo + 16, f32x4.pmax(c1, zero));
      v128.store(y2 + oo, f32x4.pmax(a2, zero));
      v128.store(y2 + oo + 16, f32x4.pmax(c2, zero));
      v128.store(y3 + oo, f32x4.pmax(a3, zero));
      v128.store(y3 + oo + 16, f32x4.pmax(c3, zero));
    }
    if (o < pOut) {
      // the last 4 outputs (pOut is a multiple of 4)
      const oo = ix(o);
      const bl = v128.load(b + oo);
      let a0 = bl, a1 = bl, a2 = bl, a3 = bl;
      let w = W + oo;
      for (let j = 0; j < pIn; j++) {
        const jj = ix(j);
        const wl = v128.load(w);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x0 + jj), wl));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(x1 + jj), wl));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(x2 + jj), wl));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(x3 + jj), wl));
        w += sw;
      }
      v128.store(y0 + oo, f32x4.pmax(a0, zero));
      v128.store(y1 + oo, f32x4.pmax(a1, zero));
      v128.store(y2 + oo, f32x4.pmax(a2, zero));
      v128.store(y3 + oo, f32x4.pmax(a3, zero));
    }
  }
}

/** Sum of the 4 lanes. */
// @ts-ignore: decorator
@inline
function lanes(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Scores the block of n items at `start` of the run into OUT[at..at+n). */
function block(list: usize, start: i32, n: i32, at: i32): void {
  const P1 = word(C_P1);
  const PF = word(C_PF);
  const out = addr(C_OUT) + ix(at);
  const bias = load<f32>(addr(C_BIAS));
  const n4 = (n + 3) & ~3;
  let H: usize = 0;
  let last = 0;
  const linear = word(C_LINEAR) != 0;
  if (P1 > 0 && !linear) {
    let X = addr(C_BUFA);
    let Y = addr(C_BUFB);
    firstStage(list, start, n, n4, X);
    const hidden = word(C_HIDDEN);
    for (let l = 0; l < hidden; l++) {
      const c = C_GLOBAL_WORDS + LAYER_WORDS * l;
      dense(X, word(c + L_IN), addr(c + L_KERNEL), addr(c + L_BIAS), Y, word(c + L_OUT), n4, true);
      const swap = X;
      X = Y;
      Y = swap;
    }
    H = X;
    last = word(C_LAST);
  }
  const wout = addr(C_WOUT);
  const G = addr(C_GTAB);
  const gu = addr(C_GU);
  const C = addr(C_CTAB);
  const au0 = P1 > 0 ? load<f32>(addr(C_AU)) : 0;
  for (let t = 0; t < n; t++) {
    const item = itemAt(list, start, t);
    let acc = f32x4.splat(0);
    if (H != 0) {
      const h = H + (<usize>t) * ix(last);
      for (let o = 0; o < last; o += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(h + ix(o)), v128.load(wout + ix(o))));
    }
    if (PF > 0) {
      const q = G + item * ix(PF);
      for (let f = 0; f < PF; f += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(q + ix(f)), v128.load(gu + ix(f))));
    }
    let z: f32 = bias + lanes(acc);
    if (linear) z += au0 + load<f32>(C + item * ix(P1));
    store<f32>(out + ix(t), <f32>1 / (<f32>1 + Mathf.exp(-z)));
  }
}

/**
 * The item tables' first part, once per scorer: c_i = W1_item . i for the `count` (<= BLOCK) items
 * whose padded MLP embeddings the caller put in BUFA ([BLOCK][paddedWidth]), into rows at..at+count-1 of the
 * c table (which has rows up to a multiple of 4, so the last group of 4 fits).
 */
export function itemFirst(count: i32, at: i32): void {
  const P1 = word(C_P1);
  dense(addr(C_BUFA), word(C_PADDED_WIDTH), addr(C_W1I), addr(C_ZERO), addr(C_CTAB) + (<usize>at) * ix(P1), P1, (count + 3) & ~3, false);
}

/** Scores items 0..count-1 (count <= the number of items) for the prepared user into OUT[0..count). */
export function scoreRange(first: i32, count: i32): void {
  for (let b = 0; b < count; b += BLOCK) block(0, first + b, min(BLOCK, count - b), b);
}

/** Scores the items LIST[0..count) for the prepared user into OUT[0..count). */
export function scoreList(count: i32): void {
  const list = addr(C_LIST);
  for (let b = 0; b < count; b += BLOCK) block(list, b, min(BLOCK, count - b), b);
}
