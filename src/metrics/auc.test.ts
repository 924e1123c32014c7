import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { auc } from './auc.js';

/** O(n m) reference: the definition itself. */
function pairwiseAuc(pos: number[], neg: number[], tie: number): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? tie : 0;
  return wins / (pos.length * neg.length);
}

const value = fc.integer({ min: 0, max: 5 }).map((v) => v / 5);

describe('auc', () => {
  it('matches a hand example with a tie', () => {
    // 0.9 beats both negatives; 0.5 beats 0.3 and ties 0.5: (2 + 1.5) / 4
    expect(auc([0.9, 0.5], [0.3, 0.5])).toBe(0.875);
    expect(auc([0.9, 0.5], [0.3, 0.5], 'pessimistic')).toBe(0.75);
    expect(auc([0.9, 0.5], [0.3, 0.5], 'optimistic')).toBe(1);
  });

  it('is 1 for a perfect separation, 0 for the reverse, 0.5 for a constant', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1, 2], [3, 4])).toBe(0);
    expect(auc([1, 1], [1, 1, 1])).toBe(0.5);
  });

  it('equals the pairwise definition for every tie policy', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 20 }), fc.array(value, { minLength: 1, maxLength: 20 }), (pos, neg) => {
        expect(auc(pos, neg)).toBeCloseTo(pairwiseAuc(pos, neg, 0.5), 12);
        expect(auc(pos, neg, 'pessimistic')).toBeCloseTo(pairwiseAuc(pos, neg, 0), 12);
        expect(auc(pos, neg, 'optimistic')).toBeCloseTo(pairwiseAuc(pos, neg, 1), 12);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects empty sides and NaN', () => {
    expect(() => auc([], [1])).toThrow(/positiveScores is empty/);
    expect(() => auc([1], [])).toThrow(/negativeScores is empty/);
    expect(() => auc([1, NaN], [0])).toThrow(/positiveScores\[1\] is NaN/);
  });
});
