// AssemblyScript source of the fused engine's dense MLP tower in WebAssembly SIMD (f64x2).
// Not TypeScript proper: compiled by `npm run build:wasm` (scripts/build-wasm.mjs) into
// src/training/fused/tower-wasm.generated.ts. The math is reference.ts's and kernel.ts's tower, per
// instance: forward (relu(W h + b) per layer, layer 1 split into a cached user half and an item
// half) and backward (weight gradients and input gradients over the units the ReLU let through,
// the user half of layer 1 summed over a run of equal users and flushed once per run).
//
// Memory is laid out by the JS side (tower-wasm.ts) and described by a table of i32 words at CFG,
// whose indices both sides import from tower-words.ts.
// Every width is padded to an even number (the SIMD width), with zero weights, zero inputs and zero
// biases in the padding: padded units stay at relu(0) = 0, never count as live, and padded gradient
// entries stay 0, so the padding changes no result. The gradient of the weight at byte address a is
// at a + GRAD. All arrays are f64 and 16-byte aligned.

let CFG: usize = 0;

// the words of the config table: one table, shared with tower-wasm.ts, which writes them
import {
  C_DH, C_DIN, C_DU, C_GLOBAL_WORDS, C_GRAD, C_LAYERS, C_LIVE, C_PADDED_WIDTH, C_PRE, C_RUN, C_SLOT, C_SLOT0,
  C_WP, C_XRUN, C_XU, L_ACTIVATION, L_BIAS, L_KERNEL, L_WIDTH, LAYER_WORDS,
} from '../src/training/fused/tower-words';

function word(k: i32): i32 {
  return load<i32>(CFG + ((<usize>k) << 2));
}

function addr(k: i32): usize {
  return <usize>load<i32>(CFG + ((<usize>k) << 2));
}

function ix(k: i32): usize {
  return (<usize>k) << 3;
}

export function configure(cfg: usize): void {
  CFG = cfg;
}

/** out[j] = (relu?)(bias[j] + W[j] . x), two rows at a time. */
function affine(W: usize, stride: usize, x: usize, n: i32, bias: usize, out: usize, nOut: i32, relu: bool): void {
  const zero = f64x2.splat(0);
  for (let j = 0; j < nOut; j += 2) {
    const r0 = W + (<usize>j) * stride;
    const r1 = r0 + stride;
    let a0 = zero;
    let a1 = zero;
    let c0 = zero;
    let c1 = zero;
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const o = ix(k);
      const xv = v128.load(x + o);
      const xw = v128.load(x + o + 16);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(r0 + o), xv));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(r1 + o), xv));
      c0 = f64x2.add(c0, f64x2.mul(v128.load(r0 + o + 16), xw));
      c1 = f64x2.add(c1, f64x2.mul(v128.load(r1 + o + 16), xw));
    }
    if (k < n) {
      const o = ix(k);
      const xv = v128.load(x + o);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(r0 + o), xv));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(r1 + o), xv));
    }
    a0 = f64x2.add(a0, c0);
    a1 = f64x2.add(a1, c1);
    const s = f64x2.add(
      f64x2.add(v128.shuffle<f64>(a0, a1, 0, 2), v128.shuffle<f64>(a0, a1, 1, 3)),
      v128.load(bias + ix(j)),
    );
    v128.store(out + ix(j), relu ? f64x2.max(s, zero) : s);
  }
}

/**
 * Backward over the live rows of W: gW[row] += d * x, and dx = sum of d * W[row] (dx zeroed first).
 */
function rows(W: usize, stride: usize, x: usize, dx: usize, n: i32, dh: usize, live: usize, nLive: i32, grad: usize): void {
  const zero = f64x2.splat(0);
  for (let k = 0; k < n; k += 2) v128.store(dx + ix(k), zero);
  let q = 0;
  for (; q + 1 < nLive; q += 2) {
    const j0 = load<i32>(live + ((<usize>q) << 2));
    const j1 = load<i32>(live + ((<usize>(q + 1)) << 2));
    const d0 = f64x2.splat(load<f64>(dh + ix(j0)));
    const d1 = f64x2.splat(load<f64>(dh + ix(j1)));
    const w0 = W + (<usize>j0) * stride;
    const w1 = W + (<usize>j1) * stride;
    const g0 = w0 + grad;
    const g1 = w1 + grad;
    for (let k = 0; k < n; k += 2) {
      const o = ix(k);
      const xv = v128.load(x + o);
      v128.store(g0 + o, f64x2.add(v128.load(g0 + o), f64x2.mul(d0, xv)));
      v128.store(g1 + o, f64x2.add(v128.load(g1 + o), f64x2.mul(d1, xv)));
      v128.store(dx + o, f64x2.add(v128.load(dx + o), f64x2.add(f64x2.mul(d0, v128.load(w0 + o)), f64x2.mul(d1, v128.load(w1 + o)))));
    }
  }
  if (q < nLive) {
    const j = load<i32>(live + ((<usize>q) << 2));
    const d = f64x2.splat(load<f64>(dh + ix(j)));
    const w = W + (<usize>j) * stride;
    const g = w + grad;
    for (let k = 0; k < n; k += 2) {
      const o = ix(k);
      v128.store(g + o, f64x2.add(v128.load(g + o), f64x2.mul(d, v128.load(x + o))));
      v128.store(dx + o, f64x2.add(v128.load(dx + o), f64x2.mul(d, v128.load(w + o))));
    }
  }
}

/** Units with h > 0 and dL/da != 0: adds dL/db (and, for layer 1, the run's sum); returns their count. */
function liveUnits(h: usize, dh: usize, n: i32, gb: usize, run: usize): i32 {
  const live = addr(C_LIVE);
  let count = 0;
  for (let j = 0; j < n; j++) {
    const da = load<f64>(dh + ix(j));
    if (load<f64>(h + ix(j)) > 0 && da != 0) {
      store<f64>(gb + ix(j), load<f64>(gb + ix(j)) + da);
      if (run != 0) store<f64>(run + ix(j), load<f64>(run + ix(j)) + da);
      store<i32>(live + ((<usize>count) << 2), j);
      count++;
    }
  }
  return count;
}

/** The tower's part of the logit for the slot's input; `newUser` recomputes the cached user half. */
export function forward(slot: i32, newUser: bool): f64 {
  const NL = word(C_LAYERS);
  const paddedWidth = word(C_PADDED_WIDTH);
  const stride0 = ix(paddedWidth);
  const sb = addr(C_SLOT0) + (<usize>slot) * addr(C_SLOT);
  const n1 = word(C_GLOBAL_WORDS + L_WIDTH);
  const W0 = addr(C_GLOBAL_WORDS + L_KERNEL);
  const pre = addr(C_PRE);
  if (newUser) affine(W0, stride0, addr(C_XU), paddedWidth, addr(C_GLOBAL_WORDS + L_BIAS), pre, n1, false);
  affine(W0 + (<usize>n1) * stride0, stride0, sb, paddedWidth, pre, sb + addr(C_GLOBAL_WORDS + L_ACTIVATION), n1, true);
  for (let l = 1; l < NL; l++) {
    const c = C_GLOBAL_WORDS + LAYER_WORDS * l;
    const nIn = word(c - LAYER_WORDS + L_WIDTH);
    affine(addr(c + L_KERNEL), ix(nIn), sb + addr(c - LAYER_WORDS + L_ACTIVATION), nIn, addr(c + L_BIAS), sb + addr(c + L_ACTIVATION), word(c + L_WIDTH), true);
  }
  const top = C_GLOBAL_WORDS + LAYER_WORDS * (NL - 1);
  const h = sb + addr(top + L_ACTIVATION);
  const wp = addr(C_WP);
  const n = word(top + L_WIDTH);
  let z: f64 = 0;
  for (let j = 0; j < n; j++) z += load<f64>(h + ix(j)) * load<f64>(wp + ix(j));
  return z;
}

/**
 * Adds the tower's gradients for dL/dz = dz of the slot's last forward pass; writes dL/dV[i] (the
 * item half) into the slot's dx and adds layer 1's dL/da to the run of the current user.
 */
export function backward(slot: i32, dz: f64): void {
  const NL = word(C_LAYERS);
  const paddedWidth = word(C_PADDED_WIDTH);
  const G = addr(C_GRAD);
  const sb = addr(C_SLOT0) + (<usize>slot) * addr(C_SLOT);
  const live = addr(C_LIVE);
  let dh = addr(C_DH);
  let din = addr(C_DIN);
  const top = C_GLOBAL_WORDS + LAYER_WORDS * (NL - 1);
  const h = sb + addr(top + L_ACTIVATION);
  const wp = addr(C_WP);
  const nTop = word(top + L_WIDTH);
  const dzv = f64x2.splat(dz);
  for (let j = 0; j < nTop; j += 2) {
    const o = ix(j);
    v128.store(wp + G + o, f64x2.add(v128.load(wp + G + o), f64x2.mul(dzv, v128.load(h + o))));
    v128.store(dh + o, f64x2.mul(dzv, v128.load(wp + o)));
  }
  for (let l = NL - 1; l >= 1; l--) {
    const c = C_GLOBAL_WORDS + LAYER_WORDS * l;
    const nIn = word(c - LAYER_WORDS + L_WIDTH);
    const nLive = liveUnits(sb + addr(c + L_ACTIVATION), dh, word(c + L_WIDTH), addr(c + L_BIAS) + G, 0);
    rows(addr(c + L_KERNEL), ix(nIn), sb + addr(c - LAYER_WORDS + L_ACTIVATION), din, nIn, dh, live, nLive, G);
    const t = dh;
    dh = din;
    din = t;
  }
  const n1 = word(C_GLOBAL_WORDS + L_WIDTH);
  const stride0 = ix(paddedWidth);
  const nLive = liveUnits(sb + addr(C_GLOBAL_WORDS + L_ACTIVATION), dh, n1, addr(C_GLOBAL_WORDS + L_BIAS) + G, addr(C_RUN));
  rows(addr(C_GLOBAL_WORDS + L_KERNEL) + (<usize>n1) * stride0, stride0, sb, sb + stride0, paddedWidth, dh, live, nLive, G);
}

/** The user half of layer 1's backward for the finished run: weight gradients, and dL/dU[u] into DU. */
export function flush(): void {
  const paddedWidth = word(C_PADDED_WIDTH);
  const run = addr(C_RUN);
  const live = addr(C_LIVE);
  const n1 = word(C_GLOBAL_WORDS + L_WIDTH);
  let count = 0;
  for (let j = 0; j < n1; j++) {
    if (load<f64>(run + ix(j)) != 0) {
      store<i32>(live + ((<usize>count) << 2), j);
      count++;
    }
  }
  rows(addr(C_GLOBAL_WORDS + L_KERNEL), ix(paddedWidth), addr(C_XRUN), addr(C_DU), paddedWidth, run, live, count, addr(C_GRAD));
  for (let j = 0; j < n1; j++) store<f64>(run + ix(j), 0);
}
