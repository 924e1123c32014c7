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

/** Up to this many hits the ideal DCG is summed term by term (exact to rounding). */
const EXACT_HITS = 1 << 16;

/**
 * The DCG of `hits` relevant items at ranks 1..hits. @internal
 *
 * `hits` is min(numRelevant, k), and both may be any positive integer: summing term by term would
 * take seconds for 1e9 and hours for 1e15. Beyond EXACT_HITS the tail is the Euler-Maclaurin
 * formula for f(r) = 1 / log2(r + 1): its integral (as ln 2 times a difference of logarithmic
 * integrals, by Gauss-Legendre quadrature in t = ln(x + 1), where the integrand e^t / t is smooth)
 * plus the end-point and first-derivative corrections. The next correction is below 1e-15 there.
 */
export function idealDcg(hits: number): number {
  if (hits <= EXACT_HITS) return exactDcg(hits);
  exactPrefix ??= exactDcg(EXACT_HITS);
  const sum = exactPrefix;
  const f = (x: number): number => 1 / Math.log2(x + 1);
  const df = (x: number): number => -Math.LN2 / ((x + 1) * Math.log(x + 1) ** 2);
  const a = EXACT_HITS;
  const integral = Math.LN2 * expOverT(Math.log(a + 1), Math.log(hits + 1));
  return sum + integral + (f(hits) - f(a)) / 2 + (df(hits) - df(a)) / 12;
}

let exactPrefix: number | undefined;

function exactDcg(hits: number): number {
  let sum = 0;
  for (let r = 1; r <= hits; r++) sum += 1 / Math.log2(r + 1);
  return sum;
}

// 8-point Gauss-Legendre nodes and weights on [-1, 1] (symmetric halves).
const GL_X = [0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
const GL_W = [0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

/** The integral of e^t / t from lo to hi (0 < lo <= hi), on panels of width <= 1/4. */
function expOverT(lo: number, hi: number): number {
  const panels = Math.max(1, Math.ceil((hi - lo) * 4));
  const width = (hi - lo) / panels;
  let total = 0;
  for (let p = 0; p < panels; p++) {
    const mid = lo + (p + 0.5) * width;
    const half = width / 2;
    let s = 0;
    for (let j = 0; j < 4; j++) {
      const t1 = mid - half * GL_X[j];
      const t2 = mid + half * GL_X[j];
      s += GL_W[j] * (Math.exp(t1) / t1 + Math.exp(t2) / t2);
    }
    total += s * half;
  }
  return total;
}
