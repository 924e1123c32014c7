// Vectorised single-target metrics over a score matrix: the NCF protocol's layout, where each row
// holds one user's scores for a candidate list (the held-out positive plus sampled negatives) and
// one column per row is the positive. One pass per row, no sorting, no allocation per row.
import { RecsysError } from '../errors.js';
import { assertInteger, assertK, show } from '../_lib/validate.js';
import { assertTiePolicy, tieShare, type TiePolicy } from './rank.js';
import { isArrayLike } from './_checks.js';

/** Options of {@link rankMetrics}. @category Metrics */
export interface RankMetricsOptions {
  /** The cut-off K, a positive integer. */
  k: number;
  /** How the target ranks among candidates with its exact score. Default `'pessimistic'`. */
  ties?: TiePolicy;
  /**
   * Optional `rows * cols` row-major mask: a nonzero entry removes that candidate from its row
   * (e.g. padding of shorter candidate lists). The target's own cell must not be masked.
   */
  mask?: Uint8Array;
}

/** Mean metrics over the rows of {@link rankMetrics}. @category Metrics */
export interface RankMetricsMeans {
  /** Mean hit rate at K. */
  hr: number;
  /** Mean NDCG at K. */
  ndcg: number;
  /** Mean reciprocal rank at K (0 for rows whose target ranks beyond K). */
  mrr: number;
}

/** What {@link rankMetrics} returns: per-row values and their means. @category Metrics */
export interface RankMetricsResult {
  /** The cut-off used. */
  k: number;
  /** The tie policy used. */
  ties: TiePolicy;
  /** 1-based rank of each row's target among the row's candidates (fractional under `'average'`). */
  ranks: Float32Array;
  /** Per-row hit rate at K (1 when rank <= K). */
  hr: Float32Array;
  /** Per-row NDCG at K, `1 / log2(rank + 1)` when rank <= K. */
  ndcg: Float32Array;
  /** Per-row reciprocal rank at K, `1 / rank` when rank <= K. */
  mrr: Float32Array;
  /** Means over all rows (computed in double precision). */
  mean: RankMetricsMeans;
}

/**
 * Ranks each row's target column among that row's other columns and returns hit rate, NDCG and MRR
 * at K per row and on average: the vectorised form of {@link rankOf} + {@link hitRate},
 * {@link ndcg} and {@link mrr}.
 *
 * @param scores - row-major score matrix of `rows * cols` entries (row = user, column = candidate)
 * @param rows - number of rows, a positive integer
 * @param cols - number of candidate columns per row, a positive integer
 * @param targets - per row, the column of the held-out positive
 * @param options - `k`, `ties` (default `'pessimistic'`) and an optional `mask`
 * @returns per-row `ranks`, `hr`, `ndcg`, `mrr` and their `mean`
 * @throws RecsysError on mismatched sizes, a target outside 0..cols-1 or masked, a bad `k`, or a
 *   NaN score (naming its row and column)
 * @example
 * ```ts
 * // two users, three candidates each; the positive is column 0 for both
 * const scores = Float32Array.of(0.9, 0.1, 0.2,   0.3, 0.8, 0.3);
 * const r = rankMetrics(scores, 2, 3, Int32Array.of(0, 0), { k: 1 });
 * r.ranks;     //=> Float32Array [1, 3]
 * r.mean.hr;   //=> 0.5
 * ```
 */
export function rankMetrics(
  scores: ArrayLike<number>,
  rows: number,
  cols: number,
  targets: ArrayLike<number>,
  options: RankMetricsOptions,
): RankMetricsResult {
  assertInteger('rows', rows, 1, 'INVALID_SIZE');
  assertInteger('cols', cols, 1, 'INVALID_SIZE');
  if (!isArrayLike(scores)) {
    throw new RecsysError('INVALID_ARGUMENT', `scores must be an array of numbers, got ${show(scores)}`);
  }
  if (scores.length !== rows * cols) {
    throw new RecsysError('LENGTH_MISMATCH', `scores has length ${scores.length} but rows * cols = ${rows} * ${cols} = ${rows * cols}`);
  }
  if (!isArrayLike(targets)) {
    throw new RecsysError('INVALID_ARGUMENT', `targets must be an array of column indices, got ${show(targets)}`);
  }
  if (targets.length !== rows) {
    throw new RecsysError('LENGTH_MISMATCH', `targets has length ${targets.length} but there are ${rows} rows`);
  }
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object with at least k, got ${show(options)}`);
  }
  const { k, ties = 'pessimistic', mask } = options;
  assertK(k);
  assertTiePolicy(ties);
  if (mask !== undefined) {
    if (!(mask instanceof Uint8Array)) throw new RecsysError('INVALID_ARGUMENT', `mask must be a Uint8Array, got ${show(mask)}`);
    if (mask.length !== rows * cols) {
      throw new RecsysError('LENGTH_MISMATCH', `mask has length ${mask.length} but rows * cols = ${rows * cols}`);
    }
  }

  const ranks = new Float32Array(rows);
  const hr = new Float32Array(rows);
  const nd = new Float32Array(rows);
  const rr = new Float32Array(rows);
  let sumHr = 0;
  let sumNdcg = 0;
  let sumMrr = 0;
  for (let r = 0; r < rows; r++) {
    const target = targets[r];
    if (!(Number.isInteger(target) && target >= 0 && target < cols)) {
      throw new RecsysError('INVALID_ARGUMENT', `targets[${r}] = ${show(target)} is not a column index in 0..${cols - 1}`, { row: r, value: target });
    }
    const base = r * cols;
    if (mask !== undefined && mask[base + target] !== 0) {
      throw new RecsysError('INVALID_ARGUMENT', `the target cell of row ${r} (column ${target}) is masked: the positive must be a candidate`, { row: r });
    }
    const t = scores[base + target];
    if (typeof t !== 'number') throw notNumber(r, target, t);
    if (t !== t) throw new RecsysError('NOT_FINITE', `scores at row ${r}, column ${target} (the target) is NaN`, { row: r, col: target });
    let higher = 0;
    let tied = 0;
    for (let c = 0; c < cols; c++) {
      if (c === target || (mask !== undefined && mask[base + c] !== 0)) continue;
      const s = scores[base + c];
      if (typeof s !== 'number') throw notNumber(r, c, s);
      if (s > t) higher++;
      else if (s === t) tied++;
      else if (s !== s) throw new RecsysError('NOT_FINITE', `scores at row ${r}, column ${c} is NaN`, { row: r, col: c });
    }
    const rank = 1 + higher + tieShare(tied, ties);
    ranks[r] = rank;
    if (rank <= k) {
      const g = 1 / Math.log2(rank + 1);
      const inv = 1 / rank;
      hr[r] = 1;
      nd[r] = g;
      rr[r] = inv;
      sumHr += 1;
      sumNdcg += g;
      sumMrr += inv;
    }
  }
  return { k, ties, ranks, hr, ndcg: nd, mrr: rr, mean: { hr: sumHr / rows, ndcg: sumNdcg / rows, mrr: sumMrr / rows } };
}

/** A score that is not a number: comparing it would coerce it (and an object may throw doing so). */
function notNumber(row: number, col: number, value: unknown): RecsysError {
  return new RecsysError('INVALID_ARGUMENT', `scores at row ${row}, column ${col} is ${show(value)}: scores must be numbers`, { row, col });
}
