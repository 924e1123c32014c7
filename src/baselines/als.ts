// Implicit alternating least squares (Hu, Koren, Volinsky, ICDM 2008), each row's least-squares
// problem solved approximately by a few conjugate-gradient steps warm-started from the previous
// sweep (Takacs, Pilaszy, Tikk, RecSys 2011; the solver of benfred/implicit).
import type { Interactions } from '../data/interactions.js';
import { assertInRange, assertInteger, assertFinite } from '../_lib/validate.js';
import { mulberry32 } from '../_lib/random.js';
import { transpose, userItemCsr, type Csr } from './csr.js';
import { FactorScorer, type FactorBaselineScorer } from './factors.js';
import { partArray } from './part-array.js';
import { booleanOption, checkKnownOptions, checkOptionsObject, secondsSince } from './scorer.js';

/** Options of {@link fitALS}. Defaults follow benfred/implicit's `AlternatingLeastSquares`. */
export interface ALSOptions {
  /** Latent factors per user and item, a positive integer. Default 64. */
  factors?: number;
  /** L2 regularisation `lambda` of both factor matrices, >= 0. Default 0.01. */
  regularization?: number;
  /**
   * Frequency scaling of the regularisation (Rendle, Krichene, Zhang, Koren, "Revisiting the
   * Performance of iALS on Item Recommendation Benchmarks", RecSys 2022): each row's penalty is
   * `lambda * w^nu` where `w` is the row's total confidence, `sum_i c_ui = (number of columns) +
   * alpha * (sum of the row's r)`, so rows with more observations (and, for items, the whole
   * user count) are held harder. A number >= 0; 0 (the default) is Hu et al.'s constant
   * `lambda`; 1 is the paper's setting (tune `lambda` again: it then multiplies thousands).
   */
  regularizationExponent?: number;
  /**
   * Confidence scaling: an observed pair has confidence `c = 1 + alpha * r` (r = 1, or the pair's
   * summed weight with `weighted`), every unobserved pair confidence 1 and preference 0. Default 1
   * (Hu et al. used 40 on their TV data; tune it).
   */
  alpha?: number;
  /** Sweeps, each solving all users then all items, a positive integer. Default 15. */
  iterations?: number;
  /** Conjugate-gradient steps per row and sweep, a positive integer. Default 3. */
  cgSteps?: number;
  /** Use the interactions' `weights` (e.g. play counts) as `r` in the confidence. Default false. */
  weighted?: boolean;
  /** Seed of the initial factors (uniform in [0, 0.01)). Default 0. */
  seed?: number;
  /** Called after each sweep with its number (1-based) and the objective after it. */
  onSweep?: (sweep: number, loss: number) => void;
}

/** The scorer {@link fitALS} returns: score(u, i) = userFactors[u] . itemFactors[i]. */
export interface ALSScorer extends FactorBaselineScorer {
  /** Always `'als'`. */
  readonly kind: 'als';
  /** The options used, defaults filled in (without `onSweep`). */
  readonly options: Required<Omit<ALSOptions, 'onSweep'>>;
  /**
   * The objective `sum_ui c_ui (p_ui - x_u . y_i)^2 + lambda (|X|^2 + |Y|^2)` (each row's
   * penalty scaled by its total confidence to the power `regularizationExponent`) before the
   * first sweep (entry 0) and after each sweep.
   */
  readonly loss: Float64Array;
}

class ALS extends FactorScorer implements ALSScorer {
  readonly kind = 'als' as const;
  constructor(
    numUsers: number,
    numItems: number,
    readonly options: Required<Omit<ALSOptions, 'onSweep'>>,
    userFactors: Float64Array,
    itemFactors: Float64Array,
    readonly loss: Float64Array,
  ) {
    super(numUsers, numItems, options.factors, userFactors, itemFactors, null);
  }
  parts() {
    return { options: this.options, arrays: { userFactors: this.userFactors, itemFactors: this.itemFactors, loss: this.loss } };
  }
}

/** Internal: rebuilds an ALS scorer from its parts. */
export function restoreALS(numUsers: number, numItems: number, options: Required<Omit<ALSOptions, 'onSweep'>>, arrays: Record<string, unknown>): ALSScorer {
  const f = options.factors;
  return new ALS(
    numUsers,
    numItems,
    { ...options, regularizationExponent: options.regularizationExponent ?? 0 }, // bundles written before the option

    partArray(arrays, 'userFactors', Float64Array, numUsers * f),
    partArray(arrays, 'itemFactors', Float64Array, numItems * f),
    partArray(arrays, 'loss', Float64Array, options.iterations + 1),
  );
}

/** Internal: Y^T Y + reg I, f x f row-major. */
function gram(Y: Float64Array, rows: number, f: number, reg = 0): Float64Array {
  const G = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const ya = Y[o + a];
      if (ya === 0) continue;
      const ga = a * f;
      for (let b = a; b < f; b++) G[ga + b] += ya * Y[o + b];
    }
  }
  for (let a = 0; a < f; a++) {
    G[a * f + a] += reg;
    for (let b = 0; b < a; b++) G[a * f + b] = G[b * f + a];
  }
  return G;
}

/**
 * Internal: each row's L2 penalty, `reg * (cols + alpha * sum of the row's values)^exponent`
 * (Rendle et al. 2022's frequency-scaled regularisation; `reg` for every row at exponent 0).
 */
export function rowPenalties(m: Csr, reg: number, alpha: number, exponent: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let u = 0; u < m.rows; u++) {
    if (exponent === 0) {
      out[u] = reg;
      continue;
    }
    let w = m.cols;
    for (let k = m.offsets[u]; k < m.offsets[u + 1]; k++) w += alpha * m.values[k];
    out[u] = reg * Math.pow(w, exponent);
  }
  return out;
}

/**
 * Internal: one half-sweep: every row of X re-solved (CG, warm start) against the fixed Y, for the
 * confidence matrix `m` (rows of X x rows of Y, values r), row u's L2 penalty `reg *
 * (total confidence)^exponent` (see {@link rowPenalties}). The CG steps never increase each row's
 * quadratic objective, so the loss never increases.
 */
export function solveSide(m: Csr, X: Float64Array, Y: Float64Array, f: number, reg: number, alpha: number, cgSteps: number, exponent = 0): void {
  const YtY = gram(Y, m.cols, f);
  const penalty = rowPenalties(m, reg, alpha, exponent);
  const r = new Float64Array(f);
  const p = new Float64Array(f);
  const Ap = new Float64Array(f);
  for (let u = 0; u < m.rows; u++) {
    const xo = u * f;
    const lu = penalty[u];
    // r = b - A x, A = YtY + lambda_u I + sum (c - 1) y y^T, b = sum c y
    for (let a = 0; a < f; a++) {
      let s = lu * X[xo + a];
      const ga = a * f;
      for (let b = 0; b < f; b++) s += YtY[ga + b] * X[xo + b];
      r[a] = -s;
    }
    for (let k = m.offsets[u]; k < m.offsets[u + 1]; k++) {
      const yo = m.indices[k] * f;
      const c = 1 + alpha * m.values[k];
      let s = 0;
      for (let a = 0; a < f; a++) s += Y[yo + a] * X[xo + a];
      const w = c - (c - 1) * s;
      for (let a = 0; a < f; a++) r[a] += w * Y[yo + a];
    }
    p.set(r);
    let rsold = 0;
    for (let a = 0; a < f; a++) rsold += r[a] * r[a];
    if (rsold < 1e-20) continue;
    for (let step = 0; step < cgSteps; step++) {
      for (let a = 0; a < f; a++) {
        let s = lu * p[a];
        const ga = a * f;
        for (let b = 0; b < f; b++) s += YtY[ga + b] * p[b];
        Ap[a] = s;
      }
      for (let k = m.offsets[u]; k < m.offsets[u + 1]; k++) {
        const yo = m.indices[k] * f;
        const c1 = alpha * m.values[k];
        let s = 0;
        for (let a = 0; a < f; a++) s += Y[yo + a] * p[a];
        s *= c1;
        for (let a = 0; a < f; a++) Ap[a] += s * Y[yo + a];
      }
      let pAp = 0;
      for (let a = 0; a < f; a++) pAp += p[a] * Ap[a];
      const step_ = rsold / pAp;
      let rsnew = 0;
      for (let a = 0; a < f; a++) {
        X[xo + a] += step_ * p[a];
        r[a] -= step_ * Ap[a];
        rsnew += r[a] * r[a];
      }
      if (rsnew < 1e-20) break;
      const beta = rsnew / rsold;
      for (let a = 0; a < f; a++) p[a] = r[a] + beta * p[a];
      rsold = rsnew;
    }
  }
}

/** Internal: the implicit-ALS objective (see {@link ALSScorer.loss}); `mt` = transpose of `m`, needed when `exponent` > 0. */
export function alsLoss(m: Csr, X: Float64Array, Y: Float64Array, f: number, reg: number, alpha: number, exponent = 0, mt?: Csr): number {
  const YtY = gram(Y, m.cols, f);
  let loss = 0;
  for (let u = 0; u < m.rows; u++) {
    const xo = u * f;
    for (let a = 0; a < f; a++) {
      let s = 0;
      for (let b = 0; b < f; b++) s += YtY[a * f + b] * X[xo + b];
      loss += X[xo + a] * s;
    }
    for (let k = m.offsets[u]; k < m.offsets[u + 1]; k++) {
      const yo = m.indices[k] * f;
      let s = 0;
      for (let a = 0; a < f; a++) s += X[xo + a] * Y[yo + a];
      const c = 1 + alpha * m.values[k];
      loss += c * (1 - s) * (1 - s) - s * s;
    }
  }
  if (exponent === 0) {
    let norms = 0;
    for (let k = 0; k < X.length; k++) norms += X[k] * X[k];
    for (let k = 0; k < Y.length; k++) norms += Y[k] * Y[k];
    return loss + reg * norms;
  }
  const sides: [Csr, Float64Array][] = [[m, X], [mt ?? transpose(m), Y]];
  for (const [side, Z] of sides) {
    const penalty = rowPenalties(side, reg, alpha, exponent);
    for (let u = 0; u < side.rows; u++) {
      let norm = 0;
      for (let a = u * f; a < (u + 1) * f; a++) norm += Z[a] * Z[a];
      loss += penalty[u] * norm;
    }
  }
  return loss;
}

/**
 * Fits implicit ALS (Hu, Koren, Volinsky, "Collaborative Filtering for Implicit Feedback
 * Datasets", ICDM 2008): minimises `sum over all (u, i) of c_ui (p_ui - x_u . y_i)^2 +
 * lambda (|X|^2 + |Y|^2)` (with `regularizationExponent` nu > 0, each row's penalty is scaled by
 * its total confidence to the power nu, as Rendle et al. 2022) where `p_ui` is 1 for an observed pair and 0 otherwise and
 * `c_ui = 1 + alpha * r_ui` (r the pair's weight with `weighted`, else 1). Each sweep re-solves
 * every user, then every item, with `cgSteps` conjugate-gradient steps warm-started from the
 * current factors (as benfred/implicit does), which costs `O(nnz f cgSteps + (users + items) f^2)`
 * per sweep and never forms the dense matrix. Initial factors are uniform in [0, 0.01), seeded.
 *
 * @param train - the training interactions
 * @param options - `factors` (64), `regularization` (0.01), `regularizationExponent` (0), `alpha` (1), `iterations` (15),
 *   `cgSteps` (3), `weighted` (false), `seed` (0), `onSweep`; see {@link ALSOptions}
 * @returns an {@link ALSScorer}
 * @example
 * ```ts
 * const als = fitALS(train, { factors: 64, regularization: 0.1, alpha: 2, iterations: 10, seed: 1 });
 * als.loss;                                  //=> Float64Array [.., ..] non-increasing
 * evaluateSampled(als, { users: test.users, items: test.items, negatives }, { k: 10 }).hr;
 * ```
 */
export function fitALS(train: Interactions, options?: ALSOptions): ALSScorer {
  const start = performance.now();
  const opts = checkOptionsObject(options, 'fitALS');
  checkKnownOptions(opts, ['factors', 'regularization', 'regularizationExponent', 'alpha', 'iterations', 'cgSteps', 'weighted', 'seed', 'onSweep'], 'fitALS');
  const { factors = 64, regularization = 0.01, regularizationExponent = 0, alpha = 1, iterations = 15, cgSteps = 3, seed = 0, onSweep } = opts;
  assertInteger('factors', factors, 1);
  assertInRange('regularization', regularization, 0, Number.MAX_VALUE);
  assertInRange('regularizationExponent', regularizationExponent, 0, Number.MAX_VALUE);
  assertInRange('alpha', alpha, 0, Number.MAX_VALUE);
  assertInteger('iterations', iterations, 1);
  assertInteger('cgSteps', cgSteps, 1);
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  const weighted = booleanOption('weighted', opts.weighted, false);
  const m = userItemCsr(train, weighted);
  const mt = transpose(m);
  const f = factors;
  const random = mulberry32(seed);
  const X = new Float64Array(m.rows * f);
  const Y = new Float64Array(m.cols * f);
  for (let k = 0; k < X.length; k++) X[k] = random() * 0.01;
  for (let k = 0; k < Y.length; k++) Y[k] = random() * 0.01;
  const loss = new Float64Array(iterations + 1);
  const nu = regularizationExponent;
  loss[0] = alsLoss(m, X, Y, f, regularization, alpha, nu, mt);
  for (let it = 1; it <= iterations; it++) {
    solveSide(m, X, Y, f, regularization, alpha, cgSteps, nu);
    solveSide(mt, Y, X, f, regularization, alpha, cgSteps, nu);
    loss[it] = alsLoss(m, X, Y, f, regularization, alpha, nu, mt);
    onSweep?.(it, loss[it]);
  }
  const scorer = new ALS(m.rows, m.cols, { factors, regularization, regularizationExponent, alpha, iterations, cgSteps, weighted, seed }, X, Y, loss);
  scorer.fitSeconds = secondsSince(start);
  return scorer;
}
