import { describe, it, expect } from 'vitest';
import { hitRate } from './hit-rate.js';
import { isRecsysError } from '../errors.js';

describe('hitRate', () => {
  it('is 1 within the top K and 0 beyond', () => {
    expect(hitRate(1, 1)).toBe(1);
    expect(hitRate(10, 10)).toBe(1);
    expect(hitRate(11, 10)).toBe(0);
  });

  it('treats a fractional (average-tie) rank as a hit when rank <= k', () => {
    expect(hitRate(10.5, 10)).toBe(0);
    expect(hitRate(9.5, 10)).toBe(1);
  });

  it('rejects a bad K and a bad rank with codes', () => {
    expect(() => hitRate(3, 0)).toThrow('k must be a positive integer, got 0');
    expect(() => hitRate(3, 2.5)).toThrow(/got 2.5/);
    expect(() => hitRate(0, 10)).toThrow(/rank must be a finite number >= 1.*got 0/);
    expect(() => hitRate(NaN, 10)).toThrow(/got NaN/);
    let caught: unknown;
    try {
      hitRate(3, -1);
    } catch (e) {
      caught = e;
    }
    expect(isRecsysError(caught, 'INVALID_K')).toBe(true);
  });
});
