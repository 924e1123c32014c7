// Invariants shared by every ranking metric: range, monotone in K, perfect ranking scores 1, and
// the tie policies ordered pessimistic <= average <= optimistic.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rankOf, TIE_POLICIES } from './rank.js';
import { hitRate } from './hit-rate.js';
import { ndcg } from './ndcg.js';
import { mrr } from './mrr.js';
import { precision } from './precision.js';
import { recall } from './recall.js';
import { averagePrecision } from './average-precision.js';
import { auc } from './auc.js';

const rank = fc.oneof(fc.integer({ min: 1, max: 200 }), fc.double({ min: 1, max: 200, noNaN: true }));
const k = fc.integer({ min: 1, max: 100 });
/** Distinct integer ranks plus a numRelevant >= their count. */
const rankSet = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 15 }), fc.nat({ max: 10 }))
  .map(([ranks, extra]) => ({ ranks, numRelevant: Math.max(1, ranks.length + extra) }));

describe('metric invariants', () => {
  it('every metric lies in [0, 1]', () => {
    fc.assert(
      fc.property(rank, k, rankSet, (r, kk, { ranks, numRelevant }) => {
        for (const v of [
          hitRate(r, kk),
          ndcg(r, kk),
          mrr(r),
          mrr(r, kk),
          precision(ranks, kk),
          recall(ranks, numRelevant, kk),
          averagePrecision(ranks, numRelevant, kk),
          ndcg(ranks, numRelevant, kk),
        ]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hit rate, NDCG, MRR@K and recall never decrease as K grows', () => {
    fc.assert(
      fc.property(rank, k, k, rankSet, (r, a, b, { ranks, numRelevant }) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(hitRate(r, hi)).toBeGreaterThanOrEqual(hitRate(r, lo));
        expect(ndcg(r, hi)).toBeGreaterThanOrEqual(ndcg(r, lo));
        expect(mrr(r, hi)).toBeGreaterThanOrEqual(mrr(r, lo));
        expect(recall(ranks, numRelevant, hi)).toBeGreaterThanOrEqual(recall(ranks, numRelevant, lo));
      }),
      { numRuns: 300 },
    );
  });

  it('a perfect ranking scores 1 on every metric', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), k, (numRelevant, kk) => {
        const perfect = Array.from({ length: numRelevant }, (_, i) => i + 1);
        expect(hitRate(1, kk)).toBe(1);
        expect(ndcg(1, kk)).toBe(1);
        expect(mrr(1, kk)).toBe(1);
        expect(ndcg(perfect, numRelevant, kk)).toBeCloseTo(1, 12);
        expect(averagePrecision(perfect, numRelevant, kk)).toBeCloseTo(1, 12);
        if (kk <= numRelevant) expect(precision(perfect, kk)).toBe(1);
        if (numRelevant <= kk) expect(recall(perfect, numRelevant, kk)).toBe(1);
        expect(auc([2, 3], [0, 1])).toBe(1);
      }),
      { numRuns: 100 },
    );
  });

  it('tie policies order the metrics: pessimistic <= average <= optimistic', () => {
    const s = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(s, fc.array(s, { maxLength: 20 }), fc.integer({ min: 1, max: 10 }), fc.array(s, { minLength: 1, maxLength: 8 }), (p, others, kk, negs) => {
        const [pes, avg, opt] = TIE_POLICIES.map((t) => rankOf(p, others, t));
        for (const metric of [hitRate, ndcg, mrr] as const) {
          expect(metric(pes, kk)).toBeLessThanOrEqual(metric(avg, kk));
          expect(metric(avg, kk)).toBeLessThanOrEqual(metric(opt, kk));
        }
        const [aPes, aAvg, aOpt] = TIE_POLICIES.map((t) => auc([p], negs, t));
        expect(aPes).toBeLessThanOrEqual(aAvg);
        expect(aAvg).toBeLessThanOrEqual(aOpt);
      }),
      { numRuns: 300 },
    );
  });
});
