import { describe, it, expect } from 'vitest';
import { averagePrecision } from './average-precision.js';

describe('averagePrecision (MAP@K)', () => {
  it('matches hand computations', () => {
    // hits at 1 and 3 of 2 relevant: (1/1 + 2/3) / 2
    expect(averagePrecision([1, 3], 2, 5)).toBeCloseTo((1 + 2 / 3) / 2, 12);
    // 4 relevant, hits at 2 and 4 within K = 5, one more at 9 beyond K: (1/2 + 2/4) / min(4, 5)
    expect(averagePrecision([2, 4, 9], 4, 5)).toBeCloseTo((0.5 + 0.5) / 4, 12);
    // normalised by min(numRelevant, k): a perfect top 2 of 5 relevant items is 1
    expect(averagePrecision([1, 2], 5, 2)).toBe(1);
    expect(averagePrecision([], 3, 10)).toBe(0);
  });
});
