// Dense-Adam semantics for the embedding tables at lazy-Adam cost: the steps a row sat out are
// applied when it is next touched (and to every row at the end of an epoch), in O(row width) time
// whatever the length of the gap. No tfjs here: worker threads import this file.
//
// The math (docs/fused-engine.md has the derivation). A row last updated at step t, with moments m
// and v (after step t), that gets no gradient at steps t+1..T moves in dense Adam (tfjs's AdamOptimizer)
// by
//
//   Δw = -lr · m · Σ_{s=t+1..T} a(s) / (sqrt(v) · b(s) + eps),
//   a(s) = β1^(s-t) / (1 - β1^s),   b(s) = β2^((s-t)/2) / sqrt(1 - β2^s),
//
// and its moments become β1^(T-t) m and β2^(T-t) v. The sum is a Stieltjes transform of the
// positive weights a(s) at the points b(s): per row (not per element) we take its moments
// M_j = Σ a(s) b(s)^j for j = 0..3 from precomputed tables in O(1), build the 2-point Gauss rule
// with those moments (nodes k1, k2 and weights w1, w2), and each element then costs two divisions:
//
//   Σ a(s) / (sqrt(v) b(s) + eps)  ≈  w1 / (sqrt(v) k1 + eps) + w2 / (sqrt(v) k2 + eps).
//
// The rule is exact at v = 0 and for v → ∞, and accurate in between because the points b(s)
// that carry weight (β1^k decays fast, β2^(k/2) slowly) lie close together, except early in
// training when the bias corrections change quickly from step to step: there (s <= EXACT_BELOW = 16)
// the skipped steps are replayed one by one instead, at most 16 steps per element, and only for
// rows touched in the first 16 steps of a run. Measured against a step-by-step replay in double
// precision (random moments over 11 orders of magnitude, gaps 1-3,000, 2,000 cases per range;
// bench/sparse-catch-up-error.ts, bench/results/sparse-catch-up-error.log): relative error of Δw
// 0 (up to rounding) for gaps within the first 16 steps, up to 9e-4 for rows last updated before
// step 100, 9e-6 at steps 100-300, 3e-7 at 300-1,000, 1.1e-8 at 1,000-10,000 and 2e-9 after that:
// past the first few hundred steps of a run, below the float32 rounding of the weights.
//
// The moment tables: with ρ_j = β1 β2^(j/2) and φ_j(s) = 1 / ((1 - β1^s) (1 - β2^s)^(j/2)),
// M_j(t, T) = G_j(t) - ρ_j^(T-t) G_j(T) where G_j(t) = Σ_{s>t} ρ_j^(s-t) φ_j(s), tabulated once by
// the stable backward recursion G_j(t) = ρ_j (φ_j(t+1) + G_j(t+1)) from T_MAX, beyond which both bias
// corrections are exactly 1 in double precision and G_j = ρ_j / (1 - ρ_j).
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './reference.js';
import type { ParamLayout } from './layout.js';

const BETA1 = ADAM_BETA1;
const BETA2 = ADAM_BETA2;
const EPSILON = ADAM_EPSILON;

/** Skipped steps s <= this are replayed one by one (the bias corrections change fast there). */
export const EXACT_BELOW = 16;
/** Past this step 1 - β1^s and 1 - β2^s are 1 in double precision (β2^36,800 < 2^-53). */
const T_MAX = 40_000;
/**
 * Moments below this are stored as 0 by a catch-up (a first moment of 1e-30 moves its weight by at
 * most lr·1e-23; a second moment of 1e-30 changes sqrt(v) + eps by 1e-15 of eps): it keeps long-idle
 * rows out of float32's subnormal range, where every read and multiply is many times slower.
 */
const TINY = 1e-30;
/** ρ_j^n is below 1e-46 of G_j for gaps longer than this: taken as 0. */
const MAX_POWER = 1024;

interface Tables {
  /** G_j(t) for t = 0 .. T_MAX + 1 (the last entry also stands for every later t). */
  g: Float64Array[];
  /** ρ_j^n for n = 0 .. MAX_POWER (ρ_0 = β1). */
  rhoPow: Float64Array[];
  /** β2^n for n = 0 .. MAX_POWER. */
  beta2Pow: Float64Array;
  /** 1 / (1 - β1^s) and 1 / (1 - β2^s) for s = 0 .. EXACT_BELOW (index 0 unused). */
  invC1: Float64Array;
  invC2: Float64Array;
}

let tables: Tables | null = null;

function buildTables(): Tables {
  const g: Float64Array[] = [];
  const rhoPow: Float64Array[] = [];
  for (let j = 0; j < 4; j++) {
    const rho = BETA1 * Math.pow(BETA2, j / 2);
    const gj = new Float64Array(T_MAX + 2);
    let acc = rho / (1 - rho);
    gj[T_MAX + 1] = acc;
    for (let t = T_MAX; t >= 0; t--) {
      const s = t + 1;
      const phi = 1 / ((1 - Math.pow(BETA1, s)) * Math.pow(1 - Math.pow(BETA2, s), j / 2));
      acc = rho * (phi + acc);
      gj[t] = acc;
    }
    g.push(gj);
    const pj = new Float64Array(MAX_POWER + 1);
    for (let n = 0; n <= MAX_POWER; n++) pj[n] = Math.pow(rho, n);
    rhoPow.push(pj);
  }
  const beta2Pow = Float64Array.from({ length: MAX_POWER + 1 }, (_, n) => Math.pow(BETA2, n));
  const invC1 = new Float64Array(EXACT_BELOW + 1);
  const invC2 = new Float64Array(EXACT_BELOW + 1);
  for (let s = 1; s <= EXACT_BELOW; s++) {
    invC1[s] = 1 / (1 - Math.pow(BETA1, s));
    invC2[s] = 1 / (1 - Math.pow(BETA2, s));
  }
  return { g, rhoPow, beta2Pow, invC1, invC2 };
}

/** The 2-point Gauss rule of one gap, shared by every element of a row. */
interface Rule {
  w1: number;
  k1: number;
  w2: number;
  k2: number;
  /** β1^n and β2^n: how the moments decay over the gap. */
  d1: number;
  d2: number;
}

/**
 * Fills `rule` for the zero-gradient steps t+1..T (t >= 1, T > t) from the moment tables.
 *
 * @returns the rule (the same object)
 */
function gaussRule(tab: Tables, t: number, T: number, rule: Rule): Rule {
  const n = T - t;
  const ti = t > T_MAX ? T_MAX + 1 : t;
  const Ti = T > T_MAX ? T_MAX + 1 : T;
  const far = n > MAX_POWER;
  const g = tab.g;
  const p = tab.rhoPow;
  const m0 = g[0][ti] - (far ? 0 : p[0][n] * g[0][Ti]);
  const m1 = g[1][ti] - (far ? 0 : p[1][n] * g[1][Ti]);
  const m2 = g[2][ti] - (far ? 0 : p[2][n] * g[2][Ti]);
  const m3 = g[3][ti] - (far ? 0 : p[3][n] * g[3][Ti]);
  const c0 = m0;
  const mu = m1 / c0;
  // central moments of b / mu - 1 under the weights a (the first one is 0 by construction)
  const mu2 = mu * mu;
  const c2 = m2 / mu2 - c0;
  const c3 = m3 / (mu2 * mu) - (3 * m2) / mu2 + 2 * c0;
  // β1^n is ρ_0^n; β2^n from its own table
  rule.d1 = far ? 0 : p[0][n];
  rule.d2 = far ? Math.pow(BETA2, n) : tab.beta2Pow[n];
  if (!(c2 > 1e-14 * c0)) {
    // one skipped step (or no spread): a single point
    rule.w1 = c0;
    rule.k1 = mu;
    rule.w2 = 0;
    rule.k2 = mu;
    return rule;
  }
  // nodes: roots of y² + a y + b, orthogonal to 1 and y under the weights
  const b = -c2 / c0;
  const a = -c3 / c2;
  const disc = Math.sqrt(a * a - 4 * b);
  const y1 = (-a + disc) / 2;
  const y2 = (-a - disc) / 2;
  const w1 = (-y2 * c0) / (y1 - y2);
  rule.w1 = w1;
  rule.w2 = c0 - w1;
  rule.k1 = mu * (1 + y1);
  rule.k2 = mu * (1 + y2);
  return rule;
}

/** β^n from a table of powers (n >= 0), Math.pow beyond it. */
function power(table: Float64Array, beta: number, n: number): number {
  return n < table.length ? table[n] : Math.pow(beta, n);
}

/**
 * Brings embedding rows up to date with dense Adam: applies the zero-gradient steps a row sat out,
 * as tfjs's Adam would have. Per row r (users first, then items) it keeps two steps in `rowSteps`,
 * side by side (one cache line): at [2r] the step a catch-up last brought its weights to, at
 * [2r + 1] the step its moments are from, which is also the step of the optimizer's last update of
 * the row; its weights are up to date as of the later of the two (0 = never updated: its moments
 * are 0 and it does not move).
 *
 * Two ways in. {@link user} / {@link item} / {@link all} bring weights and moments up to a step
 * (the end of an epoch). The kernel's hot path splits the work instead: {@link readUser} /
 * {@link readItem}, before a batch reads a row, move only its weights (the moments are read, not
 * written), and {@link touch}, when the optimizer updates the row, hands it the decay factors of
 * every step since its moments' step, which the optimizer folds into its own update of the moments
 * (one pass over m and v per row and step instead of two). Between the two a row's moments lag
 * behind its weights; a catch-up that meets such a row (another thread's, Hogwild) decays the
 * moments it reads by the lag first.
 *
 * Thread safety (Hogwild): a thread claims a row's gap with a compare-and-swap on its weight step
 * before applying it, so two threads never apply the same skipped steps twice; the weights and
 * moments themselves are updated without locks, as every other Hogwild update.
 */
export class RowCatchUp {
  private readonly tab: Tables;
  private readonly rule: Rule = { w1: 0, k1: 0, w2: 0, k2: 0, d1: 1, d2: 1 };
  /** Rules per gap (w1, k1, w2, k2, d1, d2) for the target step in `cacheStamp[gap]`. */
  private readonly cache = new Float64Array((MAX_POWER + 1) * 6);
  private readonly cacheStamp = new Int32Array(MAX_POWER + 1).fill(-1);
  /** Whether other threads share `rowSteps` (then claims are compare-and-swaps). */
  private readonly shared: boolean;
  /** Table rows (users + items). */
  private readonly numRows: number;
  /** β1^n for n = 0 .. 1,024 (the optimizer's decay factors, see {@link touch}). */
  readonly beta1Powers: Float64Array;
  /** β2^n for n = 0 .. 1,024. */
  readonly beta2Powers: Float64Array;

  /**
   * @param layout - where the tables live
   * @param params - weights
   * @param m - Adam's first moments (same layout)
   * @param v - Adam's second moments
   * @param rowSteps - per row (users then items) the weights' and the moments' step
   *   (2 × (numUsers + numItems) entries)
   * @param learningRate - Adam's step size
   */
  constructor(
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    private readonly m: Float32Array,
    private readonly v: Float32Array,
    readonly rowSteps: Int32Array,
    private readonly learningRate: number,
  ) {
    tables ??= buildTables();
    this.tab = tables;
    this.beta1Powers = tables.rhoPow[0];
    this.beta2Powers = tables.beta2Pow;
    this.numRows = layout.numUsers + layout.numItems;
    if (rowSteps.length < 2 * this.numRows) throw new TypeError('RowCatchUp: rowSteps is too short');
    this.shared = typeof SharedArrayBuffer === 'function' && rowSteps.buffer instanceof SharedArrayBuffer;
  }

  /** Brings user `u`'s weights and moments up to step `target` (no-op when it is there already). */
  user(u: number, target: number): void {
    this.full(u, target);
  }

  /** Brings item `i`'s weights and moments up to step `target`. */
  item(i: number, target: number): void {
    this.full(this.layout.numUsers + i, target);
  }

  /** Brings every row up to step `target` (end of an epoch: cost proportional to the tables, once). */
  all(target: number): void {
    for (let r = 0; r < this.numRows; r++) this.full(r, target);
  }

  /** Brings user `u`'s weights up to step `target` (its moments stay behind: see {@link touch}). */
  readUser(u: number, target: number): void {
    const t = this.claim(u, target);
    if (t <= 0) return;
    const L = this.layout;
    this.move(u, t, target, L.gmfUser + u * L.factors, L.factors, L.mlpUser + u * L.mlpWidth, L.mlpWidth);
  }

  /** Brings item `i`'s weights up to step `target`. */
  readItem(i: number, target: number): void {
    const r = this.layout.numUsers + i;
    const t = this.claim(r, target);
    if (t <= 0) return;
    const L = this.layout;
    this.move(r, t, target, L.gmfItem + i * L.factors, L.factors, L.mlpItem + i * L.mlpWidth, L.mlpWidth);
  }

  /**
   * The optimizer updates row `r` at `step`: marks the row (weights and moments) as being at
   * `step`, never moving its step backwards, and returns n, the steps since its moments were last
   * updated (1 when it was updated at the step before): the update multiplies the old moments by
   * β1^n and β2^n ({@link beta1Powers}, {@link beta2Powers}; Math.pow beyond them).
   * Steps other threads took between this batch reading the row and this update only decay its
   * moments (they count as part of the stale window Hogwild already has between a read and a
   * write; the motion dense Adam would give the row over them is not applied). One plain store: a
   * reader that misses it by a hair applies one zero-gradient step too many, Hogwild noise.
   */
  touch(r: number, step: number): number {
    const steps = this.rowSteps;
    const at = 2 * r + 1;
    const from = steps[at];
    if (from >= step) return 1;
    steps[at] = step;
    return from > 0 ? step - from : 1;
  }

  /**
   * Claims the gap of row `r`'s weights up to `target`.
   *
   * @returns the step the row's weights are at when this thread must apply steps last+1..target,
   *   0 or less when there is nothing to do (never updated, already there, or claimed by another
   *   thread)
   */
  private claim(r: number, target: number): number {
    const steps = this.rowSteps;
    const w = steps[2 * r];
    const m = steps[2 * r + 1];
    const t = w > m ? w : m;
    if (t >= target) return 0;
    if (!this.shared) {
      steps[2 * r] = target;
      return t;
    }
    if (Atomics.compareExchange(steps, 2 * r, w, target) !== w) return 0;
    return t;
  }

  /** Weights and moments of row `r` (table row index) up to `target`. */
  private full(r: number, target: number): void {
    const L = this.layout;
    const U = L.numUsers;
    const user = r < U;
    const e = user ? r : r - U;
    const at1 = (user ? L.gmfUser : L.gmfItem) + e * L.factors;
    const at2 = (user ? L.mlpUser : L.mlpItem) + e * L.mlpWidth;
    const n1 = L.factors;
    const n2 = L.mlpWidth;
    const steps = this.rowSteps;
    const t = this.claim(r, target);
    if (t > 0) this.move(r, t, target, at1, n1, at2, n2);
    // the moments: from their own step (which lags behind the weights' between a read and the
    // optimizer's update of the row) to the target, unless another thread is already further
    const mAt = 2 * r + 1;
    const tm = steps[mAt];
    if (tm <= 0 || tm >= target) return;
    steps[mAt] = target;
    const n = target - tm;
    const d1 = power(this.tab.rhoPow[0], BETA1, n);
    const d2 = power(this.tab.beta2Pow, BETA2, n);
    if (n1 > 0) this.decay(at1, n1, d1, d2);
    if (n2 > 0) this.decay(at2, n2, d1, d2);
  }

  /**
   * Moves the weights of row `r` (its GMF and MLP parts) over the zero-gradient steps t+1..T; the
   * moments are read as of step t (decayed from their own step first when they lag behind).
   */
  private move(r: number, t: number, T: number, at1: number, n1: number, at2: number, n2: number): void {
    const tm = this.rowSteps[2 * r + 1];
    // moments as of step t: c1 M and c2 V (c = 1 unless the row is between a read and its update)
    const lag = tm > 0 && tm < t ? t - tm : 0;
    let c1 = lag === 0 ? 1 : power(this.tab.rhoPow[0], BETA1, lag);
    let c2 = lag === 0 ? 1 : power(this.tab.beta2Pow, BETA2, lag);
    let s = t;
    if (s < EXACT_BELOW) {
      const end = T < EXACT_BELOW ? T : EXACT_BELOW;
      if (n1 > 0) this.replay(at1, n1, s, end, c1, c2);
      if (n2 > 0) this.replay(at2, n2, s, end, c1, c2);
      // the moments as of step `end`, for the rest of the gap
      const k = end - s;
      c1 *= this.tab.rhoPow[0][k];
      c2 *= this.tab.beta2Pow[k];
      s = end;
    }
    if (s >= T) return;
    const rule = this.ruleFor(s, T);
    const lr = this.learningRate;
    const root = c2 === 1 ? 1 : Math.sqrt(c2);
    const s1 = lr * rule.w1 * c1;
    const s2 = lr * rule.w2 * c1;
    const k1 = rule.k1 * root;
    const k2 = rule.k2 * root;
    if (n1 > 0) this.jump(at1, n1, s1, k1, s2, k2);
    if (n2 > 0) this.jump(at2, n2, s1, k1, s2, k2);
  }

  /**
   * The Gauss rule of the gap s..T. Rows caught up to the same step with the same gap share it
   * (many do: rows are caught up as batches touch them), so rules are cached per gap for the
   * current target step; a rule depends on nothing else.
   */
  private ruleFor(s: number, T: number): Rule {
    const gap = T - s;
    if (gap > MAX_POWER) return gaussRule(this.tab, s, T, this.rule);
    const cache = this.cache;
    const at = gap * 6;
    if (this.cacheStamp[gap] !== T) {
      const r = gaussRule(this.tab, s, T, this.rule);
      cache[at] = r.w1;
      cache[at + 1] = r.k1;
      cache[at + 2] = r.w2;
      cache[at + 3] = r.k2;
      cache[at + 4] = r.d1;
      cache[at + 5] = r.d2;
      this.cacheStamp[gap] = T;
      return r;
    }
    const r = this.rule;
    r.w1 = cache[at];
    r.k1 = cache[at + 1];
    r.w2 = cache[at + 2];
    r.k2 = cache[at + 3];
    r.d1 = cache[at + 4];
    r.d2 = cache[at + 5];
    return r;
  }

  /** Moves weights over steps t+1..T one by one (tfjs's arithmetic, in double precision), moments c1 M and c2 V at t. */
  private replay(at: number, n: number, t: number, T: number, c1: number, c2: number): void {
    const P = this.params;
    const M = this.m;
    const V = this.v;
    const lr = this.learningRate;
    const { invC1, invC2 } = this.tab;
    for (let k = 0; k < n; k++) {
      const idx = at + k;
      let mk = M[idx] * c1;
      // no momentum: the weight does not move
      if (mk === 0) continue;
      let vk = V[idx] * c2;
      let w = P[idx];
      for (let s = t + 1; s <= T; s++) {
        mk *= BETA1;
        vk *= BETA2;
        w -= (lr * (mk * invC1[s])) / (Math.sqrt(vk * invC2[s]) + EPSILON);
      }
      P[idx] = w;
    }
  }

  /**
   * Moves weights over a whole gap through its Gauss rule, scaled for the moments:
   * Δw = -m (s1 / (sqrt(v) k1 + eps) + s2 / (sqrt(v) k2 + eps)), over one division per element.
   */
  private jump(at: number, n: number, s1: number, k1: number, s2: number, k2: number): void {
    const P = this.params;
    const M = this.m;
    const V = this.v;
    const eps = EPSILON;
    for (let k = 0; k < n; k++) {
      const idx = at + k;
      const u = Math.sqrt(V[idx]);
      const e1 = u * k1 + eps;
      const e2 = u * k2 + eps;
      P[idx] -= (M[idx] * (s1 * e2 + s2 * e1)) / (e1 * e2);
    }
  }

  /** Decays moments by d1 and d2 (below TINY they are stored as 0). */
  private decay(at: number, n: number, d1: number, d2: number): void {
    const M = this.m;
    const V = this.v;
    for (let k = 0; k < n; k++) {
      const idx = at + k;
      // below TINY a moment only costs time: float32 subnormals are slow to read and multiply,
      // and a first moment that small moves a weight by lr·1e-23 at most (sqrt(v) + eps >= 1e-7)
      const mNext = M[idx] * d1;
      M[idx] = mNext > TINY || mNext < -TINY ? mNext : 0;
      const vNext = V[idx] * d2;
      V[idx] = vNext > TINY ? vNext : 0;
    }
  }
}

/**
 * The displacement dense Adam gives one weight over the zero-gradient steps t+1..T, computed the
 * way {@link RowCatchUp} does (replay below {@link EXACT_BELOW}, Gauss rule beyond), in double
 * precision; for the error measurement (bench/sparse-catch-up-error.ts) and the tests.
 *
 * @param m - first moment after step t
 * @param v - second moment after step t
 * @param t - last step the weight was updated at (>= 1)
 * @param T - step to catch up to (> t)
 * @param lr - learning rate
 * @returns Δw (to add to the weight)
 */
export function catchUpDisplacement(m: number, v: number, t: number, T: number, lr: number): number {
  tables ??= buildTables();
  let d = 0;
  let s = t;
  const { invC1, invC2 } = tables;
  for (; s < T && s < EXACT_BELOW; ) {
    s++;
    m *= BETA1;
    v *= BETA2;
    d -= (lr * (m * invC1[s])) / (Math.sqrt(v * invC2[s]) + EPSILON);
  }
  if (s >= T) return d;
  const r = gaussRule(tables, s, T, { w1: 0, k1: 0, w2: 0, k2: 0, d1: 1, d2: 1 });
  const u = Math.sqrt(v);
  return d - lr * m * (r.w1 / (u * r.k1 + EPSILON) + r.w2 / (u * r.k2 + EPSILON));
}

/**
 * Dense Adam's displacement of one weight over zero-gradient steps t+1..T, replayed step by step in
 * double precision (the ground truth for {@link catchUpDisplacement}).
 *
 * @param m - first moment after step t
 * @param v - second moment after step t
 * @param t - last step the weight was updated at
 * @param T - step to replay to
 * @param lr - learning rate
 * @returns Δw
 */
export function replayDisplacement(m: number, v: number, t: number, T: number, lr: number): number {
  let d = 0;
  for (let s = t + 1; s <= T; s++) {
    m *= BETA1;
    v *= BETA2;
    d -= (lr * (m / (1 - Math.pow(BETA1, s)))) / (Math.sqrt(v / (1 - Math.pow(BETA2, s))) + EPSILON);
  }
  return d;
}
