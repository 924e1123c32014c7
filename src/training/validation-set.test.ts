import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RecsysError } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { prepareValidationSet } from './validation-set.js';

const interactions = (rows: [number, number][], numUsers: number, numItems: number): Interactions => ({
  users: Int32Array.from(rows, (r) => r[0]),
  items: Int32Array.from(rows, (r) => r[1]),
  numUsers,
  numItems,
});

describe('prepareValidationSet', () => {
  it('draws distinct negatives that are never a positive or an excluded item of the user', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 8, max: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 3 }),
        (numUsers, numItems, seed, count) => {
          // each user: a few training positives, one validation positive, one excluded (test) item
          const trainRows: [number, number][] = [];
          const validRows: [number, number][] = [];
          const testRows: [number, number][] = [];
          for (let u = 0; u < numUsers; u++) {
            for (let k = 0; k < 3; k++) trainRows.push([u, (u * 3 + k) % numItems]);
            validRows.push([u, (u * 3 + 3) % numItems]);
            testRows.push([u, (u * 3 + 4) % numItems]);
          }
          const train = interactions(trainRows, numUsers, numItems);
          const exclude = interactions(testRows, numUsers, numItems);
          const valid = interactions(validRows, numUsers, numItems);
          const set = prepareValidationSet(valid, train, numItems, numUsers, count, seed, exclude);
          set.negatives.forEach((row, p) => {
            const u = set.users[p];
            expect(row).toHaveLength(count);
            expect(new Set(row).size).toBe(count);
            const blocked = new Set([...trainRows, ...validRows, ...testRows].filter((r) => r[0] === u).map((r) => r[1]));
            for (const i of row) {
              expect(blocked.has(i)).toBe(false);
              expect(i >= 0 && i < numItems).toBe(true);
            }
          });
          // the same seed gives the same negatives
          const again = prepareValidationSet(valid, train, numItems, numUsers, count, seed, exclude);
          expect(again.negatives).toEqual(set.negatives);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fills a list from a nearly exhausted catalogue without looping (every free item, once)', () => {
    const train = interactions([0, 1, 2, 3, 4, 5].map((i) => [0, i]), 1, 10);
    const valid = interactions([[0, 6]], 1, 10);
    const set = prepareValidationSet(valid, train, 10, 1, 3, 1);
    expect([...set.negatives[0]].sort()).toEqual([7, 8, 9]);
  });

  it('refuses a user with fewer free items than negatives asked for, naming the user', () => {
    const train = interactions([0, 1, 2, 3, 4, 5].map((i) => [1, i]), 2, 10);
    const valid = interactions([[1, 6]], 2, 10);
    expect(() => prepareValidationSet(valid, train, 10, 2, 4, 1)).toThrow(RecsysError);
    try {
      prepareValidationSet(valid, train, 10, 2, 4, 1);
    } catch (e) {
      expect((e as RecsysError).code).toBe('NO_NEGATIVES');
      expect((e as RecsysError).message).toContain('user 1');
    }
  });

  it('keeps explicit negatives as given and checks their indices', () => {
    const train = interactions([[0, 0]], 1, 5);
    const explicit = { users: Int32Array.of(0), items: Int32Array.of(1), negatives: [Int32Array.of(2, 3)] };
    expect(prepareValidationSet(explicit, train, 5, 1, 99, 1)).toEqual(explicit);
    const bad = { ...explicit, negatives: [Int32Array.of(2, 7)] };
    expect(() => prepareValidationSet(bad, train, 5, 1, 99, 1)).toThrow(/negatives\[0\]/);
    const short = { ...explicit, negatives: [] };
    expect(() => prepareValidationSet(short, train, 5, 1, 99, 1)).toThrow(RecsysError);
  });
});
