// bench/baselines-ncf.ts: a hold-out run with a patience stops once that many validation points in
// a row have not beaten its first best, and is otherwise the same run (the same curve, cut).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useBackend } from './helpers/backends.js';
import { mulberry32 } from '../src/_lib/random.js';
import { patienceSpent, selectAndRefit } from '../bench/baselines-ncf.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** The first index of the largest value. */
function firstBest(hrs: number[]): number {
  return hrs.indexOf(Math.max(...hrs));
}

describe('bench: hold-out patience (--ncf-patience, --ncf-sgd-patience)', () => {
  it('is spent when the last `patience` points all follow the first best (hand-computed)', () => {
    expect(patienceSpent([0.6, 0.62, 0.61, 0.62], 2)).toBe(true);
    expect(patienceSpent([0.6, 0.62, 0.61, 0.63], 2)).toBe(false);
    expect(patienceSpent([0.6, 0.62, 0.61], 2)).toBe(false);
    // a tie does not count as better: the first best is kept
    expect(patienceSpent([0.7, 0.7, 0.7], 2)).toBe(true);
    expect(patienceSpent([0.7], 1)).toBe(false);
    expect(patienceSpent([], 1)).toBe(false);
  });

  it('agrees with "points since the first best >= patience", and a better point resets it', () => {
    const curve = fc.array(fc.integer({ min: 0, max: 20 }).map((x) => x / 20), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(curve, fc.integer({ min: 1, max: 6 }), (hrs, patience) => {
        expect(patienceSpent(hrs, patience)).toBe(hrs.length - 1 - firstBest(hrs) >= patience);
        expect(patienceSpent([...hrs, Math.max(...hrs) + 0.01], patience)).toBe(false);
      }),
    );
  });

  it('cuts the hold-out curve where the patience is spent, and chooses what the full run chooses when its best lies before the cut', async () => {
    const numUsers = 30;
    const numItems = 25;
    const random = mulberry32(11);
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < numUsers; u++) {
      for (let i = 0; i < numItems; i++) {
        if (random() >= 0.25 + 0.3 * ((u + i) % 3 === 0 ? 1 : 0)) continue;
        users.push(u);
        items.push(i);
      }
    }
    const train = { users: Int32Array.from(users), items: Int32Array.from(items), numUsers, numItems };
    // the hold-out drops each user's first entry, which validation then ranks among the user's non-positives
    const firsts = [...new Set(users)].map((u) => users.indexOf(u));
    const held = new Set(firsts);
    const keep = users.map((_, k) => !held.has(k));
    const fit = { ...train, users: train.users.filter((_, k) => keep[k]), items: train.items.filter((_, k) => keep[k]) };
    const validation = {
      users: Int32Array.from(firsts, (k) => users[k]),
      items: Int32Array.from(firsts, (k) => items[k]),
      negatives: firsts.map((k) => Int32Array.from({ length: numItems }, (_, i) => i).filter((i) => !items.some((it, j) => users[j] === users[k] && it === i))),
    };
    const data = { fit, train, validation, log: () => {} };
    const epochs = 12;
    const full = await selectAndRefit('gmf', 4, 5, data, { epochs, learningRate: 0.05 });
    full.model.dispose();
    const hrs = full.curve.map((p) => p.hr);
    expect(hrs).toHaveLength(epochs);
    for (const patience of [1, 2, 3]) {
      const cut = await selectAndRefit('gmf', 4, 5, data, { epochs, learningRate: 0.05, patience });
      cut.model.dispose();
      // the first point (1-based count) at which the patience is spent, or the whole run
      let n = 1;
      while (n < epochs && !patienceSpent(hrs.slice(0, n), patience)) n++;
      expect(cut.curve.map((p) => p.hr)).toEqual(hrs.slice(0, n));
      if (firstBest(hrs) < n) expect(cut.epochs).toBe(full.epochs);
    }
    // the data must make the patience bite at least once, or the test above proves nothing
    expect(patienceSpent(hrs.slice(0, epochs - 1), 1)).toBe(true);
  });
});
