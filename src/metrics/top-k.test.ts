import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { topK } from './top-k.js';

/** Reference: a full stable sort by score descending, index ascending. */
function sortedTop(scores: ArrayLike<number>, k: number, exclude?: (i: number) => boolean): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i).filter((i) => !exclude?.(i));
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, k);
}

describe('topK', () => {
  it('returns the best indices first, ties to the lower index', () => {
    expect(Array.from(topK([0.1, 0.9, 0.5, 0.9], 3))).toEqual([1, 3, 2]);
    expect(Array.from(topK([0.1, 0.9, 0.5, 0.9], 2, (i) => i === 1))).toEqual([3, 2]);
    expect(Array.from(topK([2, 2, 2, 2], 2))).toEqual([0, 1]);
  });

  it('returns fewer when fewer candidates remain', () => {
    expect(Array.from(topK([1, 2], 5))).toEqual([1, 0]);
    expect(Array.from(topK([1, 2], 5, () => true))).toEqual([]);
    expect(topK([], 3)).toBeInstanceOf(Int32Array);
  });

  it("equals a full sort's first k (with ties and exclusions)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 7 }),
        (values, k, mod) => {
          const scores = Float32Array.from(values);
          const exclude = (i: number) => i % mod === 0 && mod > 1;
          expect(Array.from(topK(scores, k, exclude))).toEqual(sortedTop(scores, k, exclude));
          expect(Array.from(topK(scores, k))).toEqual(sortedTop(scores, k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a bad k and NaN scores', () => {
    expect(() => topK([1], 0)).toThrow('k must be a positive integer, got 0');
    expect(() => topK([1, NaN], 1)).toThrow('scores[1] is NaN');
    expect(() => topK([1], 1, 'no' as never)).toThrow(/exclude must be a function/);
  });
});
