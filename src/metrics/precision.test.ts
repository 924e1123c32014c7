import { describe, it, expect } from 'vitest';
import { precision } from './precision.js';

describe('precision', () => {
  it('is the relevant share of the top K (hand example)', () => {
    expect(precision([1, 3, 12], 5)).toBe(0.4);
    expect(precision([12, 3, 1], 5)).toBe(0.4); // order of the ranks does not matter
    expect(precision([], 5)).toBe(0);
    expect(precision(Int32Array.of(1, 2), 2)).toBe(1);
  });

  it('rejects bad ranks and K', () => {
    expect(() => precision([0], 5)).toThrow(/relevantRanks\[0\] must be a positive integer/);
    expect(() => precision([1, 1], 5)).toThrow(/rank 1 twice/);
    expect(() => precision([1], 0)).toThrow('k must be a positive integer, got 0');
  });
});
