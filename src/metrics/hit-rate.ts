// Hit rate @K for one held-out positive: did it make the top K?
import { assertK } from '../_lib/validate.js';
import { assertRank } from './_checks.js';

/**
 * Hit rate at K for a single relevant item: 1 when it ranks within the top K, else 0.
 * A fractional rank (from the `'average'` tie policy) is a hit when `rank <= k`.
 * For several relevant items, pass the best (smallest) of their ranks.
 *
 * @param rank - the item's 1-based rank (see {@link rankOf})
 * @param k - the cut-off, a positive integer
 * @returns 1 or 0
 * @example
 * ```ts
 * hitRate(3, 10); //=> 1
 * hitRate(11, 10); //=> 0
 * ```
 */
export function hitRate(rank: number, k: number): number {
  assertRank(rank);
  assertK(k);
  return rank <= k ? 1 : 0;
}
