import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulberry32 } from '../_lib/random.js';
import { isRecsysError } from '../errors.js';
import { BlockedItems, drawDistinct } from './distinct.js';

describe('drawDistinct', () => {
  it('returns distinct items, none blocked, in both regimes (rejection and shuffle)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.nat(59), { maxLength: 60 }),
        fc.nat(),
        fc.integer({ min: 0, max: 60 }),
        (numItems, blockedList, seed, wanted) => {
          const blocked = new BlockedItems(numItems);
          const before = blockedList.filter((i) => i < numItems);
          blocked.blockAll(before);
          const count = Math.min(wanted, blocked.available);
          const drawn = drawDistinct(mulberry32(seed), blocked, count);
          expect(drawn.length).toBe(count);
          expect(new Set(drawn).size).toBe(count);
          for (const item of drawn) {
            expect(item >= 0 && item < numItems).toBe(true);
            expect(before.includes(item)).toBe(false);
            expect(blocked.has(item)).toBe(true); // drawn items are blocked afterwards
          }
        },
      ),
    );
  });

  it('is a pure function of the seed', () => {
    const draw = (): number[] => {
      const blocked = new BlockedItems(100);
      blocked.blockAll([1, 2, 3]);
      return Array.from(drawDistinct(mulberry32(5), blocked, 10));
    };
    expect(draw()).toEqual(draw());
  });

  it('takes every free item when asked for all of them, and refuses more', () => {
    const blocked = new BlockedItems(5);
    blocked.blockAll([0, 3]);
    expect(Array.from(drawDistinct(mulberry32(1), blocked, 3)).sort()).toEqual([1, 2, 4]);
    blocked.clear();
    blocked.blockAll([0, 3]);
    try {
      drawDistinct(mulberry32(1), blocked, 4);
      expect.unreachable();
    } catch (e) {
      expect(isRecsysError(e, 'NO_NEGATIVES')).toBe(true);
    }
  });

  it('clear() unblocks every item', () => {
    const blocked = new BlockedItems(4);
    blocked.blockAll([0, 1, 1]);
    expect(blocked.available).toBe(2);
    blocked.clear();
    expect(blocked.available).toBe(4);
    expect(blocked.has(0)).toBe(false);
  });
});
