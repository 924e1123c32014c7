import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NegativeSampler, type Batch, type SamplingStrategy } from './negative-sampler.js';
import { mulberry32 } from '../_lib/random.js';
import type { Interactions } from '../data/interactions.js';
import { isRecsysError } from '../errors.js';

function interactions(pairs: [number, number][], numUsers: number, numItems: number): Interactions {
  return { users: Int32Array.from(pairs.map((p) => p[0])), items: Int32Array.from(pairs.map((p) => p[1])), numUsers, numItems };
}

/** A random dataset with at least one free item per user (so negatives always exist). */
const dataset = fc
  .record({ numUsers: fc.integer({ min: 1, max: 8 }), numItems: fc.integer({ min: 2, max: 24 }) })
  .chain(({ numUsers, numItems }) =>
    fc.record({
      numUsers: fc.constant(numUsers),
      numItems: fc.constant(numItems),
      train: fc.array(fc.tuple(fc.nat({ max: numUsers - 1 }), fc.nat({ max: numItems - 1 })), { minLength: 1, maxLength: 80 }),
      exclude: fc.array(fc.tuple(fc.nat({ max: numUsers - 1 }), fc.nat({ max: numItems - 1 })), { maxLength: 20 }),
      strategy: fc.constantFrom<SamplingStrategy>('uniform', 'popularity'),
      alpha: fc.constantFrom(0, 0.5, 0.75, 1, 3),
      seed: fc.integer(),
    }),
  )
  .map((d) => {
    // keep item numItems-1 free for user 0 so that at least one user has negatives; saturated
    // users are allowed (they must raise NO_NEGATIVES, tested separately)
    const keep = (p: [number, number]) => !(p[0] === 0 && p[1] === d.numItems - 1);
    return { ...d, train: d.train.filter(keep), exclude: d.exclude.filter(keep) };
  });

function collect(sampler: NegativeSampler, options: Parameters<NegativeSampler['batches']>[0]): Batch[] {
  return Array.from(sampler.batches(options));
}

function concat(batches: Batch[]): Batch {
  const n = batches.reduce((a, b) => a + b.users.length, 0);
  const out = { users: new Int32Array(n), items: new Int32Array(n), labels: new Float32Array(n) };
  let o = 0;
  for (const b of batches) {
    out.users.set(b.users, o);
    out.items.set(b.items, o);
    out.labels.set(b.labels, o);
    o += b.users.length;
  }
  return out;
}

// A small fixed dataset: 3 users, 6 items, user 1 has seen most items.
const small = interactions(
  [
    [0, 0], [0, 1], [1, 0], [1, 1], [1, 2], [1, 3], [1, 4], [2, 5], [2, 0], [0, 1], // (0,1) duplicated
  ],
  3,
  6,
);

describe('NegativeSampler: never a positive', () => {
  it('never samples a positive or excluded item of the same user (random datasets, both strategies)', () => {
    fc.assert(
      fc.property(dataset, (d) => {
        const data = interactions(d.train, d.numUsers, d.numItems);
        const exclude = interactions(d.exclude, d.numUsers, d.numItems);
        const sampler = new NegativeSampler(data, { strategy: d.strategy, alpha: d.alpha, exclude, seed: d.seed });
        const blocked = new Set([...d.train, ...d.exclude].map(([u, i]) => u * 1000 + i));
        for (let u = 0; u < d.numUsers; u++) {
          for (let i = 0; i < d.numItems; i++) expect(sampler.isPositive(u, i)).toBe(blocked.has(u * 1000 + i));
          let free = 0;
          for (let i = 0; i < d.numItems; i++) if (!blocked.has(u * 1000 + i)) free++;
          if (free === 0) {
            expect(() => sampler.sample(u, 1)).toThrow(/no negative to sample/);
            continue;
          }
          for (const item of sampler.sample(u, 50, mulberry32(u))) expect(blocked.has(u * 1000 + item)).toBe(false);
        }
        let batches: Batch[];
        try {
          batches = collect(sampler, { batchSize: 7, negatives: 3, epoch: 1 });
        } catch (e) {
          expect(isRecsysError(e, sampler.numPositives === 0 ? 'NO_POSITIVES' : 'NO_NEGATIVES')).toBe(true);
          return;
        }
        for (const b of batches) {
          for (let r = 0; r < b.users.length; r++) {
            const isBlocked = blocked.has(b.users[r] * 1000 + b.items[r]);
            if (b.labels[r] === 0) expect(isBlocked).toBe(false);
            else expect(new Set(d.train.map(([u, i]) => u * 1000 + i)).has(b.users[r] * 1000 + b.items[r])).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never samples a positive with the binary-search membership (matrix too big for a bitset)', () => {
    const numUsers = 16_384;
    const numItems = 8_193; // 16,384 x 257 words x 32 bits > 2^27: the sampler uses its CSR rows
    const pairs: [number, number][] = [];
    const random = mulberry32(3);
    for (let k = 0; k < 3000; k++) pairs.push([Math.floor(random() * 20), Math.floor(random() * 300)]);
    const data = interactions(pairs, numUsers, numItems);
    const sampler = new NegativeSampler(data, { strategy: 'popularity', seed: 1 });
    const blocked = new Set(pairs.map(([u, i]) => u * numItems + i));
    for (let u = 0; u < 20; u++) {
      for (let i = 0; i < 300; i++) expect(sampler.isPositive(u, i)).toBe(blocked.has(u * numItems + i));
      for (const item of sampler.sample(u, 200)) expect(blocked.has(u * numItems + item)).toBe(false);
    }
  });
});

describe('NegativeSampler: batches', () => {
  it('puts each positive first, followed by exactly `negatives` negatives labelled 0', () => {
    const sampler = new NegativeSampler(small, { seed: 3 });
    expect(sampler.numPositives).toBe(9); // the duplicate (0, 1) counts once
    const batches = collect(sampler, { batchSize: 4, negatives: 2 });
    expect(batches.map((b) => b.users.length)).toEqual([4, 4, 4, 4, 4, 4, 3]);
    const all = concat(batches);
    expect(all.users.length).toBe(sampler.epochSize(2));
    const positives: string[] = [];
    for (let g = 0; g < all.users.length; g += 3) {
      expect(Array.from(all.labels.subarray(g, g + 3))).toEqual([1, 0, 0]);
      expect(all.users[g + 1]).toBe(all.users[g]);
      expect(all.users[g + 2]).toBe(all.users[g]);
      positives.push(`${all.users[g]}:${all.items[g]}`);
    }
    // every distinct training pair exactly once per epoch
    expect(positives.sort()).toEqual(['0:0', '0:1', '1:0', '1:1', '1:2', '1:3', '1:4', '2:0', '2:5']);
    for (const b of batches) {
      expect(b.users).toBeInstanceOf(Int32Array);
      expect(b.items).toBeInstanceOf(Int32Array);
      expect(b.labels).toBeInstanceOf(Float32Array);
    }
  });

  it('shuffles the positives (not in data order)', () => {
    const pairs: [number, number][] = [];
    for (let u = 0; u < 50; u++) pairs.push([u, u % 7]);
    const sampler = new NegativeSampler(interactions(pairs, 50, 10), { seed: 5 });
    const users = Array.from(concat(collect(sampler, { negatives: 0 })).users);
    expect(users).not.toEqual(Array.from({ length: 50 }, (_, u) => u));
    expect([...users].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, u) => u));
  });

  it('is deterministic for a seed and epoch, and differs across epochs and seeds', () => {
    const a = concat(collect(new NegativeSampler(small, { seed: 11 }), { epoch: 2, batchSize: 5 }));
    const b = concat(collect(new NegativeSampler(small, { seed: 11 }), { epoch: 2, batchSize: 5 }));
    expect(b).toEqual(a);
    const otherEpoch = concat(collect(new NegativeSampler(small, { seed: 11 }), { epoch: 3, batchSize: 5 }));
    expect(otherEpoch.items).not.toEqual(a.items);
    const otherSeed = concat(collect(new NegativeSampler(small, { seed: 12 }), { epoch: 2, batchSize: 5 }));
    expect(otherSeed.items).not.toEqual(a.items);
  });

  it('draws fresh negatives each epoch for the same positive', () => {
    const pairs: [number, number][] = Array.from({ length: 40 }, (_, u) => [u, 0]);
    const sampler = new NegativeSampler(interactions(pairs, 40, 1000), { seed: 1 });
    const negativesOf = (epoch: number) => {
      const all = concat(collect(sampler, { epoch, negatives: 1 }));
      const byUser = new Map<number, number>();
      for (let r = 1; r < all.users.length; r += 2) byUser.set(all.users[r], all.items[r]);
      return byUser;
    };
    const e0 = negativesOf(0);
    const e1 = negativesOf(1);
    let same = 0;
    for (const [u, item] of e0) if (e1.get(u) === item) same++;
    expect(same).toBeLessThan(5);
  });

  it('does not depend on the batch size', () => {
    const sampler = new NegativeSampler(small, { seed: 2, strategy: 'popularity' });
    expect(concat(collect(sampler, { batchSize: 1, epoch: 4 }))).toEqual(concat(collect(sampler, { batchSize: 1000, epoch: 4 })));
  });

  it('shards partition the epoch: concatenated in order they are the whole epoch', () => {
    fc.assert(
      fc.property(dataset, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), (d, count, batchSize) => {
        const sampler = new NegativeSampler(interactions(d.train, d.numUsers, d.numItems), { strategy: d.strategy, seed: d.seed });
        if (sampler.numPositives === 0) return;
        let whole: Batch;
        try {
          whole = concat(collect(sampler, { epoch: 1, negatives: 2 }));
        } catch (e) {
          expect(isRecsysError(e, 'NO_NEGATIVES')).toBe(true);
          return;
        }
        const shards = Array.from({ length: count }, (_, index) =>
          concat(collect(sampler, { epoch: 1, negatives: 2, batchSize, shard: { index, count } })),
        );
        expect(concat(shards)).toEqual(whole);
        for (const s of shards) expect(s.users.length % 3).toBe(0);
      }),
      { numRuns: 80 },
    );
  });

  it('pair batches carry one row per (positive, negative) with the same negatives as the BCE batches', () => {
    const sampler = new NegativeSampler(small, { seed: 8 });
    const pairs = Array.from(sampler.pairBatches({ negatives: 3, batchSize: 5, epoch: 1 }));
    const rows = pairs.reduce((a, b) => a + b.users.length, 0);
    expect(rows).toBe(sampler.epochSize(3, 'pairs'));
    expect(pairs.slice(0, -1).every((b) => b.users.length === 5)).toBe(true);
    const flat = { users: [] as number[], positives: [] as number[], negatives: [] as number[] };
    for (const b of pairs) {
      flat.users.push(...b.users);
      flat.positives.push(...b.positives);
      flat.negatives.push(...b.negatives);
    }
    const bce = concat(collect(sampler, { negatives: 3, epoch: 1 }));
    for (let g = 0, r = 0; g < bce.users.length; g += 4) {
      for (let j = 1; j <= 3; j++, r++) {
        expect(flat.users[r]).toBe(bce.users[g]);
        expect(flat.positives[r]).toBe(bce.items[g]);
        expect(flat.negatives[r]).toBe(bce.items[g + j]);
        expect(sampler.isPositive(flat.users[r], flat.negatives[r])).toBe(false);
      }
    }
  });

  it('validates its options before producing anything', () => {
    const sampler = new NegativeSampler(small);
    expect(() => sampler.batches({ batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0');
    expect(() => sampler.batches({ negatives: -1 })).toThrow('negatives must be a non-negative integer, got -1');
    expect(() => sampler.batches({ epoch: 1.5 })).toThrow('epoch must be a non-negative integer, got 1.5');
    expect(() => sampler.batches({ shard: { index: 2, count: 2 } })).toThrow(/shard.index must be in 0..1/);
    expect(() => sampler.pairBatches({ negatives: 0 })).toThrow('negatives must be a positive integer, got 0');
    expect(() => sampler.epochSize(-2)).toThrow(/non-negative integer, got -2/);
    expect(() => sampler.sample(3, 1)).toThrow('user 3 is outside 0..2 (numUsers=3)');
    expect(() => sampler.isPositive(0, 6)).toThrow('item 6 is outside 0..5 (numItems=6)');
  });
});

describe('NegativeSampler: a user who has seen every item', () => {
  const full = interactions(
    [
      [0, 0], [0, 1], [0, 2], [1, 0],
    ],
    2,
    3,
  );

  it('raises NO_NEGATIVES naming the user, at once and without hanging', () => {
    const started = Date.now();
    for (const strategy of ['uniform', 'popularity'] as const) {
      const sampler = new NegativeSampler(full, { strategy });
      expect(() => sampler.sample(0, 1)).toThrow('user 0 has every one of the 3 items among their positives and excluded items: there is no negative to sample');
      expect(() => sampler.batches()).toThrow(/user 0/);
      expect(() => sampler.pairBatches()).toThrow(/user 0/);
      expect(Array.from(sampler.sample(1, 4)).every((i) => i === 1 || i === 2)).toBe(true);
      expect(sampler.sample(0, 0).length).toBe(0);
      // positives alone are fine
      expect(concat(collect(sampler, { negatives: 0 })).users.length).toBe(4);
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts excluded items too', () => {
    const sampler = new NegativeSampler(interactions([[0, 0]], 1, 2), { exclude: interactions([[0, 1]], 1, 2) });
    let caught: unknown;
    try {
      sampler.sample(0, 1);
    } catch (e) {
      caught = e;
    }
    expect(isRecsysError(caught, 'NO_NEGATIVES')).toBe(true);
  });
});

describe('NegativeSampler: distributions', () => {
  // 1 probe user with no positives plus 400 users whose positives make item i have count i + 1
  function popularityData(numItems: number, probePositives: number[]): Interactions {
    const pairs: [number, number][] = [];
    for (let i = 0; i < numItems; i++) for (let c = 0; c <= i; c++) pairs.push([1 + c, i]);
    for (const i of probePositives) pairs.push([0, i]);
    return interactions(pairs, 1 + numItems, numItems);
  }

  function chiSquare(counts: number[], expected: number[]): number {
    let chi = 0;
    for (let i = 0; i < counts.length; i++) if (expected[i] > 0) chi += (counts[i] - expected[i]) ** 2 / expected[i];
    return chi;
  }

  /** Frequencies of `draws` negatives for `user`, compared with weights w over the free items. */
  function check(sampler: NegativeSampler, user: number, weights: number[], draws: number): void {
    const counts = new Array<number>(weights.length).fill(0);
    for (const item of sampler.sample(user, draws, mulberry32(77))) counts[item]++;
    const total = weights.reduce((a, b) => a + b, 0);
    const expected = weights.map((w) => (w / total) * draws);
    for (let i = 0; i < weights.length; i++) if (weights[i] === 0) expect(counts[i]).toBe(0);
    const dof = weights.filter((w) => w > 0).length - 1;
    // a generous bound: mean dof, sd sqrt(2 dof); 6 sd is never reached by a correct sampler
    expect(chiSquare(counts, expected)).toBeLessThan(dof + 6 * Math.sqrt(2 * dof));
  }

  it('popularity frequencies follow count^alpha (rejection path)', () => {
    const numItems = 30;
    const data = popularityData(numItems, [0, 5, 29]);
    for (const alpha of [0.75, 1]) {
      const sampler = new NegativeSampler(data, { strategy: 'popularity', alpha });
      // a free item i has count i + 1 (the probe's own positives are never drawn)
      const weights = Array.from({ length: numItems }, (_, i) => ([0, 5, 29].includes(i) ? 0 : Math.pow(i + 1, alpha)));
      check(sampler, 0, weights, 60_000);
    }
  });

  it('popularity frequencies follow count^alpha over the rest when the positives hold most of the mass (exact path)', () => {
    const numItems = 30;
    const heavy = Array.from({ length: 18 }, (_, j) => 29 - j); // the 18 most popular items
    const data = popularityData(numItems, heavy);
    const sampler = new NegativeSampler(data, { strategy: 'popularity', alpha: 1 });
    const weights = Array.from({ length: numItems }, (_, i) => (heavy.includes(i) ? 0 : i + 1));
    check(sampler, 0, weights, 60_000);
  });

  it('uniform frequencies are flat over the free items, on both the rejection and the exact path', () => {
    const numItems = 40;
    for (const seen of [[1, 2, 3], Array.from({ length: 30 }, (_, i) => i + 5)]) {
      const sampler = new NegativeSampler(interactions(seen.map((i) => [0, i] as [number, number]), 1, numItems));
      check(sampler, 0, Array.from({ length: numItems }, (_, i) => (seen.includes(i) ? 0 : 1)), 40_000);
    }
  });

  it('popularity with only zero-weight items free falls back to uniform over them', () => {
    // items 2 and 3 have no training interactions (weight 0); user 0 has seen items 0 and 1
    const sampler = new NegativeSampler(interactions([[0, 0], [0, 1], [1, 0]], 2, 4), { strategy: 'popularity' });
    const drawn = new Set(sampler.sample(0, 200));
    expect([...drawn].sort()).toEqual([2, 3]);
    // user 1 only ever gets the weighted free item 1
    expect(new Set(sampler.sample(1, 200))).toEqual(new Set([1]));
  });
});

describe('NegativeSampler: state', () => {
  it('round-trips through getState / fromState (and structured cloning) with identical batches', () => {
    for (const strategy of ['uniform', 'popularity'] as const) {
      const sampler = new NegativeSampler(small, { strategy, seed: 21, exclude: interactions([[2, 1]], 3, 6) });
      const expected = concat(collect(sampler, { epoch: 5, batchSize: 3 }));
      for (const state of [sampler.getState(), structuredClone(sampler.getState()), structuredClone(sampler.getState({ shared: true }))]) {
        const copy = NegativeSampler.fromState(state);
        expect(copy.numPositives).toBe(sampler.numPositives);
        expect(copy.strategy).toBe(strategy);
        expect(concat(collect(copy, { epoch: 5, batchSize: 3 }))).toEqual(expected);
        expect(copy.isPositive(2, 1)).toBe(true);
        expect(copy.sample(0, 5, mulberry32(1))).toEqual(sampler.sample(0, 5, mulberry32(1)));
      }
    }
  });

  it('shares memory when asked', () => {
    // the state is opaque: look at whatever typed arrays it holds, without naming them
    const arrays = Object.values(new NegativeSampler(small).getState({ shared: true })).filter((v) => ArrayBuffer.isView(v));
    expect(arrays.length).toBeGreaterThan(0);
    for (const array of arrays) expect(array.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('rejects a malformed state', () => {
    const state = new NegativeSampler(small).getState();
    expect(() => NegativeSampler.fromState({ ...state, version: 1 as never })).toThrow(/version 2/);
    expect(() => NegativeSampler.fromState(null as never)).toThrow(/state must be a SamplerState of version 2/);
  });
});

describe('NegativeSampler: constructor validation', () => {
  it('rejects bad data and options with RecsysErrors naming the value', () => {
    expect(() => new NegativeSampler(interactions([[0, 9]], 1, 3))).toThrow(/data.items\[0\] = 9 is not an? item index/);
    expect(() => new NegativeSampler(small, { strategy: 'random' as never })).toThrow(/strategy must be one of 'uniform', 'popularity', got "random"/);
    expect(() => new NegativeSampler(small, { alpha: -1 })).toThrow('alpha must be a finite number >= 0, got -1');
    expect(() => new NegativeSampler(small, { alpha: Infinity })).toThrow(/alpha must be a finite number >= 0, got Infinity/);
    expect(() => new NegativeSampler(small, { seed: NaN })).toThrow(/seed must be a finite number, got NaN/);
    expect(() => new NegativeSampler(small, { exclude: interactions([[0, 0]], 3, 7) })).toThrow(/exclude has 3 users x 7 items but data has 3 x 6/);
  });

  it('rejects an epoch over empty data', () => {
    const sampler = new NegativeSampler(interactions([], 2, 3));
    expect(() => sampler.batches()).toThrow(/no interactions/);
    expect(sampler.sample(0, 2).length).toBe(2);
  });

  it('keeps huge alpha finite (weights are normalised by the largest count)', () => {
    const sampler = new NegativeSampler(small, { strategy: 'popularity', alpha: 2000 });
    // (2/3)^2000 underflows: only item 0 (count 3) keeps weight; user 0 has seen it, so its
    // negatives fall back to uniform over the zero-weight free items
    for (const item of sampler.sample(0, 100)) expect([2, 3, 4, 5]).toContain(item);
  });
});

describe('NegativeSampler: weighting', () => {
  /** Random data where pairs repeat, with small integer weights (sums exact in float32). */
  const weighted = fc
    .record({ numUsers: fc.integer({ min: 1, max: 5 }), numItems: fc.integer({ min: 3, max: 12 }) })
    .chain(({ numUsers, numItems }) =>
      fc.record({
        numUsers: fc.constant(numUsers),
        numItems: fc.constant(numItems),
        // items 0..numItems-2 only: item numItems-1 stays free, so every user has negatives
        rows: fc.array(fc.tuple(fc.nat({ max: numUsers - 1 }), fc.nat({ max: numItems - 2 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 40 }),
        weighting: fc.constantFrom('linear' as const, 'log' as const),
        weightScale: fc.constantFrom(0.5, 1, 3),
        seed: fc.integer(),
        batchSize: fc.integer({ min: 1, max: 9 }),
        count: fc.integer({ min: 1, max: 3 }),
        negatives: fc.integer({ min: 1, max: 3 }),
      }),
    );

  it('every positive carries the confidence of its summed weights through shuffling and sharding; negatives carry 1', () => {
    fc.assert(
      fc.property(weighted, (d) => {
        const data: Interactions = {
          users: Int32Array.from(d.rows, (r) => r[0]),
          items: Int32Array.from(d.rows, (r) => r[1]),
          weights: Float32Array.from(d.rows, (r) => r[2]),
          numUsers: d.numUsers,
          numItems: d.numItems,
        };
        // the confidence each (user, item) should get: its rows' weights summed, then the formula
        const sums = new Map<string, number>();
        for (const [u, i, w] of d.rows) sums.set(`${u},${i}`, (sums.get(`${u},${i}`) ?? 0) + w);
        const c = (u: number, i: number): number => {
          const w = sums.get(`${u},${i}`) as number;
          return Math.fround(d.weighting === 'linear' ? 1 + d.weightScale * w : 1 + d.weightScale * Math.log1p(w));
        };
        const options = { seed: d.seed, weighting: d.weighting, weightScale: d.weightScale };
        const sampler = new NegativeSampler(data, options);
        const plain = new NegativeSampler({ ...data, weights: undefined }, { seed: d.seed });
        // a copy as a worker gets it
        const copy = NegativeSampler.fromState(sampler.getState({ shared: true }));
        for (const s of [sampler, copy]) {
          const spec = { epoch: 1, batchSize: d.batchSize, negatives: d.negatives };
          const shards = Array.from({ length: d.count }, (_, index) => collect(s, { ...spec, shard: { index, count: d.count } })).flat();
          const rows = shards.flatMap((b) => Array.from(b.users, (u, k) => ({ u, i: b.items[k], y: b.labels[k], w: b.weights?.[k] })));
          // weighting changes no instance: the same users, items and labels as unweighted
          const unweighted = collect(plain, spec).flatMap((b) => Array.from(b.users, (u, k) => ({ u, i: b.items[k], y: b.labels[k] })));
          expect(rows.map(({ u, i, y }) => ({ u, i, y }))).toEqual(unweighted);
          expect(rows.filter((r) => r.y === 1)).toHaveLength(sums.size);
          for (const r of rows) expect(r.w).toBe(r.y === 1 ? c(r.u, r.i) : 1);

          const pairs = Array.from(s.pairBatches({ ...spec, shard: { index: 0, count: 1 } }));
          for (const b of pairs) {
            expect(b.weights).toBeInstanceOf(Float32Array);
            b.users.forEach((u, k) => expect(b.weights?.[k]).toBe(c(u, b.positives[k])));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives batches without weights unless asked', () => {
    const data = { ...interactions([[0, 0], [0, 1]], 1, 4), weights: Float32Array.of(2, 3) };
    for (const batch of new NegativeSampler(data).batches({ negatives: 1 })) expect(batch.weights).toBeUndefined();
    for (const batch of new NegativeSampler(data).pairBatches({ negatives: 1 })) expect(batch.weights).toBeUndefined();
  });

  it('refuses a weighting without weights, and weights that are negative or not finite', () => {
    const data = interactions([[0, 0], [0, 1]], 1, 4);
    expect(() => new NegativeSampler(data, { weighting: 'log' })).toThrow("weighting 'log' needs data.weights");
    expect(() => new NegativeSampler({ ...data, weights: Float32Array.of(1, -1) }, { weighting: 'linear' })).toThrow('data.weights[1] = -1; weights used as confidence must be >= 0');
    expect(() => new NegativeSampler({ ...data, weights: Float32Array.of(NaN, 1) }, { weighting: 'linear' })).toThrow('data.weights[0] = NaN');
    expect(() => new NegativeSampler({ ...data, weights: Float32Array.of(1, 1) }, { weighting: 'linear', weightScale: 0 })).toThrow('weightScale must be a number > 0');
    expect(() => new NegativeSampler({ ...data, weights: Float32Array.of(1, 1) }, { weighting: 'squared' as never })).toThrow(/weighting/);
    // 'none' ignores the weights, even invalid ones (they are not used)
    expect(() => new NegativeSampler({ ...data, weights: Float32Array.of(NaN, 1) })).not.toThrow();
  });
});

describe('NegativeSampler batch options: negativesPerPositive, the deprecated name of negatives', () => {
  const data = { users: Int32Array.of(0, 0, 1, 2), items: Int32Array.of(0, 1, 2, 3), numUsers: 3, numItems: 9 };

  it('gives the same batches as negatives, accepts both names when they agree, refuses them when they differ', () => {
    const sampler = new NegativeSampler(data, { seed: 5 });
    const current = [...sampler.batches({ negatives: 3, epoch: 2 })];
    expect([...sampler.batches({ negativesPerPositive: 3, epoch: 2 })]).toEqual(current);
    expect([...sampler.batches({ negatives: 3, negativesPerPositive: 3, epoch: 2 })]).toEqual(current);
    expect([...sampler.pairBatches({ negativesPerPositive: 2 })]).toEqual([...sampler.pairBatches({ negatives: 2 })]);
    expect(() => sampler.batches({ negatives: 3, negativesPerPositive: 4 })).toThrow('negatives = 3 and negativesPerPositive = 4 disagree');
    expect(() => sampler.pairBatches({ negativesPerPositive: 0 })).toThrow('negativesPerPositive must be a positive integer, got 0');
  });

  it('defaults to 4 negatives per positive', () => {
    const sampler = new NegativeSampler(data, { seed: 5 });
    const rows = [...sampler.batches()].reduce((n, b) => n + b.users.length, 0);
    expect(rows).toBe(sampler.epochSize(4));
  });
});
