// Recall @K over a full ranking with several relevant items.
import { assertK } from '../_lib/validate.js';
import { assertNumRelevant, assertRanksFit, sortedRanks } from './_checks.js';
import { countWithin } from './precision.js';

/**
 * Recall at K: the share of the user's relevant items found in the top K.
 *
 * @param relevantRanks - distinct 1-based positions of the relevant items in the ranked list
 *   (those beyond `k` may be omitted)
 * @param numRelevant - how many relevant items the user has in all (>= relevantRanks.length)
 * @param k - the cut-off, a positive integer
 * @returns `#{rank <= k} / numRelevant`, in [0, 1]
 * @example
 * ```ts
 * recall([1, 3, 12], 4, 5); //=> 0.5
 * ```
 */
export function recall(relevantRanks: ArrayLike<number>, numRelevant: number, k: number): number {
  const sorted = sortedRanks(relevantRanks);
  assertNumRelevant(numRelevant);
  assertK(k);
  assertRanksFit(sorted, numRelevant);
  return countWithin(sorted, k) / numRelevant;
}
