// Private argument checks shared by the metric functions. Each throws a RecsysError naming the
// argument and the offending value; none clamps.
import { RecsysError } from '../errors.js';
import { assertInteger, show } from '../_lib/validate.js';

/**
 * Whether `value` can be walked as an array: an object whose length is a non-negative integer.
 * (A negative, fractional or NaN length would make typed-array allocation throw a RangeError or
 * silently read nothing.)
 */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const length = (value as { length?: unknown }).length;
  return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0;
}

/** Asserts a 1-based rank: a finite number >= 1 (fractional ranks come from the 'average' tie policy). */
export function assertRank(value: unknown, name = 'rank'): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a finite number >= 1 (ranks are 1-based), got ${show(value)}`, {
      name,
      value,
    });
  }
}

/** Asserts the number of relevant items: a positive integer. */
export function assertNumRelevant(value: unknown): asserts value is number {
  assertInteger('numRelevant', value, 1);
}

/**
 * Validates the ranks of several relevant items (distinct positive integers: positions in one
 * ranked list) and returns them sorted ascending in a fresh array.
 */
export function sortedRanks(relevantRanks: ArrayLike<number>, name = 'relevantRanks'): Float64Array {
  if (!isArrayLike(relevantRanks)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an array of ranks, got ${show(relevantRanks)}`);
  }
  // validated before the copy is allocated: an array-like may claim any length
  for (let i = 0; i < relevantRanks.length; i++) {
    const r = relevantRanks[i];
    if (!(Number.isInteger(r) && r >= 1)) {
      throw new RecsysError('INVALID_ARGUMENT', `${name}[${i}] must be a positive integer position in the ranked list, got ${show(r)}`, {
        index: i,
        value: r,
      });
    }
  }
  const sorted = Float64Array.from(relevantRanks);
  sorted.sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new RecsysError('INVALID_ARGUMENT', `${name} lists rank ${sorted[i]} twice: relevant items hold distinct positions`, {
        value: sorted[i],
      });
    }
  }
  return sorted;
}

/** Asserts that no more ranks are listed than there are relevant items. */
export function assertRanksFit(ranks: ArrayLike<number>, numRelevant: number): void {
  if (ranks.length > numRelevant) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `relevantRanks lists ${ranks.length} ranks but numRelevant is ${numRelevant}: there cannot be more ranked relevant items than relevant items`,
      { ranks: ranks.length, numRelevant },
    );
  }
}
