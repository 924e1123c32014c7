import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { syntheticMovieLens20M, MOVIELENS_20M_SHAPE, type SyntheticMovieLens20M } from './synthetic-scale.js';
import { leaveOneOut } from './splits.js';
import { validateInteractions, type Interactions } from './interactions.js';
import { isRecsysError } from '../errors.js';

/** Small, feasible sizes: users, items, per-user bounds and an exact total between them. */
const smallSizes = fc
  .record({
    numUsers: fc.integer({ min: 1, max: 40 }),
    numItems: fc.integer({ min: 3, max: 80 }),
    minFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    maxFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    totalFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    groups: fc.integer({ min: 1, max: 6 }),
    noise: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ numUsers, numItems, minFrac, maxFrac, totalFrac, groups, noise, seed }) => {
    const minPerUser = 1 + Math.floor(minFrac * (numItems - 1));
    const maxPerUser = minPerUser + Math.floor(maxFrac * (numItems - minPerUser));
    const lo = numUsers * minPerUser;
    const numInteractions = lo + Math.floor(totalFrac * (numUsers * maxPerUser - lo));
    return { numUsers, numItems, minPerUser, maxPerUser, numInteractions, groups: Math.min(groups, numItems), noise, seed };
  });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isRecsysError(e) ? e.code : `not a RecsysError: ${String(e)}`;
  }
  return undefined;
}

/** Share of all interactions held by the top 1% of items (at least one item). */
function topOnePercentShare(data: Interactions): number {
  const counts = new Int32Array(data.numItems);
  for (const item of data.items) counts[item]++;
  counts.sort();
  const top = Math.max(1, Math.ceil(data.numItems / 100));
  let held = 0;
  for (let k = 0; k < top; k++) held += counts[counts.length - 1 - k];
  return held / data.items.length;
}

/** Full-ranking leave-one-out HR@10 over the items a user has not trained on (pessimistic ties). */
function hitRate(train: Interactions, test: Interactions, score: (user: number) => Float64Array): number {
  const seen = new Uint8Array(train.numItems);
  const starts = new Int32Array(train.numUsers + 1);
  for (const u of train.users) starts[u + 1]++;
  for (let u = 0; u < train.numUsers; u++) starts[u + 1] += starts[u];
  // synthetic data is ordered by user, so the train rows of user u are starts[u]..starts[u+1]
  let hits = 0;
  for (let j = 0; j < test.users.length; j++) {
    const u = test.users[j];
    for (let p = starts[u]; p < starts[u + 1]; p++) seen[train.items[p]] = 1;
    const scores = score(u);
    const target = test.items[j];
    let above = 0;
    for (let i = 0; i < train.numItems; i++) if (i !== target && seen[i] === 0 && scores[i] >= scores[target]) above++;
    if (above < 10) hits++;
    for (let p = starts[u]; p < starts[u + 1]; p++) seen[train.items[p]] = 0;
  }
  return hits / test.users.length;
}

describe('syntheticMovieLens20M', () => {
  it('meets every size exactly, with distinct pairs, per-user bounds and increasing time', () => {
    fc.assert(
      fc.property(smallSizes, (options) => {
        const data = syntheticMovieLens20M(options);
        validateInteractions(data);
        expect(data.numUsers).toBe(options.numUsers);
        expect(data.numItems).toBe(options.numItems);
        expect(data.users.length).toBe(options.numInteractions);
        const counts = new Int32Array(options.numUsers);
        const pairs = new Set<number>();
        for (let k = 0; k < data.users.length; k++) {
          const u = data.users[k];
          counts[u]++;
          pairs.add(u * options.numItems + data.items[k]);
          if (k > 0) {
            expect(u).toBeGreaterThanOrEqual(data.users[k - 1]);
            if (u === data.users[k - 1]) expect(data.timestamps[k]).toBeGreaterThan(data.timestamps[k - 1]);
          }
        }
        expect(pairs.size).toBe(data.users.length);
        expect(counts).toEqual(data.truth.userCounts);
        for (const c of counts) {
          expect(c).toBeGreaterThanOrEqual(options.minPerUser);
          expect(c).toBeLessThanOrEqual(options.maxPerUser);
        }
        for (let u = 0; u < options.numUsers; u++) {
          const [a, b] = [data.truth.userGroups[2 * u], data.truth.userGroups[2 * u + 1]];
          expect(a).toBeLessThan(options.groups);
          if (options.groups > 1) expect(b).not.toBe(a);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is a pure function of its options (same seed, same data; another seed, other data)', () => {
    fc.assert(
      fc.property(smallSizes, (options) => {
        expect(syntheticMovieLens20M(options)).toEqual(syntheticMovieLens20M(options));
      }),
      { numRuns: 20 },
    );
    const a = syntheticMovieLens20M({ scale: 0.002, seed: 7 });
    expect(syntheticMovieLens20M({ scale: 0.002, seed: 8 }).items).not.toEqual(a.items);
    expect(syntheticMovieLens20M({ scale: 0.002 })).toEqual(syntheticMovieLens20M({ scale: 0.002, seed: 42 }));
  });

  it('scales users and interactions by scale and items by its square root', () => {
    const data = syntheticMovieLens20M({ scale: 0.01, seed: 1 });
    expect([data.numUsers, data.numItems, data.users.length]).toEqual([1385, 2674, 200003]);
    expect(Math.round(MOVIELENS_20M_SHAPE.numItems * Math.sqrt(0.01))).toBe(2674);
  });

  it('has power-law popularity and activity: a heavy head, and flat when the exponents are 0', () => {
    const skewed = syntheticMovieLens20M({ scale: 0.01, seed: 3 });
    const flat = syntheticMovieLens20M({ scale: 0.01, seed: 3, popularityExponent: 0, activityExponent: 0 });
    // the top 1% of items (27 of 2674) hold several times their 1% under the default law, about 1% when flat
    expect(topOnePercentShare(skewed)).toBeGreaterThan(0.03);
    expect(topOnePercentShare(skewed)).toBeLessThan(0.2);
    expect(topOnePercentShare(flat)).toBeLessThan(0.02);
    // activity: the least active user has exactly minPerUser, the most active many times the median
    const counts = skewed.truth.userCounts.slice().sort();
    expect(counts[0]).toBe(20);
    expect(counts[counts.length - 1]).toBeGreaterThan(5 * counts[counts.length >> 1]);
    const flatCounts = flat.truth.userCounts.slice().sort();
    expect(flatCounts[flatCounts.length - 1] - flatCounts[0]).toBeLessThanOrEqual(1);
  });

  it('plants a structure that beats popularity: the generating probabilities rank held-out items far better', () => {
    const data: SyntheticMovieLens20M = syntheticMovieLens20M({ scale: 0.005, seed: 5 });
    const { train, test } = leaveOneOut(data, { by: 'time' });
    const { itemGroups, userGroups, itemWeights } = data.truth;
    const groups = 1 + Math.max(...itemGroups);
    const groupMass = new Float64Array(groups);
    let mass = 0;
    for (let i = 0; i < data.numItems; i++) {
      groupMass[itemGroups[i]] += itemWeights[i];
      mass += itemWeights[i];
    }
    const popularity = new Float64Array(data.numItems);
    for (const i of train.items) popularity[i]++;
    const oracle = (u: number): Float64Array => {
      const out = new Float64Array(data.numItems);
      for (let i = 0; i < data.numItems; i++) {
        const g = itemGroups[i];
        const taste = (g === userGroups[2 * u] ? 0.7 * (2 / 3) : 0) + (g === userGroups[2 * u + 1] ? 0.7 / 3 : 0);
        out[i] = itemWeights[i] * (taste / groupMass[g] + 0.3 / mass);
      }
      return out;
    };
    const hrPopularity = hitRate(train, test, () => popularity);
    const hrOracle = hitRate(train, test, oracle);
    expect(hrPopularity).toBeGreaterThan(0);
    expect(hrOracle).toBeGreaterThan(1.5 * hrPopularity);
  });

  it('refuses bad options with a RecsysError naming them', () => {
    expect(codeOf(() => syntheticMovieLens20M({ numUser: 5 } as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => syntheticMovieLens20M({ scale: 0.1, numUsers: 10 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => syntheticMovieLens20M({ scale: 0 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ scale: Number.NaN }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ numUsers: 10, numItems: 50, numInteractions: 199, minPerUser: 20 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ numUsers: 10, numItems: 50, numInteractions: 600, minPerUser: 20, maxPerUser: 50 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ numUsers: 10, numItems: 10, numInteractions: 200 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ numUsers: 10, numItems: 50, numInteractions: 300, maxPerUser: 51 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ numUsers: 2.5 }))).toBe('INVALID_SIZE');
    expect(codeOf(() => syntheticMovieLens20M({ scale: 0.01, groups: 5000 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => syntheticMovieLens20M({ scale: 0.01, noise: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => syntheticMovieLens20M({ scale: 0.01, popularityExponent: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => syntheticMovieLens20M({ scale: 0.01, seed: Number.POSITIVE_INFINITY }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => syntheticMovieLens20M(null as never))).toBe('INVALID_ARGUMENT');
    expect(() => syntheticMovieLens20M({ numUsers: 10, numItems: 50, numInteractions: 199, minPerUser: 20 })).toThrow(/numInteractions = 199/);
  });
});
