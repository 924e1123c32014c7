import { describe, it, expect } from 'vitest';
import { syntheticInteractions } from './synthetic.js';
import { leaveOneOut } from './splits.js';
import { itemPopularity } from './popularity.js';
import { validateInteractions, type Interactions } from './interactions.js';
import { isRecsysError } from '../errors.js';

/** Leave-one-out HR@k over all items the user has not trained on (pessimistic ties). */
function hitRate(train: Interactions, test: Interactions, score: (user: number, seen: Set<number>) => Float64Array, k = 10): number {
  const seen = Array.from({ length: train.numUsers }, () => new Set<number>());
  for (let j = 0; j < train.users.length; j++) seen[train.users[j]].add(train.items[j]);
  let hits = 0;
  for (let j = 0; j < test.users.length; j++) {
    const u = test.users[j];
    const target = test.items[j];
    const scores = score(u, seen[u]);
    let above = 0;
    for (let i = 0; i < train.numItems; i++) if (i !== target && !seen[u].has(i) && scores[i] >= scores[target]) above++;
    if (above < k) hits++;
  }
  return hits / test.users.length;
}

describe('syntheticInteractions', () => {
  it('is a pure function of its options', () => {
    const a = syntheticInteractions({ seed: 7 });
    expect(syntheticInteractions({ seed: 7 })).toEqual(a);
    expect(syntheticInteractions({ seed: 8 }).items).not.toEqual(a.items);
    expect(syntheticInteractions()).toEqual(syntheticInteractions({ seed: 42 }));
  });

  it('gives valid, timestamped interactions of the requested size, with distinct items per user', () => {
    const data = syntheticInteractions({ numUsers: 120, numItems: 90, interactionsPerUser: 12, traits: 4 });
    validateInteractions(data);
    expect([data.numUsers, data.numItems]).toEqual([120, 90]);
    const perUser = Array.from({ length: 120 }, () => new Set<number>());
    let previousUser = -1;
    let previousTime = -Infinity;
    for (let k = 0; k < data.users.length; k++) {
      const u = data.users[k];
      expect(perUser[u].has(data.items[k])).toBe(false);
      perUser[u].add(data.items[k]);
      if (u === previousUser) expect(data.timestamps[k]).toBeGreaterThan(previousTime);
      else expect(u).toBe(previousUser + 1);
      previousUser = u;
      previousTime = data.timestamps[k];
    }
    for (const items of perUser) {
      expect(items.size).toBeGreaterThanOrEqual(6);
      expect(items.size).toBeLessThanOrEqual(18);
    }
    expect(data.users.length / 120).toBeGreaterThan(10);
    expect(data.users.length / 120).toBeLessThan(14);
    expect(data.truth.likedTraits.length).toBe(16);
  });

  it('plants the XOR taste: most interactions fall in the liked item group, opposite users share it', () => {
    const data = syntheticInteractions();
    const { userTraits, itemTraits, likedTraits } = data.truth;
    let liked = 0;
    for (let k = 0; k < data.users.length; k++) if (itemTraits[data.items[k]] === likedTraits[userTraits[data.users[k]]]) liked++;
    // noise 0.1, and a noisy draw still lands in the liked group a quarter of the time
    expect(liked / data.users.length).toBeGreaterThan(0.88);
    for (let t = 0; t < 8; t++) expect(likedTraits[t]).toBe(likedTraits[t ^ 7]);
    expect(new Set(likedTraits).size).toBe(4);
    // no trait alone predicts the liked group: each user trait bit takes both values within every taste
    for (let bit = 0; bit < 3; bit++) {
      for (let g = 0; g < 4; g++) {
        const values = new Set([0, 1, 2, 3, 4, 5, 6, 7].filter((t) => likedTraits[t] === g).map((t) => (t >> bit) & 1));
        expect(values.size).toBe(2);
      }
    }
  });

  it('is learnable: an oracle and even item co-occurrence beat popularity by a wide margin on leave-one-out HR@10', () => {
    const data = syntheticInteractions();
    const { train, test } = leaveOneOut(data, { by: 'time' });
    const popularity = itemPopularity(train);
    const { userTraits, itemTraits, likedTraits, itemWeights } = data.truth;
    const oracle = (u: number) => Float64Array.from(itemWeights, (w, i) => (itemTraits[i] === likedTraits[userTraits[u]] ? 1 : 0) + w / 10);
    // item-item cosine co-occurrence, learned from train only
    const n = train.numItems;
    const co = new Float64Array(n * n);
    const byUser = Array.from({ length: train.numUsers }, () => [] as number[]);
    for (let k = 0; k < train.users.length; k++) byUser[train.users[k]].push(train.items[k]);
    for (const items of byUser) for (const a of items) for (const b of items) if (a !== b) co[a * n + b]++;
    const cooccurrence = (_u: number, seen: Set<number>) => {
      const s = new Float64Array(n);
      for (let i = 0; i < n; i++) for (const j of seen) s[i] += co[i * n + j] / Math.sqrt((popularity[i] + 1) * (popularity[j] + 1));
      return s;
    };
    const hrPopularity = hitRate(train, test, () => popularity);
    const hrOracle = hitRate(train, test, oracle);
    const hrCooccurrence = hitRate(train, test, cooccurrence);
    console.log(`synthetic HR@10 (full ranking): popularity ${hrPopularity.toFixed(3)}, co-occurrence ${hrCooccurrence.toFixed(3)}, oracle ${hrOracle.toFixed(3)}`);
    expect(hrPopularity).toBeLessThan(0.2);
    expect(hrOracle).toBeGreaterThan(hrPopularity + 0.25);
    expect(hrCooccurrence).toBeGreaterThan(hrPopularity + 0.15);
  });

  it('rejects impossible options', () => {
    const bad = [{ numUsers: 0 }, { numItems: 1 }, { traits: 1 }, { traits: 9 }, { noise: 1 }, { interactionsPerUser: 1 }, { interactionsPerUser: 500 }, { seed: NaN }, { numItems: 3, traits: 3 }];
    for (const options of bad) {
      let error: unknown;
      try {
        syntheticInteractions(options);
      } catch (e) {
        error = e;
      }
      expect(isRecsysError(error), JSON.stringify(options)).toBe(true);
    }
  });
});
