import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fitItemKNN } from './item-knn.js';

// users: 0 {0, 1}, 1 {0, 1, 2}, 2 {2}. Item columns: x0 = x1 = {0, 1}, x2 = {1, 2}; all norms sqrt(2).
// dots: (0,1) = 2, (0,2) = 1, (1,2) = 1.
const train = { users: Int32Array.of(0, 0, 1, 1, 1, 2), items: Int32Array.of(0, 1, 0, 1, 2, 2), numUsers: 3, numItems: 3 };

const pairsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 60 });
const dataOf = (pairs: [number, number][]) => ({ users: Int32Array.from(pairs, (p) => p[0]), items: Int32Array.from(pairs, (p) => p[1]), numUsers: 8, numItems: 10 });

describe('fitItemKNN', () => {
  it('computes shrunk cosine similarities (hand-computed)', () => {
    const knn = fitItemKNN(train, { shrink: 1 });
    // s01 = 2 / (2 + 1), s02 = s12 = 1 / (2 + 1)
    const n0 = knn.neighboursOf(0);
    expect(Array.from(n0.items)).toEqual([1, 2]);
    expect(n0.similarities[0]).toBeCloseTo(2 / 3, 6);
    expect(n0.similarities[1]).toBeCloseTo(1 / 3, 6);
    // user 2 holds item 2: score(2, 0) = s(2 in 0's neighbours) = 1/3; score(2, 1) = 1/3; own item 2 scores 0 (no self-similarity)
    const s = knn.scoreItems(2, Int32Array.of(0, 1, 2));
    expect(s[0]).toBeCloseTo(1 / 3, 6);
    expect(s[1]).toBeCloseTo(1 / 3, 6);
    expect(s[2]).toBe(0);
    // user 0 holds items 0 and 1: score(0, 2) = s(0 in 2's) + s(1 in 2's) = 2/3
    expect(knn.scoreAllItems(Int32Array.of(0))[2]).toBeCloseTo(2 / 3, 6);
  });

  it('keeps only the top-N neighbours of each item', () => {
    const knn = fitItemKNN(train, { shrink: 1, neighbours: 1 });
    expect(Array.from(knn.neighboursOf(0).items)).toEqual([1]);
    // item 0 no longer keeps item 2, so user 2 gets nothing for item 0
    expect(knn.scoreItems(2, Int32Array.of(0))[0]).toBe(0);
  });

  it('property: similarities are symmetric before top-N pruning, and in [0, 1)', () => {
    fc.assert(
      fc.property(pairsArb, fc.integer({ min: 0, max: 20 }), (pairs, shrink) => {
        const knn = fitItemKNN(dataOf(pairs), { neighbours: 10, shrink });
        const sim = (i: number, j: number) => {
          const { items, similarities } = knn.neighboursOf(j);
          const at = Array.from(items).indexOf(i);
          return at < 0 ? 0 : similarities[at];
        };
        for (let i = 0; i < 10; i++) {
          for (let j = 0; j < 10; j++) {
            expect(sim(i, j)).toBe(sim(j, i));
            expect(sim(i, j)).toBeGreaterThanOrEqual(0);
            expect(sim(i, j)).toBeLessThanOrEqual(1 + 1e-6);
          }
          expect(sim(i, i)).toBe(0);
        }
      }),
    );
  });

  it('property: pruning keeps the N largest, and scores agree between scoreItems and scoreAllItems', () => {
    fc.assert(
      fc.property(pairsArb, fc.integer({ min: 1, max: 4 }), (pairs, n) => {
        const data = dataOf(pairs);
        const full = fitItemKNN(data, { neighbours: 10, shrink: 2 });
        const pruned = fitItemKNN(data, { neighbours: n, shrink: 2 });
        for (let j = 0; j < 10; j++) {
          const all = Array.from(full.neighboursOf(j).similarities);
          const kept = Array.from(pruned.neighboursOf(j).similarities);
          expect(kept).toEqual(all.slice(0, n));
        }
        const items = Int32Array.of(0, 3, 9);
        for (let u = 0; u < 8; u++) {
          const row = pruned.scoreAllItems(Int32Array.of(u));
          const some = pruned.scoreItems(u, items);
          items.forEach((i, t) => expect(some[t]).toBeCloseTo(row[i], 5));
        }
      }),
    );
  });

  it('rejects bad options naming them', () => {
    expect(() => fitItemKNN(train, { neighbours: 0 })).toThrow(/neighbours must be a positive integer, got 0/);
    expect(() => fitItemKNN(train, { shrink: -1 })).toThrow(/shrink must be a number in/);
    expect(() => fitItemKNN(train).neighboursOf(3)).toThrow(/item 3 is outside/);
  });
});
