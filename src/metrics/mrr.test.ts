import { describe, it, expect } from 'vitest';
import { mrr } from './mrr.js';

describe('mrr', () => {
  it('is the reciprocal rank, truncated at K when given', () => {
    expect(mrr(1)).toBe(1);
    expect(mrr(4)).toBe(0.25);
    expect(mrr(4, 4)).toBe(0.25);
    expect(mrr(4, 3)).toBe(0);
    expect(mrr(2.5)).toBe(0.4);
  });

  it('rejects bad input', () => {
    expect(() => mrr(0.5)).toThrow(/rank must be a finite number >= 1/);
    expect(() => mrr(2, 0)).toThrow('k must be a positive integer, got 0');
  });
});
