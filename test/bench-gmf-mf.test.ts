// bench/ml1m/gmf-mf.ts: an MF fitted by fitMF, written into a GMF with the biases in two extra
// dimensions, scores every pair as the MF does (the GMF's sigmoid of the same logit), so the
// reproduction's `--gmf-recipe mf` checkpoints are that MF, exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useBackend } from './helpers/backends.js';
import { fitMF } from '../src/baselines/index.js';
import { createScorer } from '../src/scoring/index.js';
import { mulberry32 } from '../src/_lib/random.js';
import { gmfForMF, gmfWeightsOfMF, RENDLE_MF, setGmfToMF } from '../bench/ml1m/gmf-mf.js';
import { selectAndRefitGmfByMF } from '../bench/baselines-ncf.js';
import { deriveSeed } from '../src/sampling/index.js';
import { toyHoldout } from './helpers/toy-holdout.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('bench: GMF from a fitted MF (--gmf-recipe mf)', () => {
  it('scores every user-item pair as sigmoid of the MF logit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 3, max: 9 }), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (numUsers, numItems, factor, seed) => {
        const random = mulberry32(seed);
        const users: number[] = [];
        const items: number[] = [];
        for (let u = 0; u < numUsers; u++) {
          // every user keeps at least one item it has no positive for (fitMF samples negatives there)
          for (let i = 0; i < numItems - 1; i++) {
            if (random() >= 0.5 && i !== u % (numItems - 1)) continue;
            users.push(u);
            items.push(i);
          }
        }
        const mf = fitMF({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers, numItems }, { factors: factor - 2, epochs: 3, learningRate: 0.1, negatives: 1, seed });
        const gmf = gmfForMF(numUsers, numItems, factor);
        setGmfToMF(gmf, mf, factor);
        const scorer = createScorer(gmf);
        try {
          const all = Int32Array.from({ length: numUsers }, (_, u) => u);
          const logits = mf.scoreAllItems(all);
          const probabilities = scorer.scoreAllItems(all);
          // the biases and the global term moved: a GMF that ignored them would differ here
          expect(logits.some((x) => Math.abs(x) > 1e-3)).toBe(true);
          for (let k = 0; k < logits.length; k++) expect(probabilities[k]).toBeCloseTo(1 / (1 + Math.exp(-logits[k])), 5);
        } finally {
          scorer.dispose();
          gmf.dispose();
          mf.dispose();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('refuses an MF whose factors are not the GMF factor minus two, and a factor below 3', () => {
    const mf = fitMF({ users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 }, { factors: 4, epochs: 1, negatives: 1 });
    expect(() => gmfWeightsOfMF(mf, 8)).toThrow(/4 factors is a GMF of 6, not 8/);
    expect(() => gmfForMF(1, 2, 2)).toThrow(/at least 3/);
    mf.dispose();
  });

  it("bench/baselines' --ncf-gmf-recipe mf: the epoch count is the first best validation point, and both GMFs are the MFs of the hold-out and the refit", () => {
    const numUsers = 12;
    const { train, fit, validation } = toyHoldout(numUsers, 15, 7, (u, i) => 0.3 + 0.3 * ((u + i) % 2));
    const factors = 5;
    const seed = 3;
    const chosen = selectAndRefitGmfByMF(factors, seed, { fit, train, validation, log: () => {} }, { maxEpochs: 9, every: 2 });
    try {
      // evaluated after epochs 2, 4, 6, 8 and the last (9); 0-based as the Adam curves
      expect(chosen.curve.map((p) => p.epoch)).toEqual([1, 3, 5, 7, 8]);
      const first = chosen.curve.findIndex((p) => p.hr === Math.max(...chosen.curve.map((q) => q.hr)));
      expect(chosen.epochs).toBe(chosen.curve[first].epoch + 1);
      expect(chosen.val).toEqual({ hr: chosen.curve[first].hr, ndcg: chosen.curve[first].ndcg });
      const mfSeed = deriveSeed(seed, 0x3f00 + factors);
      const all = Int32Array.from({ length: numUsers }, (_, u) => u);
      for (const [model, data, epochs] of [[chosen.holdout!, fit, chosen.epochs], [chosen.model, train, chosen.epochs]] as const) {
        const mf = fitMF(data, { ...RENDLE_MF, factors: factors - 2, epochs, seed: mfSeed });
        const scorer = createScorer(model);
        const logits = mf.scoreAllItems(all);
        const probabilities = scorer.scoreAllItems(all);
        for (let k = 0; k < logits.length; k++) expect(probabilities[k]).toBeCloseTo(1 / (1 + Math.exp(-logits[k])), 5);
        scorer.dispose();
        mf.dispose();
      }
    } finally {
      chosen.model.dispose();
      chosen.holdout?.dispose();
    }
  });
});
