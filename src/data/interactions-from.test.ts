import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { interactionsFrom } from './interactions-from.js';
import { IdMap } from './id-map.js';
import { validateInteractions } from './interactions.js';
import { isRecsysError } from '../errors.js';

function errorOf(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (isRecsysError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

const rows = [
  { u: 'alice', i: 'Heat', t: 10, w: 1 },
  { u: 'bob', i: 'Up', t: 11, w: 2 },
  { u: 'alice', i: 'Heat', t: 14, w: 3 },
  { u: 'alice', i: 'Up', t: 12, w: 4 },
  { u: 'alice', i: 'Heat', t: 9, w: 5 },
];

describe('interactionsFrom', () => {
  it('maps ids in order of first appearance', () => {
    const { data, users, items } = interactionsFrom(rows, { user: 'u', item: 'i' }, { duplicates: 'keep' });
    expect(Array.from(data.users)).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(data.items)).toEqual([0, 1, 0, 1, 0]);
    expect(users.ids()).toEqual(['alice', 'bob']);
    expect(items.ids()).toEqual(['Heat', 'Up']);
    expect(data.numUsers).toBe(2);
    expect(data.numItems).toBe(2);
    expect(data.weights).toBeUndefined();
  });

  it("collapses duplicates by default: weight = count, timestamp = latest, counted in 'duplicates'", () => {
    const { data, duplicates } = interactionsFrom(rows, { user: 'u', item: 'i', time: 't' });
    expect(duplicates).toBe(2);
    expect(Array.from(data.users)).toEqual([0, 1, 0]);
    expect(Array.from(data.items)).toEqual([0, 1, 1]);
    expect(Array.from(data.weights!)).toEqual([3, 1, 1]);
    expect(Array.from(data.timestamps!)).toEqual([14, 11, 12]);
  });

  it('sums a weight column, or keeps the first / last row by time', () => {
    const columns = { user: 'u', item: 'i', time: 't', weight: 'w' };
    expect(Array.from(interactionsFrom(rows, columns).data.weights!)).toEqual([9, 2, 4]);
    const first = interactionsFrom(rows, columns, { duplicates: 'first' }).data;
    expect(Array.from(first.weights!)).toEqual([5, 2, 4]);
    expect(Array.from(first.timestamps!)).toEqual([9, 11, 12]);
    const last = interactionsFrom(rows, columns, { duplicates: 'last' }).data;
    expect(Array.from(last.weights!)).toEqual([3, 2, 4]);
    expect(Array.from(last.timestamps!)).toEqual([14, 11, 12]);
    // without a time column, input order decides
    expect(Array.from(interactionsFrom(rows, { user: 'u', item: 'i', weight: 'w' }, { duplicates: 'last' }).data.weights!)).toEqual([5, 2, 4]);
    const kept = interactionsFrom(rows, columns, { duplicates: 'keep' });
    expect(kept.duplicates).toBe(2);
    expect(kept.data.users.length).toBe(5);
  });

  it('counts duplicates exactly and keeps one row per distinct pair (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ u: fc.integer({ min: 0, max: 5 }), i: fc.constantFrom('a', 'b', 'c', 'd') }), { minLength: 1, maxLength: 60 }), (list) => {
        const { data, duplicates, users, items } = interactionsFrom(list, { user: 'u', item: 'i' });
        const distinct = new Set(list.map((r) => `${r.u}|${r.i}`));
        expect(duplicates).toBe(list.length - distinct.size);
        expect(data.users.length).toBe(distinct.size);
        const got = new Set(Array.from(data.users, (u, k) => `${users.id(u)}|${items.id(data.items[k])}`));
        expect(got).toEqual(distinct);
        const total = data.weights === undefined ? data.users.length : data.weights.reduce((a, b) => a + b, 0);
        expect(total).toBe(list.length);
        validateInteractions(data);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts any iterable and array-likes, and Date / ISO / numeric-string times', () => {
    function* gen() {
      yield { u: 1, i: 2, t: new Date(5000) };
      yield { u: 1, i: 3, t: '1970-01-01T00:00:06Z' };
      yield { u: 2, i: 2, t: '7' };
    }
    const fromGen = interactionsFrom(gen(), { user: 'u', item: 'i', time: 't' });
    expect(Array.from(fromGen.data.timestamps!)).toEqual([5000, 6000, 7]);
    expect(fromGen.users.ids()).toEqual([1, 2]);
    const arrayLike = { length: 2, 0: { u: 'x', i: 'y' }, 1: { u: 'x', i: 'z' } };
    expect(interactionsFrom(arrayLike, { user: 'u', item: 'i' }).data.items.length).toBe(2);
  });

  it('extends given maps, and can refuse or skip unknown ids', () => {
    const users = IdMap.fromIds(['bob'], { kind: 'user' });
    const items = IdMap.fromIds(['Up', 'Heat'], { kind: 'item' });
    const { data } = interactionsFrom(rows, { user: 'u', item: 'i' }, { users, items });
    expect(users.ids()).toEqual(['bob', 'alice']);
    expect(Array.from(data.items)).toEqual([1, 0, 0]);
    const strict = errorOf(() => interactionsFrom(rows, { user: 'u', item: 'i' }, { users: IdMap.fromIds(['bob']), unknownIds: 'error' }));
    expect(strict).toEqual({ code: 'UNKNOWN_USER', message: `row 0, column "u": unknown user "alice" (unknownIds: 'error')` });
    const skipped = interactionsFrom(rows, { user: 'u', item: 'i' }, { users: IdMap.fromIds(['bob']), unknownIds: 'skip' });
    expect(skipped.skipped).toBe(4);
    expect(skipped.data.users.length).toBe(1);
  });

  it('names the row and the column of a missing or invalid value', () => {
    const bad = [{ u: 'a', i: 'x', t: 1 }, { u: 'b', i: 'y', t: 2 }, { u: 'c', t: 3 }];
    expect(errorOf(() => interactionsFrom(bad, { user: 'u', item: 'i' }))).toEqual({
      code: 'INVALID_ID',
      message: 'row 2, column "i": the item id is missing: the row has no field "i" (columns: { user: "u", item: "i" }) and its fields are "u", "t"; if your rows name it otherwise, say so in columns, e.g. { item: "u" }',
    });
    // present but undefined: the value is missing, the field is not
    expect(errorOf(() => interactionsFrom([{ u: 'a', i: undefined }], { user: 'u', item: 'i' }))?.message).toBe('row 0, column "i": the item id is missing');
    expect(errorOf(() => interactionsFrom([{ userId: 'a', movie: 'x', ts: 1 }], { user: 'u', item: 'i', time: 'ts' }))).toEqual({
      code: 'INVALID_ID',
      message: expect.stringContaining('row 0, column "u": the user id is missing: the row has no field "u" (columns: { user: "u", item: "i", time: "ts" }) and its fields are "userId", "movie", "ts"'),
    });
    expect(errorOf(() => interactionsFrom([{ u: 'a', i: 'x' }], { user: 'u', item: 'i', weight: 'w' }))).toEqual({
      code: 'NOT_FINITE',
      message: expect.stringContaining('row 0, column "w": the weight is missing: the row has no field "w"'),
    });
    expect(errorOf(() => interactionsFrom([{ u: NaN, i: 1 }], { user: 'u', item: 'i' }))?.message).toBe(
      'row 0, column "u": a user id must be a non-empty string or a finite number, got NaN',
    );
    expect(errorOf(() => interactionsFrom([{ u: 1, i: 1, t: 'soon' }], { user: 'u', item: 'i', time: 't' }))).toEqual({
      code: 'NOT_FINITE',
      message: 'row 0, column "t": expected a number or a date, got "soon"',
    });
    expect(errorOf(() => interactionsFrom([{ u: 1, i: 1, w: {} }], { user: 'u', item: 'i', weight: 'w' }))?.code).toBe('NOT_FINITE');
    expect(errorOf(() => interactionsFrom([1 as never], { user: 'u', item: 'i' }))?.message).toBe('row 0 must be an object, got 1');
  });

  it('rejects bad arguments and empty input', () => {
    expect(errorOf(() => interactionsFrom([], { user: 'u', item: 'i' }))?.code).toBe('EMPTY_INPUT');
    expect(errorOf(() => interactionsFrom(rows, { user: '', item: 'i' }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => interactionsFrom(rows, null as never))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => interactionsFrom(rows, { user: 'u', item: 'i' }, { duplicates: 'max' as never }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => interactionsFrom(42 as never, { user: 'u', item: 'i' }))?.code).toBe('INVALID_ARGUMENT');
  });
});
