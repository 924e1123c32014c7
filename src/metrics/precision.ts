// Precision @K over a full ranking with several relevant items.
import { assertK } from '../_lib/validate.js';
import { sortedRanks } from './_checks.js';

/**
 * Precision at K: the share of the top K positions held by relevant items.
 *
 * @param relevantRanks - distinct 1-based positions of the relevant items in the ranked list
 *   (those beyond `k` may be omitted)
 * @param k - the cut-off, a positive integer
 * @returns `#{rank <= k} / k`, in [0, 1]
 * @example
 * ```ts
 * precision([1, 3, 12], 5); //=> 0.4
 * ```
 */
export function precision(relevantRanks: ArrayLike<number>, k: number): number {
  const sorted = sortedRanks(relevantRanks);
  assertK(k);
  return countWithin(sorted, k) / k;
}

/** How many of the ascending `sorted` ranks are <= k. @internal */
export function countWithin(sorted: Float64Array, k: number): number {
  let n = 0;
  while (n < sorted.length && sorted[n] <= k) n++;
  return n;
}
