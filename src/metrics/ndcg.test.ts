import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ndcg } from './ndcg.js';

describe('ndcg of one relevant item', () => {
  it('is 1/log2(rank + 1) within K (a hit at rank 3 is 0.5)', () => {
    expect(ndcg(1, 10)).toBe(1);
    expect(ndcg(3, 10)).toBe(0.5);
    expect(ndcg(7, 10)).toBeCloseTo(1 / 3, 12);
    expect(ndcg(11, 10)).toBe(0);
    expect(ndcg(3, 2)).toBe(0);
  });

  it('interpolates for a fractional (average-tie) rank', () => {
    const g = ndcg(2.5, 10);
    expect(g).toBeLessThan(ndcg(2, 10));
    expect(g).toBeGreaterThan(ndcg(3, 10));
  });

  it('tells the caller how to ask for several relevant items', () => {
    expect(() => (ndcg as (...a: number[]) => number)(3, 10, 5)).toThrow(/ndcg\(relevantRanks, numRelevant, k\)/);
  });
});

describe('ndcg of several relevant items', () => {
  it('matches a hand computation', () => {
    // DCG = 1 + 1/log2(4) = 1.5 ; IDCG (2 relevant) = 1 + 1/log2(3)
    expect(ndcg([1, 3], 2, 10)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 12);
    // 3 relevant but k = 2: IDCG uses min(3, 2) = 2 hits, so a perfect top 2 is 1
    expect(ndcg([1, 2], 3, 2)).toBeCloseTo(1, 12);
    // ranks beyond K do not count
    expect(ndcg([5], 1, 4)).toBe(0);
  });

  it('equals the single-item form for one relevant item', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), (rank, k) => {
        expect(ndcg([rank], 1, k)).toBeCloseTo(ndcg(rank, k), 12);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects duplicate ranks, too many ranks and non-integer ranks', () => {
    expect(() => ndcg([2, 2], 2, 5)).toThrow(/rank 2 twice/);
    expect(() => ndcg([1, 2, 3], 2, 5)).toThrow(/lists 3 ranks but numRelevant is 2/);
    expect(() => ndcg([1.5], 1, 5)).toThrow(/relevantRanks\[0\] must be a positive integer/);
    expect(() => ndcg([1], 0, 5)).toThrow('numRelevant must be a positive integer, got 0');
  });
});
