// Where a positive lands among scored candidates. Ties matter: a model that scores everything
// alike (e.g. a dead network outputting 0.5) must not look perfect, so the default policy ranks
// the positive below every candidate it ties with.
import { RecsysError } from '../errors.js';
import { assertOneOf, show } from '../_lib/validate.js';
import { isArrayLike } from './_checks.js';

/**
 * How to rank a positive that ties with other candidates:
 * - `'pessimistic'` (default): every tied candidate ranks above it (a constant model scores 0);
 * - `'optimistic'`: none does;
 * - `'average'`: half of them do, the expected rank under a random tie break (may be fractional).
 * @category Metrics
 */
export type TiePolicy = 'pessimistic' | 'optimistic' | 'average';

/**
 * The accepted tie policies, ordered from the worst rank for the positive to the best.
 *
 * @example
 * ```ts
 * TIE_POLICIES; //=> ['pessimistic', 'average', 'optimistic']
 * ```
 * @category Metrics
 */
export const TIE_POLICIES: readonly TiePolicy[] = ['pessimistic', 'average', 'optimistic'];

/** Throws INVALID_ARGUMENT unless `ties` is a {@link TiePolicy}. @internal */
export function assertTiePolicy(ties: unknown, name = 'ties'): asserts ties is TiePolicy {
  assertOneOf(name, ties, TIE_POLICIES);
}

/**
 * The 1-based rank of a positive among itself and other candidates (higher score = better).
 *
 * @param positiveScore - the positive's score
 * @param otherScores - the scores of the competing candidates (the positive itself excluded)
 * @param ties - how to count candidates that score exactly like the positive; default `'pessimistic'`
 * @returns `1 + (#others scoring higher) + t`, where `t` is every tie (pessimistic), none
 *   (optimistic) or half of them (average)
 * @throws RecsysError `NOT_FINITE` when a score is NaN (naming its position); ±Infinity is allowed
 * @example
 * ```ts
 * rankOf(0.8, [0.9, 0.8, 0.1]);                //=> 3
 * rankOf(0.8, [0.9, 0.8, 0.1], 'optimistic');  //=> 2
 * rankOf(0.8, [0.9, 0.8, 0.1], 'average');     //=> 2.5
 * ```
 */
export function rankOf(positiveScore: number, otherScores: ArrayLike<number>, ties: TiePolicy = 'pessimistic'): number {
  if (typeof positiveScore !== 'number' || Number.isNaN(positiveScore)) {
    throw new RecsysError('NOT_FINITE', `positiveScore must be a number, got ${show(positiveScore)}`, { value: positiveScore });
  }
  if (!isArrayLike(otherScores)) {
    throw new RecsysError('INVALID_ARGUMENT', `otherScores must be an array of numbers, got ${show(otherScores)}`);
  }
  assertTiePolicy(ties);
  let higher = 0;
  let tied = 0;
  for (let i = 0; i < otherScores.length; i++) {
    const s = otherScores[i];
    // a non-number would be coerced by the comparisons below (and an object may throw doing so)
    if (typeof s !== 'number') {
      throw new RecsysError('INVALID_ARGUMENT', `otherScores[${i}] is ${show(s)}: scores must be numbers`, { index: i, value: s });
    }
    if (s > positiveScore) higher++;
    else if (s === positiveScore) tied++;
    else if (!(s < positiveScore)) {
      throw new RecsysError('NOT_FINITE', `otherScores[${i}] is ${show(s)}: scores must be numbers, not NaN`, { index: i, value: s });
    }
  }
  return 1 + higher + tieShare(tied, ties);
}

/** How many of `tied` candidates rank above the positive under `ties`. @internal */
export function tieShare(tied: number, ties: TiePolicy): number {
  return ties === 'pessimistic' ? tied : ties === 'optimistic' ? 0 : tied / 2;
}
