import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import type { Interactions } from './interactions.js';
import { checkExclude, itemsSeenBy, mergeSeenItems, seenItems, toSeenItems } from './seen-items.js';

const arbData = fc
  .record({ numUsers: fc.integer({ min: 1, max: 8 }), numItems: fc.integer({ min: 1, max: 12 }) })
  .chain(({ numUsers, numItems }) =>
    fc.array(fc.tuple(fc.nat(numUsers - 1), fc.nat(numItems - 1)), { maxLength: 40 }).map((pairs): Interactions => ({
      users: Int32Array.from(pairs, ([u]) => u),
      items: Int32Array.from(pairs, ([, i]) => i),
      numUsers,
      numItems,
    })),
  );

function byHand(data: Interactions): number[][] {
  const rows = Array.from({ length: data.numUsers }, () => new Set<number>());
  data.users.forEach((u, k) => rows[u].add(data.items[k]));
  return rows.map((row) => [...row].sort((a, b) => a - b));
}

function codeOf(run: () => unknown): RecsysErrorCode | 'none' {
  try {
    run();
    return 'none';
  } catch (e) {
    return isRecsysError(e) ? e.code : 'none';
  }
}

describe('seenItems', () => {
  it('holds each user\'s distinct items, ascending', () => {
    const seen = seenItems({ users: Int32Array.of(1, 0, 1, 1), items: Int32Array.of(4, 2, 0, 4), numUsers: 3, numItems: 5 });
    expect(Array.from(seen.offsets)).toEqual([0, 1, 3, 3]);
    expect(Array.from(seen.items)).toEqual([2, 0, 4]);
  });

  it('equals a per-user set of the data, for any data', () => {
    fc.assert(
      fc.property(arbData, (data) => {
        const seen = seenItems(data);
        const rows = byHand(data);
        for (let u = 0; u < data.numUsers; u++) expect(Array.from(itemsSeenBy(seen, u))).toEqual(rows[u]);
      }),
    );
  });

  it('merges two indexes into the per-user union', () => {
    fc.assert(
      fc.property(arbData, arbData, (a, b) => {
        const numUsers = Math.min(a.numUsers, b.numUsers);
        const numItems = Math.max(a.numItems, b.numItems);
        const keep = (d: Interactions): Interactions => {
          const at = Array.from(d.users.keys()).filter((k) => d.users[k] < numUsers);
          return { users: Int32Array.from(at, (k) => d.users[k]), items: Int32Array.from(at, (k) => d.items[k]), numUsers, numItems };
        };
        const [x, y] = [keep(a), keep(b)];
        const union: Interactions = { users: Int32Array.from([...x.users, ...y.users]), items: Int32Array.from([...x.items, ...y.items]), numUsers, numItems };
        expect(mergeSeenItems(seenItems(x), seenItems(y))).toEqual(seenItems(union));
      }),
    );
  });
});

describe('checkExclude (the one exclude validator)', () => {
  const data: Interactions = { users: Int32Array.of(0, 1), items: Int32Array.of(2, 3), numUsers: 2, numItems: 4 };

  it('passes undefined, an Interactions and a SeenItems that fit', () => {
    expect(checkExclude(undefined, 2, 4)).toBeUndefined();
    expect(checkExclude(data, 2, 4)).toBe(data);
    const seen = seenItems(data);
    expect(checkExclude(seen, 2, 4)).toBe(seen);
    expect(toSeenItems(seen, 2)).toBe(seen);
    expect(toSeenItems(data, 2)).toEqual(seen);
  });

  it('refuses what does not fit, naming the bad value', () => {
    expect(codeOf(() => checkExclude(7, 2, 4))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkExclude(null, 2, 4))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkExclude(data, 1, 4))).toBe('USER_OUT_OF_RANGE');
    expect(codeOf(() => checkExclude(data, 2, 3))).toBe('ITEM_OUT_OF_RANGE');
    expect(codeOf(() => checkExclude({ offsets: Int32Array.of(0, 1), items: Int32Array.of(2) }, 2, 4))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => checkExclude({ offsets: Int32Array.of(0, 2, 2), items: Int32Array.of(3, 1) }, 2, 4))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkExclude({ offsets: Int32Array.of(0, 1, 1), items: Int32Array.of(9) }, 2, 4))).toBe('ITEM_OUT_OF_RANGE');
    expect(() => checkExclude({ offsets: Int32Array.of(0, 1, 1), items: Int32Array.of(9) }, 2, 4, 'seen')).toThrow('seen.items[0] = 9');
  });
});
