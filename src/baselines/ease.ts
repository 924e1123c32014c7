// EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an item x item
// linear model with a zero diagonal, in closed form.
import { RecsysError } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { assertInRange, assertInteger } from '../_lib/validate.js';
import { userItemCsr, type Csr } from './csr.js';
import { invertSpd } from './dense.js';
import { csrPart, partArray } from './part-array.js';
import { BaseScorer, booleanOption, checkKnownOptions, checkOptionsObject, secondsSince, type BaselineScorer } from './scorer.js';

/** Default largest item count {@link fitEASE} accepts. */
export const EASE_MAX_ITEMS = 10000;

/** Options of {@link fitEASE}. */
export interface EASEOptions {
  /** L2 regularisation `lambda` added to the Gram matrix's diagonal, > 0. Default 500 (Steck's ML-20M value is 500). */
  lambda?: number;
  /** Use the interactions' `weights` as the matrix values instead of 1. Default false. */
  weighted?: boolean;
  /**
   * Largest number of items accepted. Default {@link EASE_MAX_ITEMS} (10,000). EASE holds two
   * dense `numItems x numItems` Float64 matrices during the fit and one Float32 matrix after
   * (`20 n^2` bytes at peak: 2 GB at 10,000 items) and the inversion costs about `n^3 / 2`
   * multiply-adds (minutes at 10,000 items); raise this only knowing that.
   */
  maxItems?: number;
}

/** The scorer {@link fitEASE} returns: `score(u, ·) = x_u B`. */
export interface EASEScorer extends BaselineScorer {
  /** Always `'ease'`. */
  readonly kind: 'ease';
  /** The options used, defaults filled in. */
  readonly options: Required<EASEOptions>;
  /** The item x item weights `B`, row-major `numItems x numItems`, zero diagonal. */
  readonly weights: Float32Array;
}

/** Internal: rebuilds an EASE scorer from its parts. */
export function restoreEASE(numUsers: number, numItems: number, options: Required<EASEOptions>, arrays: Record<string, unknown>): EASEScorer {
  const weights = partArray(arrays, 'weights', Float32Array, numItems * numItems);
  return new EASE(csrPart(arrays, 'x', numUsers, numItems), weights, options);
}

class EASE extends BaseScorer implements EASEScorer {
  readonly kind = 'ease' as const;
  constructor(
    private readonly x: Csr,
    readonly weights: Float32Array,
    readonly options: Required<EASEOptions>,
  ) {
    super(x.rows, x.cols);
  }

  parts() {
    return { options: this.options, arrays: { xOffsets: this.x.offsets, xIndices: this.x.indices, xValues: this.x.values, weights: this.weights } };
  }

  protected scoreRow(user: number, row: Float32Array): void {
    const n = this.numItems;
    const B = this.weights;
    row.fill(0);
    for (let k = this.x.offsets[user]; k < this.x.offsets[user + 1]; k++) {
      const o = this.x.indices[k] * n;
      const v = this.x.values[k];
      for (let j = 0; j < n; j++) row[j] += v * B[o + j];
    }
  }

  protected override scoreSome(user: number, items: Int32Array, out: Float32Array): void {
    const n = this.numItems;
    const B = this.weights;
    out.fill(0, 0, items.length);
    for (let k = this.x.offsets[user]; k < this.x.offsets[user + 1]; k++) {
      const o = this.x.indices[k] * n;
      const v = this.x.values[k];
      for (let t = 0; t < items.length; t++) out[t] += v * B[o + items[t]];
    }
  }
}

/**
 * Fits EASE (Steck, WWW 2019): the item x item matrix `B` minimising
 * `|X - X B|^2 + lambda |B|^2` subject to `diag(B) = 0`, in closed form:
 * `P = (X^T X + lambda I)^-1`, `B_ij = -P_ij / P_jj` for `i != j`, `B_jj = 0`.
 * User `u`'s scores are `x_u B`. The inverse is a dense Cholesky solve (no dependency); about
 * `n^3 / 2` multiply-adds (ML-1M's 3,706 items: 62 s on a shared 2-core machine at load 4 before the
 * loops took rows four at a time, 1.85x faster side by side; minutes when the machine is crowded).
 *
 * Refuses (RecsysError INVALID_SIZE) more than `maxItems` items (default 10,000): the fit holds
 * `20 n^2` bytes (two Float64 `n x n` matrices and the Float32 result) and its time grows as `n^3`.
 *
 * @param train - the training interactions
 * @param options - `lambda` (500), `weighted` (false), `maxItems` (10,000); see {@link EASEOptions}
 * @returns an {@link EASEScorer}
 * @example
 * ```ts
 * const ease = fitEASE(ncf.train, { lambda: 1000 });
 * ease.weights[0];                                       //=> 0 (the diagonal is zero)
 * evaluateSampled(ease, ncf.test).hr; //=> about 0.71
 * ```
 */
export function fitEASE(train: Interactions, options?: EASEOptions): EASEScorer {
  const start = performance.now();
  const opts = checkOptionsObject(options, 'fitEASE');
  checkKnownOptions(opts, ['lambda', 'weighted', 'maxItems'], 'fitEASE');
  const { lambda = 500, maxItems = EASE_MAX_ITEMS } = opts;
  assertInRange('lambda', lambda, 0, Number.MAX_VALUE, { loOpen: true });
  assertInteger('maxItems', maxItems, 1);
  const weighted = booleanOption('weighted', opts.weighted, false);
  const n = train?.numItems;
  if (typeof n === 'number' && n > maxItems) {
    const gb = ((20 * n * n) / 1e9).toFixed(1);
    throw new RecsysError(
      'INVALID_SIZE',
      `fitEASE refuses ${n} items (maxItems = ${maxItems}): EASE inverts a dense ${n} x ${n} matrix, ` +
        `about ${gb} GB of memory and n^3/2 = ${((n * n * n) / 2).toExponential(1)} multiply-adds; use fitItemKNN or fitALS, or raise maxItems knowingly`,
      { numItems: n, maxItems },
    );
  }
  const x = userItemCsr(train, weighted);
  const G = new Float64Array(n * n);
  // Gram X^T X, lower triangle, accumulated per user from its sorted items
  for (let u = 0; u < x.rows; u++) {
    const lo = x.offsets[u];
    const hi = x.offsets[u + 1];
    for (let a = lo; a < hi; a++) {
      const io = x.indices[a] * n;
      const va = x.values[a];
      for (let b = lo; b <= a; b++) G[io + x.indices[b]] += va * x.values[b];
    }
  }
  for (let i = 0; i < n; i++) G[i * n + i] += lambda;
  const P = invertSpd(G, n, new Float64Array(n * n));
  const B = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let j = 0; j < n; j++) B[io + j] = i === j ? 0 : -P[io + j] / P[j * n + j];
  }
  const scorer = new EASE(x, B, { lambda, weighted, maxItems });
  scorer.fitSeconds = secondsSince(start);
  return scorer;
}
