// Area under the ROC curve as the Mann-Whitney statistic: the probability that a random positive
// outscores a random negative. Sorting the negatives once and binary-searching each positive keeps
// it O((n + m) log m) with no n x m pair loop.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { assertTiePolicy, type TiePolicy } from './rank.js';
import { isArrayLike } from './_checks.js';

/**
 * AUC: the probability that a positive scores above a negative, over all (positive, negative) pairs.
 *
 * @param positiveScores - scores of the positives (at least one)
 * @param negativeScores - scores of the negatives (at least one)
 * @param ties - how a tied pair counts: `'average'` (default) half, `'optimistic'` fully,
 *   `'pessimistic'` not at all
 * @returns a value in [0, 1]
 * @throws RecsysError `EMPTY_INPUT` for an empty side, `NOT_FINITE` for a NaN score
 * @example
 * ```ts
 * // pairs: 0.9 beats 0.3 and 0.5; 0.5 beats 0.3 and ties 0.5 -> (2 + 1.5) / 4
 * auc([0.9, 0.5], [0.3, 0.5]); //=> 0.875
 * ```
 */
export function auc(positiveScores: ArrayLike<number>, negativeScores: ArrayLike<number>, ties: TiePolicy = 'average'): number {
  const negatives = checkedScores('negativeScores', negativeScores);
  const positives = checkedScores('positiveScores', positiveScores);
  assertTiePolicy(ties);
  negatives.sort();
  const m = negatives.length;
  let wins = 0;
  for (let i = 0; i < positives.length; i++) {
    const p = positives[i];
    const below = lowerBound(negatives, p);
    const tied = below < m && negatives[below] === p ? upperBound(negatives, p, below) - below : 0;
    wins += below + (ties === 'average' ? tied / 2 : ties === 'optimistic' ? tied : 0);
  }
  return wins / (positives.length * m);
}

function checkedScores(name: string, scores: ArrayLike<number>): Float64Array {
  if (!isArrayLike(scores)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an array of numbers, got ${show(scores)}`);
  }
  if (scores.length === 0) throw new RecsysError('EMPTY_INPUT', `${name} is empty: AUC needs at least one positive and one negative`);
  // validated before the copy is allocated: an array-like may claim any length
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (typeof s !== 'number' || Number.isNaN(s)) {
      throw new RecsysError('NOT_FINITE', `${name}[${i}] is ${show(s)}: scores must be numbers, not NaN`, { index: i, value: s });
    }
  }
  return Float64Array.from(scores as ArrayLike<number>);
}

/** First index whose value is >= x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index at or after `from` whose value is > x. */
function upperBound(sorted: Float64Array, x: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
