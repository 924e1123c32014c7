/**
 * Max-norm relative error: max |a - b| / max |b|, 0 when the arrays are equal. `floor` bounds the
 * denominator from below, so an all-zero expectation with a nonzero difference gives a large finite
 * number instead of Infinity.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-12): number {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < expected.length; k++) {
    diff = Math.max(diff, Math.abs(actual[k] - expected[k]));
    scale = Math.max(scale, Math.abs(expected[k]));
  }
  return diff === 0 ? 0 : diff / Math.max(scale, floor);
}
