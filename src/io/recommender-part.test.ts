import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdMap } from '../data/index.js';
import { isRecsysError } from '../errors.js';
import { decodeRecommenderPart, encodeRecommenderPart } from './recommender-part.js';

type Part = Parameters<typeof encodeRecommenderPart>[0];

/** A part over the given ids, with each user's seen items drawn from `pick` (sorted, distinct). */
function partOf(userIds: (string | number)[], itemIds: (string | number)[], seenPerUser: number[][], popularity: number[]): Part {
  const offsets = new Int32Array(userIds.length + 1);
  const items: number[] = [];
  seenPerUser.forEach((list, u) => {
    const sorted = [...new Set(list)].sort((a, b) => a - b);
    items.push(...sorted);
    offsets[u + 1] = items.length;
  });
  return {
    users: IdMap.fromIds(userIds, { kind: 'user' }),
    items: IdMap.fromIds(itemIds),
    seen: { offsets, items: Int32Array.from(items) },
    popularity: Float64Array.from(popularity),
  };
}

function roundTrip(part: Part): void {
  const decoded = decodeRecommenderPart(encodeRecommenderPart(part), 'x');
  expect(decoded.users).toEqual(part.users.toJSON());
  expect(decoded.items).toEqual(part.items.toJSON());
  expect(Array.from(decoded.seen.offsets)).toEqual(Array.from(part.seen.offsets));
  expect(Array.from(decoded.seen.items)).toEqual(Array.from(part.seen.items));
  expect(Array.from(decoded.popularity)).toEqual(Array.from(part.popularity));
}

const anyId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)),
  fc.constantFrom('__proto__', 'constructor', '42', 42, 2 ** 40, -(2 ** 31) - 1),
);

describe('recommender.bin', () => {
  it('round-trips id maps (strings, integers, mixed), seen items and popularity exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyId, { minLength: 1, maxLength: 30, selector: (id) => (typeof id === 'string' ? `s${id}` : `n${id}`) }),
        fc.uniqueArray(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 1e6 })), { minLength: 1, maxLength: 40, selector: (id) => `${typeof id}${id}` }),
        fc.boolean(),
        fc.integer(),
        (users, items, wholeCounts, seed) => {
          const seen = users.map((_, u) => Array.from({ length: (seed + u) % 7 }, (_, j) => Math.abs(seed * 31 + u * 17 + j * 101) % items.length));
          const popularity = items.map((_, i) => (wholeCounts ? (i * 7919) % 1000 : ((i * 0.37) % 3) + 0.5));
          roundTrip(partOf(users, items, seen, popularity));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stores ASCII ids as one length each plus their bytes, and small gaps in one byte', () => {
    // 3 users 'u0'..'u2', 2 items 0 and 1 (integers), user 1 saw both items
    const bytes = encodeRecommenderPart(partOf(['u0', 'u1', 'u2'], [0, 1], [[], [0, 1], []], [0, 1]));
    expect(Array.from(bytes)).toEqual([
      ...[0x4e, 0x52, 0x52, 0x31], // 'NRR1'
      ...[1, 3, 0, 2, 2, 2, 0x75, 0x30, 0x75, 0x31, 0x75, 0x32], // users: kind user, 3 ids, strings, lengths, 'u0u1u2'
      ...[0, 2, 1, 0, 2], // items: no kind, 2 ids, integers, zigzag 0 and 1
      ...[3, 0, 2, 0, 0, 0], // seen: 3 users, counts 0 2 0, items 0 then gap 0 (= item 1)
      ...[0, 0, 1], // popularity: whole counts 0 and 1
    ]);
  });

  it('reports every truncation and stray byte as BUNDLE_CORRUPT naming the file, and never hangs', () => {
    const bytes = encodeRecommenderPart(partOf(['alice', 'bob', 7], ['Heat', 'Up', 'Ronin'], [[0, 2], [1], []], [1, 1.5, 0]));
    for (let cut = 0; cut < bytes.length; cut++) {
      let caught: unknown;
      try {
        decodeRecommenderPart(bytes.subarray(0, cut), 'm/recommender.bin');
      } catch (e) {
        caught = e;
      }
      expect(isRecsysError(caught, 'BUNDLE_CORRUPT'), `cut at ${cut}`).toBe(true);
      expect((caught as Error).message).toMatch(/^m\/recommender\.bin: .* \(at byte \d+ of \d+\)$/);
    }
    expect(() => decodeRecommenderPart(Uint8Array.of(...bytes, 9), 'f')).toThrow('1 bytes follow the popularity');
    // a count larger than the file can hold is refused before anything is allocated for it
    expect(() => decodeRecommenderPart(Uint8Array.of(0x4e, 0x52, 0x52, 0x31, 1, 0xff, 0xff, 0xff, 0x7f, 0), 'f')).toThrow(
      'the number of user ids = 268435455 is more than the rest of the file can hold',
    );
    expect(() => decodeRecommenderPart(Uint8Array.of(0x4e, 0x52, 0x52, 0x31, 7, 0, 0), 'f')).toThrow("the user id map's kind 7 is not 0, 1 or 2");
    expect(() => decodeRecommenderPart(Uint8Array.of(0x4e, 0x52, 0x52, 0x31, 1, 1, 5, 0), 'f')).toThrow("the user id map's id mode 5 is not 0, 1 or 2");
    expect(() => decodeRecommenderPart(Uint8Array.of(0x4e, 0x52, 0x52, 0x31, 1, 1, 0, 2, 0xc3, 0x28), 'f')).toThrow('user id 0 is not valid UTF-8');
  });

  it('is a quarter the size of format 1 for 2,000 users x 500 items with 25 seen each', () => {
    const users = Array.from({ length: 2000 }, (_, u) => `user-${u}`);
    const items = Array.from({ length: 500 }, (_, i) => `item-${i}`);
    const seen = users.map((_, u) => Array.from({ length: 25 }, (_, j) => (u * 7 + j * 19) % 500));
    const part = partOf(users, items, seen, new Array(500).fill(100));
    const binary = encodeRecommenderPart(part).length;
    // format 1: the id maps as JSON, offsets and items as base64 of int32, popularity as base64 of float64
    const base64 = (bytes: number) => Math.ceil(bytes / 3) * 4;
    const format1 =
      JSON.stringify(part.users.toJSON()).length +
      JSON.stringify(part.items.toJSON()).length +
      base64(4 * part.seen.offsets.length) +
      base64(4 * part.seen.items.length) +
      base64(8 * 500);
    expect(binary * 4).toBeLessThan(format1);
  });
});
