import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fitPopularity } from './popularity.js';
import { recommend } from '../serving/recommend.js';

describe('fitPopularity', () => {
  // item 2: users 0, 1, 2 (user 0 twice: counted once); item 0: user 1
  const train = { users: Int32Array.of(0, 0, 1, 1, 2), items: Int32Array.of(2, 2, 2, 0, 2), weights: Float32Array.of(1, 1, 4, 2, 0.5), numUsers: 3, numItems: 4 };

  it('scores each item by its number of distinct users (hand-computed)', () => {
    const pop = fitPopularity(train);
    expect(pop.kind).toBe('popularity');
    expect(Array.from(pop.counts)).toEqual([1, 0, 3, 0]);
    expect(Array.from(pop.scoreItems(1, Int32Array.of(3, 2, 0)))).toEqual([0, 3, 1]);
    expect(Array.from(pop.scoreAllItems(Int32Array.of(0, 2)))).toEqual([1, 0, 3, 0, 1, 0, 3, 0]);
  });

  it('sums weights with weighted: true (repeats summed)', () => {
    expect(Array.from(fitPopularity(train, { weighted: true }).counts)).toEqual([2, 0, 6.5, 0]);
  });

  it('breakTies orders equal counts by item index: scores are positions (hand-computed)', () => {
    // counts [1, 0, 3, 0]: item 2, then 0, then the tied 1 and 3 in index order
    const pop = fitPopularity(train, { breakTies: true });
    expect(Array.from(pop.counts)).toEqual([1, 0, 3, 0]);
    expect(Array.from(pop.scoreAllItems(Int32Array.of(0)))).toEqual([3, 2, 4, 1]);
    const options = (s: unknown) => (s as { parts(): { options: object } }).parts().options;
    expect(options(pop)).toEqual({ breakTies: true });
    expect(options(fitPopularity(train))).toEqual({});
  });

  it('property: breakTies gives distinct scores in the order of the counts, ties by index', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const data = { users: Int32Array.from(pairs, (p) => p[0]), items: Int32Array.from(pairs, (p) => p[1]), numUsers: 5, numItems: 10 };
        const plain = fitPopularity(data).scoreAllItems(Int32Array.of(0));
        const broken = fitPopularity(data, { breakTies: true }).scoreAllItems(Int32Array.of(0));
        expect(new Set(broken).size).toBe(10);
        for (let a = 0; a < 10; a++) {
          for (let b = a + 1; b < 10; b++) expect(broken[a] > broken[b]).toBe(plain[a] >= plain[b]);
        }
      }),
    );
  });

  it('is a Scorer for recommend', () => {
    expect(recommend(fitPopularity(train), 0, { k: 2 }).map((r) => r.item)).toEqual([2, 0]);
  });

  it('property: a more popular item never scores lower, for every user', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const data = { users: Int32Array.from(pairs, (p) => p[0]), items: Int32Array.from(pairs, (p) => p[1]), numUsers: 5, numItems: 7 };
        const pop = fitPopularity(data);
        const distinct = new Map<number, Set<number>>();
        for (const [u, i] of pairs) distinct.set(i, (distinct.get(i) ?? new Set()).add(u));
        const scores = pop.scoreAllItems(Int32Array.of(0, 4));
        for (let a = 0; a < 7; a++) {
          for (let b = 0; b < 7; b++) {
            if ((distinct.get(a)?.size ?? 0) > (distinct.get(b)?.size ?? 0)) expect(scores[a]).toBeGreaterThan(scores[b]);
          }
        }
        expect(Array.from(scores.subarray(0, 7))).toEqual(Array.from(scores.subarray(7)));
      }),
    );
  });

  it('rejects bad input naming it', () => {
    expect(() => fitPopularity(train, { weighted: 'yes' as never })).toThrow(/weighted must be true or false, got "yes"/);
    expect(() => fitPopularity(train, { breakTies: 1 as never })).toThrow(/breakTies must be true or false, got 1/);
    expect(() => fitPopularity(train, { weigthed: true } as never)).toThrow(/no option "weigthed"/);
    expect(() => fitPopularity({ ...train, weights: undefined }, { weighted: true })).toThrow(/no weights/);
    expect(() => fitPopularity({ users: new Int32Array(0), items: new Int32Array(0), numUsers: 1, numItems: 1 })).toThrow(/no interactions/);
    const pop = fitPopularity(train);
    expect(() => pop.scoreItems(3, Int32Array.of(0))).toThrow(/user 3 is outside 0..2/);
    pop.dispose();
    expect(() => pop.scoreItems(0, Int32Array.of(0))).toThrow(/disposed/);
  });
});
