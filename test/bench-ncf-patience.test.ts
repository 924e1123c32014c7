// bench/baselines-ncf.ts: a hold-out run with a patience stops once that many validation points in
// a row have not beaten its first best, and is otherwise the same run (the same curve, cut).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useBackend } from './helpers/backends.js';
import { patienceSpent, selectAndRefit } from '../bench/baselines-ncf.js';
import { toyHoldout } from './helpers/toy-holdout.js';

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
    // a positive at about a quarter of the pairs, a half where (u + i) % 3 is 0
    const { train, fit, validation } = toyHoldout(30, 25, 11, (u, i) => 0.25 + 0.3 * ((u + i) % 3 === 0 ? 1 : 0));
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
