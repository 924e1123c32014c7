import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { holdout, leaveOneOut, temporalSplit, validationSplit } from './splits.js';
import type { Interactions } from './interactions.js';
import { isRecsysError } from '../errors.js';
import { codeOf } from '../../test/helpers/recsys-error.js';

/** Random interactions with small timestamp ranges (so ties happen) and weights. */
const interactionsArb = fc
  .record({ numUsers: fc.integer({ min: 1, max: 8 }), numItems: fc.integer({ min: 1, max: 10 }), n: fc.integer({ min: 0, max: 50 }) })
  .chain(({ numUsers, numItems, n }) =>
    fc.record({
      users: fc.array(fc.integer({ min: 0, max: numUsers - 1 }), { minLength: n, maxLength: n }),
      items: fc.array(fc.integer({ min: 0, max: numItems - 1 }), { minLength: n, maxLength: n }),
      times: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
      weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
      numUsers: fc.constant(numUsers),
      numItems: fc.constant(numItems),
    }),
  )
  .map(
    (r): Interactions => ({
      users: Int32Array.from(r.users),
      items: Int32Array.from(r.items),
      timestamps: Float64Array.from(r.times),
      weights: Float32Array.from(r.weights),
      numUsers: r.numUsers,
      numItems: r.numItems,
    }),
  );

/** Each entry as a string, for multiset comparisons. */
function rows(data: Interactions): string[] {
  return Array.from(data.users, (u, k) => `${u}|${data.items[k]}|${data.timestamps?.[k]}|${data.weights?.[k]}`);
}
const sorted = (xs: string[]) => xs.slice().sort();

function countsPerUser(data: Interactions): number[] {
  const counts = new Array<number>(data.numUsers).fill(0);
  for (const u of data.users) counts[u]++;
  return counts;
}

function expectFreshArrays(input: Interactions, ...outputs: Interactions[]): void {
  const buffers = [input.users.buffer, input.items.buffer, input.timestamps?.buffer, input.weights?.buffer];
  for (const out of outputs) {
    for (const a of [out.users, out.items, out.timestamps, out.weights]) if (a !== undefined) expect(buffers).not.toContain(a.buffer);
    expect([out.numUsers, out.numItems]).toEqual([input.numUsers, input.numItems]);
  }
}


describe('leaveOneOut', () => {
  it('example: the latest interaction of each user with two or more goes to test', () => {
    const data: Interactions = {
      users: Int32Array.of(0, 0, 0, 1, 2, 2),
      items: Int32Array.of(5, 6, 7, 5, 1, 2),
      timestamps: Float64Array.of(30, 10, 20, 5, 7, 7),
      numUsers: 3,
      numItems: 8,
    };
    const { train, test } = leaveOneOut(data, { by: 'time' });
    expect(Array.from(test.users)).toEqual([0, 2]);
    expect(Array.from(test.items)).toEqual([5, 2]); // user 2: a tie at 7, the later entry wins
    expect(Array.from(train.users)).toEqual([0, 0, 1, 2]);
    expect(Array.from(train.items)).toEqual([6, 7, 5, 1]);
  });

  it('keeps the multiset, holds out one per eligible user, never for single-interaction users (property)', () => {
    fc.assert(
      fc.property(interactionsArb, fc.constantFrom('time' as const, 'random' as const), fc.integer(), (data, by, seed) => {
        const { train, test } = leaveOneOut(data, { by, seed });
        expect(sorted([...rows(train), ...rows(test)])).toEqual(sorted(rows(data)));
        const before = countsPerUser(data);
        const held = countsPerUser(test);
        for (let u = 0; u < data.numUsers; u++) expect(held[u]).toBe(before[u] >= 2 ? 1 : 0);
        // test rows come in user order
        expect(Array.from(test.users)).toEqual(Array.from(test.users).sort((a, b) => a - b));
        expectFreshArrays(data, train, test);
      }),
      { numRuns: 150 },
    );
  });

  it("by 'time' holds out an interaction no older than any of the user's others (property)", () => {
    fc.assert(
      fc.property(interactionsArb, (data) => {
        const { train, test } = leaveOneOut(data, { by: 'time' });
        for (let j = 0; j < test.users.length; j++) {
          const u = test.users[j];
          for (let k = 0; k < train.users.length; k++) if (train.users[k] === u) expect(train.timestamps![k]).toBeLessThanOrEqual(test.timestamps![j]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("by 'random' is a function of the seed", () => {
    const data: Interactions = {
      users: Int32Array.from({ length: 200 }, (_, k) => k % 10),
      items: Int32Array.from({ length: 200 }, (_, k) => Math.floor(k / 10)),
      numUsers: 10,
      numItems: 20,
    };
    const a = leaveOneOut(data, { by: 'random', seed: 3 });
    expect(leaveOneOut(data, { by: 'random', seed: 3 })).toEqual(a);
    expect(leaveOneOut(data, { by: 'random', seed: 4 }).test.items).not.toEqual(a.test.items);
    expect(leaveOneOut(data, { by: 'random' })).toEqual(leaveOneOut(data, { by: 'random', seed: 42 }));
  });

  it('needs timestamps for by: time, and valid options', () => {
    const data: Interactions = { users: Int32Array.of(0, 0), items: Int32Array.of(0, 1), numUsers: 1, numItems: 2 };
    expect(codeOf(() => leaveOneOut(data, { by: 'time' }))).toBe('INVALID_ARGUMENT');
    expect(() => leaveOneOut(data, { by: 'time' })).toThrow(/needs timestamps/);
    expect(codeOf(() => leaveOneOut(data, { by: 'latest' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => leaveOneOut(data, undefined as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => leaveOneOut(data, { by: 'random', seed: NaN }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => leaveOneOut({ ...data, timestamps: Float64Array.of(1, NaN) }, { by: 'time' }))).toBe('NOT_FINITE');
    expect(codeOf(() => leaveOneOut({ ...data, items: Int32Array.of(0, 9) }, { by: 'random' }))).toBe('ITEM_OUT_OF_RANGE');
  });
});

describe('validationSplit', () => {
  it('carves one positive per eligible user out of train, like leaveOneOut', () => {
    fc.assert(
      fc.property(interactionsArb, (data) => {
        const { train } = leaveOneOut(data, { by: 'time' });
        const { train: rest, validation } = validationSplit(train, { by: 'time' });
        expect(sorted([...rows(rest), ...rows(validation)])).toEqual(sorted(rows(train)));
        const before = countsPerUser(train);
        const held = countsPerUser(validation);
        for (let u = 0; u < data.numUsers; u++) expect(held[u]).toBe(before[u] >= 2 ? 1 : 0);
        expectFreshArrays(train, rest, validation);
      }),
      { numRuns: 100 },
    );
  });
});

describe('holdout', () => {
  it('holds out round(fraction * n) per user, at most n - 1, keeping the multiset (property)', () => {
    fc.assert(
      fc.property(interactionsArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer(), (data, fraction, seed) => {
        const { train, test } = holdout(data, { fraction, seed });
        expect(sorted([...rows(train), ...rows(test)])).toEqual(sorted(rows(data)));
        const before = countsPerUser(data);
        const held = countsPerUser(test);
        for (let u = 0; u < data.numUsers; u++) expect(held[u]).toBe(Math.min(Math.max(before[u] - 1, 0), Math.round(fraction * before[u])));
        expect(holdout(data, { fraction, seed })).toEqual({ train, test });
        expectFreshArrays(data, train, test);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects fractions outside (0, 1)', () => {
    const data: Interactions = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 1 };
    for (const fraction of [0, 1, -0.5, NaN]) expect(codeOf(() => holdout(data, { fraction }))).toBe('INVALID_ARGUMENT');
  });
});

describe('temporalSplit', () => {
  it('example: by fraction and by cut-off', () => {
    const data: Interactions = {
      users: Int32Array.of(0, 1, 0, 1),
      items: Int32Array.of(0, 1, 2, 3),
      timestamps: Float64Array.of(1, 2, 3, 4),
      numUsers: 2,
      numItems: 4,
    };
    const split = temporalSplit(data, { fraction: 0.25 });
    expect(split.at).toBe(4);
    expect(Array.from(split.test.items)).toEqual([3]);
    expect(Array.from(temporalSplit(data, { at: 3 }).test.items)).toEqual([2, 3]);
  });

  it('puts every timestamp before the cut in train and the others in test (property)', () => {
    fc.assert(
      fc.property(interactionsArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), (data, fraction) => {
        let split;
        try {
          split = temporalSplit(data, { fraction });
        } catch (e) {
          // too few interactions, or every timestamp tied at the cut: a clear error, never a silent empty train
          expect(isRecsysError(e) && ['INVALID_SIZE', 'INVALID_ARGUMENT'].includes(e.code)).toBe(true);
          return;
        }
        const { train, test, at } = split;
        expect(sorted([...rows(train), ...rows(test)])).toEqual(sorted(rows(data)));
        for (const t of train.timestamps!) expect(t).toBeLessThan(at);
        for (const t of test.timestamps!) expect(t).toBeGreaterThanOrEqual(at);
        expect(train.users.length).toBeGreaterThan(0);
        expect(test.users.length).toBeGreaterThanOrEqual(Math.min(data.users.length - 1, Math.max(1, Math.round(fraction * data.users.length))));
        expectFreshArrays(data, train, test);
      }),
      { numRuns: 150 },
    );
  });

  it('needs timestamps and exactly one of fraction / at', () => {
    const data: Interactions = { users: Int32Array.of(0, 0), items: Int32Array.of(0, 1), numUsers: 1, numItems: 2 };
    expect(codeOf(() => temporalSplit(data, { at: 1 }))).toBe('INVALID_ARGUMENT');
    const timed = { ...data, timestamps: Float64Array.of(1, 1) };
    expect(codeOf(() => temporalSplit(timed, { fraction: 0.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => temporalSplit(timed, { fraction: 0.5, at: 1 } as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => temporalSplit(timed, {} as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => temporalSplit(timed, { at: NaN }))).toBe('INVALID_ARGUMENT');
  });
});
