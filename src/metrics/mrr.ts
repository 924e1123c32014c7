// Reciprocal rank of one held-out positive (averaged over users it is the MRR).
import { assertK } from '../_lib/validate.js';
import { assertRank } from './_checks.js';

/**
 * Reciprocal rank of a single relevant item, `1 / rank`; with a cut-off `k`, 0 beyond it
 * (MRR at K). A fractional rank (from the `'average'` tie policy) counts when `rank <= k`.
 * For several relevant items, pass the best (smallest) of their ranks.
 *
 * @param rank - the item's 1-based rank (see {@link rankOf})
 * @param k - optional cut-off, a positive integer; omit for the untruncated reciprocal rank
 * @returns a value in (0, 1], or 0 beyond `k`
 * @example
 * ```ts
 * mrr(4);      //=> 0.25
 * mrr(4, 3);   //=> 0
 * mrr(2.5);    //=> 0.4
 * ```
 */
export function mrr(rank: number, k?: number): number {
  assertRank(rank);
  if (k !== undefined) {
    assertK(k);
    if (rank > k) return 0;
  }
  return 1 / rank;
}
