import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { topKMetrics, relevantRanks } from './top-k-metrics.js';
import { hitRate } from './hit-rate.js';
import { precision } from './precision.js';
import { recall } from './recall.js';
import { ndcg } from './ndcg.js';
import { averagePrecision } from './average-precision.js';
import { mrr } from './mrr.js';

describe('relevantRanks', () => {
  it('gives the 1-based positions of relevant items in a ranked list', () => {
    expect(Array.from(relevantRanks(Int32Array.of(7, 3, 9, 1), [1, 7, 5]))).toEqual([1, 4]);
  });
});

describe('topKMetrics', () => {
  it('matches a hand example', () => {
    const m = topKMetrics(Int32Array.of(4, 2, 8), [2, 5], 3);
    expect(m.hr).toBe(1);
    expect(m.precision).toBeCloseTo(1 / 3, 12);
    expect(m.recall).toBe(0.5);
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    expect(m.map).toBe(0.25);
    expect(m.mrr).toBe(0.5);
  });

  it('equals the scalar metrics on relevantRanks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 20 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 25 }),
        (ranked, relevant, k) => {
          const m = topKMetrics(ranked, relevant, k);
          const ranks = relevantRanks(ranked, relevant);
          const best = ranks.length > 0 ? ranks[0] : Infinity;
          expect(m.hr).toBe(ranks.length > 0 ? hitRate(best, k) : 0);
          expect(m.precision).toBeCloseTo(precision(ranks, k), 12);
          expect(m.recall).toBeCloseTo(recall(ranks, relevant.length, k), 12);
          expect(m.ndcg).toBeCloseTo(ndcg(ranks, relevant.length, k), 12);
          expect(m.map).toBeCloseTo(averagePrecision(ranks, relevant.length, k), 12);
          expect(m.mrr).toBeCloseTo(ranks.length > 0 ? mrr(best, k) : 0, 12);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects an empty relevant set and duplicated ranked items', () => {
    expect(() => topKMetrics([1, 2], [], 2)).toThrow(/relevantItems is empty/);
    expect(() => topKMetrics([1, 1], [1], 2)).toThrow(/lists item 1 twice/);
  });
});
