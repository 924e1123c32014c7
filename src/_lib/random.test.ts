import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mulberry32, deriveSeed, randomInt } from './random.js';

describe('mulberry32', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = mulberry32(seed);
        const b = mulberry32(seed);
        const c = mulberry32(seed + 1);
        const xs = Array.from({ length: 8 }, () => a());
        expect(Array.from({ length: 8 }, () => b())).toEqual(xs);
        expect(Array.from({ length: 8 }, () => c())).not.toEqual(xs);
      }),
      { numRuns: 50 },
    );
  });

  it('matches its documented first values', () => {
    const random = mulberry32(42);
    expect(random()).toBe(0.6011037519201636);
    expect(random()).toBe(0.44829055899754167);
  });

  it('is uniform-ish on [0, 1): mean, variance and decile counts', () => {
    const random = mulberry32(123);
    const n = 200_000;
    const deciles = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = random();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      sumSq += x * x;
      deciles[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // sd of the mean is 0.00065
    expect(Math.abs(sumSq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
    // chi-square with 9 degrees of freedom: 27.9 is the 0.1% critical value
    const chi = deciles.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it('rejects a non-finite seed', () => {
    expect(() => mulberry32(NaN)).toThrow(/seed must be a finite number, got NaN/);
  });
});

describe('deriveSeed and randomInt', () => {
  it('derives distinct 32-bit seeds for distinct streams', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(42, i)));
    expect(seeds.size).toBe(1000);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(deriveSeed(42, 3)).toBe(deriveSeed(42, 3));
    expect(deriveSeed(42, 3)).not.toBe(deriveSeed(43, 3));
  });

  it('draws integers in 0..n-1', () => {
    const random = mulberry32(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = randomInt(random, 7);
      expect(Number.isInteger(v) && v >= 0 && v < 7).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });
});
