import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rankOf, TIE_POLICIES } from './rank.js';
import { isRecsysError } from '../errors.js';

const score = fc.double({ min: -1, max: 1, noNaN: true });
// few distinct values, so ties are common
const tieScore = fc.integer({ min: 0, max: 4 }).map((v) => v / 4);

describe('rankOf', () => {
  it('counts higher scores, and ties by policy (hand example)', () => {
    expect(rankOf(0.8, [0.9, 0.8, 0.1])).toBe(3);
    expect(rankOf(0.8, [0.9, 0.8, 0.1], 'pessimistic')).toBe(3);
    expect(rankOf(0.8, [0.9, 0.8, 0.1], 'optimistic')).toBe(2);
    expect(rankOf(0.8, [0.9, 0.8, 0.1], 'average')).toBe(2.5);
    expect(rankOf(0.5, [])).toBe(1);
  });

  it('ranks a constant model last under the default policy', () => {
    expect(rankOf(0.5, new Float32Array(99).fill(0.5))).toBe(100);
  });

  it('accepts typed arrays and infinities', () => {
    expect(rankOf(0, Float32Array.of(Infinity, -Infinity))).toBe(2);
  });

  it('orders ranks pessimistic >= average >= optimistic, average halfway', () => {
    fc.assert(
      fc.property(tieScore, fc.array(tieScore, { maxLength: 30 }), (p, others) => {
        const [pes, avg, opt] = TIE_POLICIES.map((t) => rankOf(p, others, t));
        expect(pes).toBeGreaterThanOrEqual(avg);
        expect(avg).toBeGreaterThanOrEqual(opt);
        expect(avg).toBe((pes + opt) / 2);
        expect(opt).toBeGreaterThanOrEqual(1);
        expect(pes).toBeLessThanOrEqual(others.length + 1);
      }),
      { numRuns: 200 },
    );
  });

  it('equals the position in a descending sort when there are no ties', () => {
    fc.assert(
      // SameValueZero: the default SameValue keeps 0 and -0 apart, and they tie as scores (0 === -0)
      fc.property(fc.uniqueArray(score, { minLength: 1, maxLength: 30, comparator: 'SameValueZero' }), fc.nat(), (all, pick) => {
        const i = pick % all.length;
        const others = all.filter((_, j) => j !== i);
        const sorted = [...all].sort((a, b) => b - a);
        expect(rankOf(all[i], others)).toBe(sorted.indexOf(all[i]) + 1);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects NaN scores naming the position', () => {
    expect(() => rankOf(0.5, [0.1, NaN])).toThrow(/otherScores\[1\] is NaN/);
    try {
      rankOf(NaN, [0.1]);
      expect.unreachable();
    } catch (e) {
      expect(isRecsysError(e, 'NOT_FINITE')).toBe(true);
    }
  });

  it('rejects an unknown tie policy', () => {
    expect(() => rankOf(0.5, [0.1], 'random' as never)).toThrow(/ties must be one of 'pessimistic', 'average', 'optimistic', got "random"/);
  });
});
