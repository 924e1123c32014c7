// The closed form of the steps an embedding row sat out under dense Adam: what catch-up.ts applies
// when a row is next touched. No tfjs here: worker threads import this file.
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
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optimizer.js';

const BETA1 = ADAM_BETA1;
const BETA2 = ADAM_BETA2;
const EPSILON = ADAM_EPSILON;

/** Skipped steps s <= this are replayed one by one (the bias corrections change fast there). */
export const EXACT_BELOW = 16;
/** Past this step 1 - β1^s and 1 - β2^s are 1 in double precision (β2^36,800 < 2^-53). */
const T_MAX = 40_000;
/** ρ_j^n is below 1e-46 of G_j for gaps longer than this: taken as 0. */
export const MAX_POWER = 1024;

/** The precomputed tables of the closed form (built once per thread). */
export interface Tables {
  /** G_j(t) for t = 0 .. T_MAX + 1 (the last entry also stands for every later t). */
  g: Float64Array[];
  /** ρ_j^n for n = 0 .. MAX_POWER (ρ_0 = β1). */
  rhoPow: Float64Array[];
  /** β2^n for n = 0 .. MAX_POWER. */
  beta2Pow: Float64Array;
  /** 1 / (1 - β1^s) and 1 / (1 - β2^s) for s = 0 .. EXACT_BELOW (index 0 unused). */
  invC1: Float64Array;
  invC2: Float64Array;
  /** sqrt(1 / (1 - β2^s)) for s = 0 .. EXACT_BELOW (index 0 unused): for roots of second moments. */
  rootInvC2: Float64Array;
}

let tables: Tables | null = null;

/** The tables, built on first use. */
export function catchUpTables(): Tables {
  tables ??= buildTables();
  return tables;
}

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
  const rootInvC2 = invC2.map(Math.sqrt);
  return { g, rhoPow, beta2Pow, invC1, invC2, rootInvC2 };
}

/** The 2-point Gauss rule of one gap, shared by every element of a row. */
export interface Rule {
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
export function gaussRule(tab: Tables, t: number, T: number, rule: Rule): Rule {
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
export function power(table: Float64Array, beta: number, n: number): number {
  return n < table.length ? table[n] : Math.pow(beta, n);
}

/**
 * The displacement dense Adam gives one weight over the zero-gradient steps t+1..T, computed the
 * way RowCatchUp (catch-up.ts) does (replay below {@link EXACT_BELOW}, Gauss rule beyond), in double
 * precision; for the error measurement (bench/sparse-catch-up-error.ts) and the tests, against the step-by-step replay of
 * test/oracles/adam-replay.ts.
 *
 * @param m - first moment after step t
 * @param v - second moment after step t
 * @param t - last step the weight was updated at (>= 1)
 * @param T - step to catch up to (> t)
 * @param lr - learning rate
 * @returns Δw (to add to the weight)
 */
export function catchUpDisplacement(m: number, v: number, t: number, T: number, lr: number): number {
  const tab = catchUpTables();
  let d = 0;
  let s = t;
  const { invC1, invC2 } = tab;
  for (; s < T && s < EXACT_BELOW; ) {
    s++;
    m *= BETA1;
    v *= BETA2;
    d -= (lr * (m * invC1[s])) / (Math.sqrt(v * invC2[s]) + EPSILON);
  }
  if (s >= T) return d;
  const r = gaussRule(tab, s, T, { w1: 0, k1: 0, w2: 0, k2: 0, d1: 1, d2: 1 });
  const u = Math.sqrt(v);
  return d - lr * m * (r.w1 / (u * r.k1 + EPSILON) + r.w2 / (u * r.k2 + EPSILON));
}
