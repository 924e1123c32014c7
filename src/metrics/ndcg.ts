// Normalised discounted cumulative gain @K, with binary relevance. One function for both cases:
// a single held-out positive (the NCF protocol: IDCG = 1, so NDCG = 1/log2(rank + 1)) and several
// relevant items in a full ranking (normalised by the ideal DCG of min(numRelevant, k) hits).
import { RecsysError } from '../errors.js';
import { assertK, show } from '../_lib/validate.js';
import { assertNumRelevant, assertRank, assertRanksFit, sortedRanks } from './_checks.js';

/**
 * NDCG at K.
 *
 * - `ndcg(rank, k)`: one relevant item at `rank`: `1 / log2(rank + 1)` when `rank <= k`, else 0.
 *   A fractional rank (from the `'average'` tie policy) is discounted at its value, so ties
 *   interpolate between their optimistic and pessimistic gains.
 * - `ndcg(relevantRanks, numRelevant, k)`: several relevant items; `relevantRanks` are the
 *   distinct 1-based positions of the relevant items found in the ranked list (those beyond `k` may
 *   be omitted), `numRelevant` how many relevant items the user has in all. DCG sums
 *   `1 / log2(rank + 1)` over ranks `<= k`; IDCG is the DCG of `min(numRelevant, k)` hits at the top.
 *
 * @param rank - the 1-based rank of the single relevant item, or the ranks of several
 * @param k - the cut-off (single-item form), a positive integer
 * @returns a value in [0, 1]
 * @example
 * ```ts
 * ndcg(1, 10);               //=> 1
 * ndcg(3, 10);               //=> 0.5
 * ndcg(11, 10);              //=> 0
 * ndcg([1, 3], 2, 10);       //=> (1 + 0.5) / (1 + 1 / Math.log2(3)) = 0.9197...
 * ```
 */
export function ndcg(rank: number, k: number): number;
/**
 * NDCG at K over several relevant items (see the single-item overload for the definition).
 *
 * @param relevantRanks - distinct 1-based positions of relevant items in the ranked list
 * @param numRelevant - the total number of relevant items of the user (>= relevantRanks.length)
 * @param k - the cut-off, a positive integer
 * @returns a value in [0, 1]
 * @example
 * ```ts
 * ndcg([1, 3], 2, 10); //=> 0.9197...
 * ndcg([2], 1, 10);    //=> 0.6309...
 * ```
 */
export function ndcg(relevantRanks: ArrayLike<number>, numRelevant: number, k: number): number;
export function ndcg(rankOrRanks: number | ArrayLike<number>, kOrNumRelevant: number, maybeK?: number): number {
  if (typeof rankOrRanks === 'number') {
    if (maybeK !== undefined) {
      throw new RecsysError(
        'INVALID_ARGUMENT',
        `ndcg(rank, k) takes two arguments; for several relevant items call ndcg(relevantRanks, numRelevant, k) (got a third argument ${show(maybeK)})`,
      );
    }
    assertRank(rankOrRanks);
    assertK(kOrNumRelevant);
    return rankOrRanks <= kOrNumRelevant ? 1 / Math.log2(rankOrRanks + 1) : 0;
  }
  const sorted = sortedRanks(rankOrRanks);
  assertNumRelevant(kOrNumRelevant);
  assertK(maybeK);
  assertRanksFit(sorted, kOrNumRelevant);
  let dcg = 0;
  for (let i = 0; i < sorted.length && sorted[i] <= maybeK; i++) dcg += 1 / Math.log2(sorted[i] + 1);
  return dcg / idealDcg(Math.min(kOrNumRelevant, maybeK));
}

/** The DCG of `hits` relevant items at ranks 1..hits. @internal */
export function idealDcg(hits: number): number {
  let sum = 0;
  for (let r = 1; r <= hits; r++) sum += 1 / Math.log2(r + 1);
  return sum;
}
