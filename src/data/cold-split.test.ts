import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { coldItemSplit, evaluateColdItems, type ColdItemScorer } from './cold-split.js';
import { featurePopularity } from './feature-popularity.js';
import { featuresFrom } from './features-from.js';
import { IdMap } from './id-map.js';
import type { Interactions } from './interactions.js';
import { RecsysError } from '../errors.js';
import { thrown } from '../../test/helpers/recsys-error.js';

const interactionsArb = fc
  .record({ numUsers: fc.integer({ min: 1, max: 8 }), numItems: fc.integer({ min: 2, max: 30 }), n: fc.integer({ min: 2, max: 80 }) })
  .chain(({ numUsers, numItems, n }) =>
    fc.record({
      users: fc.array(fc.integer({ min: 0, max: numUsers - 1 }), { minLength: n, maxLength: n }),
      items: fc.array(fc.integer({ min: 0, max: numItems - 1 }), { minLength: n, maxLength: n }),
      numUsers: fc.constant(numUsers),
      numItems: fc.constant(numItems),
    }),
  )
  .filter((r) => new Set(r.items).size >= 2)
  .map((r): Interactions => ({ users: Int32Array.from(r.users), items: Int32Array.from(r.items), numUsers: r.numUsers, numItems: r.numItems }));

const table = (scores: number[]): ColdItemScorer => ({
  numUsers: 3,
  numItems: scores.length,
  scoreItems: (_u, items, out = new Float32Array(items.length)) => {
    items.forEach((i, t) => (out[t] = scores[i]));
    return out;
  },
});

describe('coldItemSplit', () => {
  it('properties: held-out items never in train, every test row on a held-out item, sizes, fraction, determinism', () => {
    fc.assert(
      fc.property(interactionsArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer(), (data, fraction, seed) => {
        const split = coldItemSplit(data, { fraction, seed });
        const present = new Set(data.items);
        for (const i of split.train.items) expect(split.isCold[i]).toBe(0);
        for (const i of split.test.items) expect(split.isCold[i]).toBe(1);
        expect(split.train.users.length + split.test.users.length).toBe(data.users.length);
        const cold = Array.from(split.coldItems);
        expect(cold).toEqual([...cold].sort((a, b) => a - b));
        expect(cold.every((i) => present.has(i))).toBe(true);
        // every held-out item keeps all its interactions in test
        for (const i of cold) expect(split.test.items.filter((x) => x === i).length).toBe(data.items.filter((x) => x === i).length);
        // the held-out share is the fraction rounded to the nearest item (at least 1, at most all but 1)
        const n = present.size;
        expect(cold.length).toBe(Math.min(n - 1, Math.max(1, Math.round(fraction * n))));
        if (cold.length > 1 && cold.length < n - 1) expect(Math.abs(cold.length - fraction * n)).toBeLessThanOrEqual(0.5);
        const again = coldItemSplit(data, { fraction, seed });
        expect(Array.from(again.coldItems)).toEqual(cold);
        expect(Array.from(again.test.users)).toEqual(Array.from(split.test.users));
      }),
    );
  });

  it('counts users left without training interactions', () => {
    const data = { users: Int32Array.of(0, 1, 1), items: Int32Array.of(0, 0, 1), numUsers: 2, numItems: 2 };
    const seeds = Array.from({ length: 40 }, (_, i) => i).map((seed) => coldItemSplit(data, { fraction: 0.5, seed }));
    const item0 = seeds.find((s) => s.coldItems[0] === 0)!;
    expect(item0.usersWithoutTrain).toBe(1); // user 0 has only item 0
    expect(seeds.find((s) => s.coldItems[0] === 1)!.usersWithoutTrain).toBe(0);
  });

  it('rejects bad options', async () => {
    const data = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 };
    expect(((await thrown(() => coldItemSplit(data, { fraction: 0.5 }))) as RecsysError).code).toBe('EMPTY_INPUT');
    expect(((await thrown(() => coldItemSplit(data, { fraction: 1 }))) as RecsysError).code).toBe('INVALID_ARGUMENT');
    expect(((await thrown(() => coldItemSplit(data, null as never))) as RecsysError).code).toBe('INVALID_ARGUMENT');
  });
});

describe('evaluateColdItems', () => {
  // items 0..4 all held out (fraction near 1 is refused, so build the split by hand)
  const test = { users: Int32Array.of(0, 0, 1), items: Int32Array.of(3, 1, 4), numUsers: 3, numItems: 6 };
  const split = {
    train: { users: Int32Array.of(2), items: Int32Array.of(5), numUsers: 3, numItems: 6 },
    test,
    coldItems: Int32Array.of(0, 1, 2, 3, 4),
    isCold: Uint8Array.of(1, 1, 1, 1, 1, 0),
    usersWithoutTrain: 2,
  };

  it('ranks each positive among the held-out items the user has no test interaction with (hand-computed)', () => {
    // scores: item 0: 0.9, 1: 0.1, 2: 0.5, 3: 0.5, 4: 0.3
    const scorer = table([0.9, 0.1, 0.5, 0.5, 0.3, 9]);
    // user 0, item 3 (0.5): candidates 0, 2, 4 (item 1 is the user's other positive): 0.9 higher, 0.5 tied
    // user 0, item 1 (0.1): candidates 0, 2, 4: all higher -> rank 4
    // user 1, item 4 (0.3): candidates 0, 1, 2, 3: 0.9, 0.5, 0.5 higher -> rank 4
    const r = evaluateColdItems(scorer, split, { k: 2 });
    expect(Array.from(r.ranks)).toEqual([3, 4, 4]);
    expect(evaluateColdItems(scorer, split, { k: 2, ties: 'average' }).ranks[0]).toBe(2.5);
    expect(evaluateColdItems(scorer, split, { k: 2, ties: 'optimistic' }).ranks[0]).toBe(2);
    expect(r.hitRate).toBe(0);
    expect(r.meanCandidates).toBeCloseTo((4 + 4 + 5) / 3, 12);
    const r4 = evaluateColdItems(scorer, split, { k: 4 });
    expect(r4.hitRate).toBe(1);
    expect(r4.ndcg).toBeCloseTo((1 / Math.log2(4) + 2 / Math.log2(5)) / 3, 12);
  });

  it('a constant scorer gets HR 0 under pessimistic ties', () => {
    expect(evaluateColdItems(table([1, 1, 1, 1, 1, 1]), split, { k: 2 }).hitRate).toBe(0);
  });

  it('rejects bad input', async () => {
    const code = async (call: () => unknown) => ((await thrown(call)) as RecsysError).code;
    expect(await code(() => evaluateColdItems(table([1, 1, 1, 1, 1, 1]), split, { k: 0 }))).toBe('INVALID_K');
    expect(await code(() => evaluateColdItems(table([1, 1]), split))).toBe('SHAPE_MISMATCH');
    expect(await code(() => evaluateColdItems(table([NaN, 1, 1, 1, 1, 1]), split))).toBe('NOT_FINITE');
    expect(await code(() => evaluateColdItems({} as never, split))).toBe('INVALID_ARGUMENT');
    expect(await code(() => evaluateColdItems(table([1, 1, 1, 1, 1, 1]), { ...split, isCold: [] as never }))).toBe('INVALID_ARGUMENT');
  });
});

describe('featurePopularity', () => {
  it('scores an item by the mean training popularity of the items sharing its values (hand-computed)', () => {
    // train counts: a 3, b 1, c 0 (in the map, no interactions), new: not in train
    const train = { users: Int32Array.of(0, 1, 2, 0), items: Int32Array.of(0, 0, 0, 1), numUsers: 3, numItems: 3 };
    const rows = [
      { id: 'a', genre: ['x', 'y'] },
      { id: 'b', genre: 'y' },
      { id: 'c', genre: 'x' },
      { id: 'new', genre: ['x', 'z'] },
      { id: 'bare' },
    ];
    const t = featuresFrom(rows, { fields: ['genre'], ids: IdMap.fromIds(['a', 'b', 'c'], { kind: 'item' }) });
    const s = featurePopularity(train, t);
    // x: items with pop > 0 having x = {a} -> 3; y: {a, b} -> 2; z: none -> global mean (3 + 1) / 2 = 2
    expect(Array.from(s.valueScores.get('genre')!)).toEqual([2, 3, 2, 2]);
    expect(Array.from(s.itemScores)).toEqual([2.5, 2, 3, 2.5, 2]);
    expect([s.numUsers, s.numItems]).toEqual([3, 5]);
    expect(Array.from(s.scoreItems(1, Int32Array.of(3, 1)))).toEqual([2.5, 2]);
    expect(Array.from(s.scoreAllItems(Int32Array.of(0, 2)))).toEqual([2.5, 2, 3, 2.5, 2, 2.5, 2, 3, 2.5, 2]);
    expect(Array.from(s.scorePairs(Int32Array.of(0, 1), Int32Array.of(2, 4)))).toEqual([3, 2]);
    s.dispose();
  });

  it('rejects bad input', async () => {
    const train = { users: Int32Array.of(0), items: Int32Array.of(1), numUsers: 1, numItems: 2 };
    const t = featuresFrom([{ id: 0, g: 'x' }], { fields: ['g'] });
    const code = async (call: () => unknown) => ((await thrown(call)) as RecsysError).code;
    expect(await code(() => featurePopularity(train, t))).toBe('SHAPE_MISMATCH');
    const t2 = featuresFrom([{ id: 0, g: 'x' }, { id: 1, g: 'x' }], { fields: ['g'] });
    expect(await code(() => featurePopularity(train, t2, { fields: ['h'] }))).toBe('INVALID_ARGUMENT');
    const s = featurePopularity(train, t2);
    expect(await code(() => s.scoreItems(1, Int32Array.of(0)))).toBe('USER_OUT_OF_RANGE');
    expect(await code(() => s.scoreItems(0, Int32Array.of(2)))).toBe('ITEM_OUT_OF_RANGE');
    expect(await code(() => s.scorePairs(Int32Array.of(0), Int32Array.of()))).toBe('LENGTH_MISMATCH');
    expect(await code(() => s.scoreItems(0, Int32Array.of(0), new Float32Array(0)))).toBe('INVALID_SIZE');
  });
});
