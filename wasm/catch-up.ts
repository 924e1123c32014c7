// AssemblyScript source of the dense-Adam catch-up's hot loop in WebAssembly SIMD (f32x4): the jump
// of an embedding row over the steps it sat out, Δw = -m (s1 / (r k1 + eps) + s2 / (r k2 + eps))
// per element (r = sqrt(v); catch-up.ts's `jump`, which stays the JS fallback and the statement of
// the math). Not TypeScript proper: compiled by `npm run build:wasm` (scripts/build-wasm.mjs), twice
// (a shared and an unshared memory import) into src/training/fused/catch-up-wasm.generated.ts.
//
// Unlike the tower it owns no memory: it imports the engine's store (store.ts), whose weights,
// first moments and second-moment roots are three float32 arrays of `length` entries one after
// the other from byte `base`; every thread instantiates it on the same memory. It has no data
// segment, so instantiating it writes nothing into that memory.

let P: usize = 0;
let M: usize = 0;
let R: usize = 0;

/** Where the store's three arrays start: params at `base`, m and rms `4 length` bytes apart. */
export function configure(base: usize, length: i32): void {
  P = base;
  M = base + ((<usize>length) << 2);
  R = base + ((<usize>length) << 3);
}

/** Moves elements at .. at+n of the weights over a gap through its 2-point rule (s1, k1, s2, k2). */
function part(at: i32, n: i32, s1: f32, k1: f32, s2: f32, k2: f32, eps: f32): void {
  const off = (<usize>at) << 2;
  const p = P + off;
  const m = M + off;
  const r = R + off;
  const S1 = f32x4.splat(s1);
  const S2 = f32x4.splat(s2);
  const K1 = f32x4.splat(k1);
  const K2 = f32x4.splat(k2);
  const E = f32x4.splat(eps);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = (<usize>k) << 2;
    const u = v128.load(r + o);
    const e1 = f32x4.add(f32x4.mul(u, K1), E);
    const e2 = f32x4.add(f32x4.mul(u, K2), E);
    const num = f32x4.add(f32x4.mul(S1, e2), f32x4.mul(S2, e1));
    const d = f32x4.div(f32x4.mul(v128.load(m + o), num), f32x4.mul(e1, e2));
    v128.store(p + o, f32x4.sub(v128.load(p + o), d));
  }
  for (; k < n; k++) {
    const o = (<usize>k) << 2;
    const u = load<f32>(r + o);
    const e1 = u * k1 + eps;
    const e2 = u * k2 + eps;
    store<f32>(p + o, load<f32>(p + o) - (load<f32>(m + o) * (s1 * e2 + s2 * e1)) / (e1 * e2));
  }
}

/** One row's two parts (GMF at `at1`, `n1` wide; MLP at `at2`, `n2` wide: element indices) over one gap. */
export function jump(at1: i32, n1: i32, at2: i32, n2: i32, s1: f32, k1: f32, s2: f32, k2: f32, eps: f32): void {
  if (n1 > 0) part(at1, n1, s1, k1, s2, k2, eps);
  if (n2 > 0) part(at2, n2, s1, k1, s2, k2, eps);
}
