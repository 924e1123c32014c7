// Average precision @K (its mean over users is MAP@K), normalised by min(numRelevant, k) so that
// a perfect top K scores 1 even when the user has more relevant items than K.
import { assertK } from '../_lib/validate.js';
import { assertNumRelevant, assertRanksFit, sortedRanks } from './_checks.js';

/**
 * Average precision at K: the mean, over the relevant items ranked within K, of the precision at
 * their rank, normalised by `min(numRelevant, k)`.
 *
 * @param relevantRanks - distinct 1-based positions of the relevant items in the ranked list
 *   (those beyond `k` may be omitted)
 * @param numRelevant - how many relevant items the user has in all (>= relevantRanks.length)
 * @param k - the cut-off, a positive integer
 * @returns `sum_{i: r_i <= k} (i / r_i) / min(numRelevant, k)` with ranks sorted ascending and `i`
 *   1-based, in [0, 1]
 * @example
 * ```ts
 * // hits at ranks 1 and 3 of 2 relevant items: (1/1 + 2/3) / 2
 * averagePrecision([1, 3], 2, 5); //=> 0.8333...
 * ```
 */
export function averagePrecision(relevantRanks: ArrayLike<number>, numRelevant: number, k: number): number {
  const sorted = sortedRanks(relevantRanks);
  assertNumRelevant(numRelevant);
  assertK(k);
  assertRanksFit(sorted, numRelevant);
  let sum = 0;
  for (let i = 0; i < sorted.length && sorted[i] <= k; i++) sum += (i + 1) / sorted[i];
  return sum / Math.min(numRelevant, k);
}
