// bench/baselines-ncf.ts: a hold-out run validates through `train` (the starting weights first, as
// epoch -1), and with a patience stops once that many validation points in a row have not beaten
// its first best; it is otherwise the same run (the same curve, cut), and a kept hold-out model
// holds the weights of its chosen point.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from './helpers/backends.js';
import { selectAndRefit } from '../bench/baselines-ncf.js';
import { evaluateSampled } from '../src/evaluation/index.js';
import { toyHoldout } from './helpers/toy-holdout.js';

beforeAll(async () => {
  await useBackend('cpu');
});

/** The first index of the largest value. */
function firstBest(hrs: number[]): number {
  return hrs.indexOf(Math.max(...hrs));
}

/** Whether the last `patience` points of `hrs` all came after its first best (none beating it). */
function spent(hrs: number[], patience: number): boolean {
  return hrs.length - 1 - firstBest(hrs) >= patience;
}

describe('bench: hold-out runs (validation by train, --ncf-patience, --ncf-sgd-patience)', () => {
  it('reads "spent" as the hand-computed cases say', () => {
    expect(spent([0.6, 0.62, 0.61, 0.62], 2)).toBe(true);
    expect(spent([0.6, 0.62, 0.61, 0.63], 2)).toBe(false);
    // a tie does not count as better: the first best is kept
    expect(spent([0.7, 0.7, 0.7], 2)).toBe(true);
  });

  // a positive at about a quarter of the pairs, a half where (u + i) % 3 is 0
  const toy = () => {
    const { train, fit, validation } = toyHoldout(30, 25, 11, (u, i) => 0.25 + 0.3 * ((u + i) % 3 === 0 ? 1 : 0));
    return { fit, train, validation, log: () => {} };
  };

  it('cuts the hold-out curve where the patience is spent, and chooses what the full run chooses when its best lies before the cut', async () => {
    const data = toy();
    const epochs = 12;
    const full = await selectAndRefit('gmf', 4, 5, data, { epochs, learningRate: 0.05 });
    full.model.dispose();
    const hrs = full.curve.map((p) => p.hr);
    // the starting weights, then every epoch
    expect(full.curve.map((p) => p.epoch)).toEqual(Array.from({ length: epochs + 1 }, (_, k) => k - 1));
    for (const patience of [1, 2, 3]) {
      const cut = await selectAndRefit('gmf', 4, 5, data, { epochs, learningRate: 0.05, patience });
      cut.model.dispose();
      // the first point count (the start included) at which the patience is spent; never after the
      // last epoch (the run ends there anyway)
      let n = 2;
      while (n < epochs + 1 && !spent(hrs.slice(0, n), patience)) n++;
      expect(cut.curve.map((p) => p.hr)).toEqual(hrs.slice(0, n));
      if (firstBest(hrs) < n) expect(cut.epochs).toBe(full.epochs);
    }
    // the data must make the patience bite at least once, or the test above proves nothing
    expect(spent(hrs.slice(0, epochs), 1)).toBe(true);
  });

  it('keeps the hold-out weights of the chosen point, whose validation is the curve best', async () => {
    const data = toy();
    const chosen = await selectAndRefit('gmf', 4, 5, data, { epochs: 12, learningRate: 0.05 }, true);
    try {
      const hrs = chosen.curve.map((p) => p.hr);
      const best = firstBest(hrs);
      expect(chosen.epochs).toBe(chosen.curve[best].epoch + 1);
      // the last point is not the best here, so a run that kept its last weights would fail below
      expect(best).toBeLessThan(hrs.length - 1);
      expect(hrs[hrs.length - 1]).toBeLessThan(hrs[best]);
      expect(evaluateSampled(chosen.holdout!, data.validation, { k: 10 }).hr).toBe(hrs[best]);
    } finally {
      chosen.model.dispose();
      chosen.holdout?.dispose();
    }
  });
});
