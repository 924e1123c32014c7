import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rankMetrics } from './rank-metrics.js';
import { rankOf, TIE_POLICIES } from './rank.js';
import { hitRate } from './hit-rate.js';
import { ndcg } from './ndcg.js';
import { mrr } from './mrr.js';

describe('rankMetrics', () => {
  it('matches a hand example', () => {
    const scores = Float32Array.of(0.9, 0.1, 0.2, 0.3, 0.8, 0.3);
    const r = rankMetrics(scores, 2, 3, Int32Array.of(0, 0), { k: 1 });
    expect(Array.from(r.ranks)).toEqual([1, 3]);
    expect(Array.from(r.hr)).toEqual([1, 0]);
    expect(r.mean).toEqual({ hr: 0.5, ndcg: 0.5, mrr: 0.5 });
    const avg = rankMetrics(scores, 2, 3, Int32Array.of(0, 0), { k: 3, ties: 'average' });
    expect(Array.from(avg.ranks)).toEqual([1, 2.5]);
  });

  it('equals the scalar functions row by row (every tie policy, with a mask)', () => {
    const cell = fc.integer({ min: 0, max: 4 }).map((v) => v / 4);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(...TIE_POLICIES),
        fc.boolean(),
        fc.infiniteStream(cell),
        fc.infiniteStream(fc.nat()),
        (rows, cols, k, ties, useMask, cells, nats) => {
          const it1 = cells[Symbol.iterator]();
          const it2 = nats[Symbol.iterator]();
          const scores = Float32Array.from({ length: rows * cols }, () => it1.next().value as number);
          const targets = Int32Array.from({ length: rows }, () => (it2.next().value as number) % cols);
          const mask = useMask ? Uint8Array.from({ length: rows * cols }, () => (it2.next().value as number) % 3 === 0 ? 1 : 0) : undefined;
          if (mask) for (let r = 0; r < rows; r++) mask[r * cols + targets[r]] = 0;
          const result = rankMetrics(scores, rows, cols, targets, { k, ties, mask });
          let sumNdcg = 0;
          for (let r = 0; r < rows; r++) {
            const others: number[] = [];
            for (let c = 0; c < cols; c++) if (c !== targets[r] && !(mask && mask[r * cols + c])) others.push(scores[r * cols + c]);
            const rank = rankOf(scores[r * cols + targets[r]], others, ties);
            expect(result.ranks[r]).toBe(rank);
            expect(result.hr[r]).toBe(hitRate(rank, k));
            expect(result.ndcg[r]).toBeCloseTo(ndcg(rank, k), 6);
            expect(result.mrr[r]).toBeCloseTo(mrr(rank, k), 6);
            sumNdcg += ndcg(rank, k);
          }
          expect(result.mean.ndcg).toBeCloseTo(sumNdcg / rows, 10);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects mismatched sizes, bad targets, masked targets and NaN', () => {
    const s = new Float32Array(6);
    expect(() => rankMetrics(s, 2, 4, Int32Array.of(0, 0), { k: 1 })).toThrow(/scores has length 6 but rows \* cols = 2 \* 4 = 8/);
    expect(() => rankMetrics(s, 2, 3, Int32Array.of(0), { k: 1 })).toThrow(/targets has length 1 but there are 2 rows/);
    expect(() => rankMetrics(s, 2, 3, Int32Array.of(0, 3), { k: 1 })).toThrow(/targets\[1\] = 3 is not a column index in 0..2/);
    expect(() => rankMetrics(s, 2, 3, Int32Array.of(0, 1), { k: 1, mask: Uint8Array.of(0, 0, 0, 0, 1, 0) })).toThrow(/row 1 \(column 1\) is masked/);
    expect(() => rankMetrics(Float32Array.of(0, NaN), 1, 2, Int32Array.of(0), { k: 1 })).toThrow(/row 0, column 1 is NaN/);
    expect(() => rankMetrics(s, 2, 3, Int32Array.of(0, 0), { k: 0 })).toThrow('k must be a positive integer, got 0');
  });
});
