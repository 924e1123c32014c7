import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fitMF, shuffledEpoch } from './mf.js';
import { syntheticInteractions } from '../data/synthetic.js';
import { evaluateSampled } from '../evaluation/sampled.js';
import { leaveOneOut } from '../data/splits.js';

describe('fitMF', () => {
  it('takes Rendle et al.\'s SGD steps (hand-computed, one user, one positive, one negative)', () => {
    // embeddings start at 0 (stddev 0), so only the biases move; lr 0.1, no L2.
    // positive (item 0): s = 0, g = 1 - 0.5 = 0.5 -> b = b_0 = b_i0 = 0.05
    // negative (item 1): s = 0.05 + 0.05 = 0.1, g = -sigmoid(0.1) -> b = b_0 = 0.05 - 0.1 sigmoid(0.1), b_i1 = -0.1 sigmoid(0.1)
    const sig = 1 / (1 + Math.exp(-0.1));
    const mf = fitMF({ users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 }, { factors: 1, epochs: 1, learningRate: 0.1, regularization: 0, negatives: 1, stddev: 0 });
    const b = 0.05 - 0.1 * sig;
    const s = mf.scoreItems(0, Int32Array.of(0, 1));
    expect(s[0]).toBeCloseTo(b + b + 0.05, 6);
    expect(s[1]).toBeCloseTo(b + b - 0.1 * sig, 6);
    expect(mf.loss[0]).toBeCloseTo((Math.log(2) + Math.log1p(Math.exp(0.1))) / 2, 9);
    // the same steps, read from the public biases
    expect(mf.globalBias).toBeCloseTo(b, 12);
    expect(Array.from(mf.userBias)).toEqual([mf.globalBias]);
    expect(mf.itemBias[0]).toBeCloseTo(0.05, 12);
    expect(mf.itemBias[1]).toBeCloseTo(-0.1 * sig, 12);
  });

  it('property: every score is globalBias + userBias[u] + itemBias[i] + userFactors[u] . itemFactors[i]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (factors, seed) => {
        const synth = syntheticInteractions({ numUsers: 7, numItems: 12, interactionsPerUser: 4, seed });
        const mf = fitMF(synth, { factors, epochs: 2, learningRate: 0.1, seed });
        const all = mf.scoreAllItems(Int32Array.from({ length: mf.numUsers }, (_, u) => u));
        for (let u = 0; u < mf.numUsers; u++) {
          for (let i = 0; i < mf.numItems; i++) {
            let dot = 0;
            for (let k = 0; k < factors; k++) dot += mf.userFactors[u * factors + k] * mf.itemFactors[i * factors + k];
            expect(all[u * mf.numItems + i]).toBeCloseTo(mf.globalBias + mf.userBias[u] + mf.itemBias[i] + dot, 5);
          }
        }
        expect(mf.userBias.length).toBe(mf.numUsers);
        expect(mf.itemBias.length).toBe(mf.numItems);
        // the biases moved: a score without them would differ
        expect(Array.from(mf.itemBias).some((x) => Math.abs(x) > 1e-4)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('learns: on planted data its held-out HR beats chance clearly, and the loss falls', () => {
    const synth = syntheticInteractions({ numUsers: 100, numItems: 120, seed: 5 });
    const { train, test } = leaveOneOut(synth, { by: 'random', seed: 1 });
    const mf = fitMF(train, { factors: 8, epochs: 15, learningRate: 0.05, seed: 2 });
    expect(mf.loss[14]).toBeLessThan(mf.loss[0]);
    const hr = evaluateSampled(mf, test, { k: 10, numNegatives: 50, exclude: train }).hr;
    expect(hr).toBeGreaterThan(0.4); // chance: 10 / 51 = 0.2
  });

  it('is deterministic for a seed and differs across seeds; onEpoch sees the live parameters', () => {
    const synth = syntheticInteractions({ numUsers: 20, numItems: 40, seed: 1 });
    const seen: number[] = [];
    const a = fitMF(synth, { factors: 4, epochs: 2, seed: 1, onEpoch: (e, _l, current) => seen.push(e, current.scoreItems(0, Int32Array.of(0))[0]) });
    const b = fitMF(synth, { factors: 4, epochs: 2, seed: 1 });
    const c = fitMF(synth, { factors: 4, epochs: 2, seed: 2 });
    expect(Array.from(a.userFactors)).toEqual(Array.from(b.userFactors));
    expect(Array.from(a.userFactors)).not.toEqual(Array.from(c.userFactors));
    expect(seen[2]).toBe(2);
    expect(seen[3]).toBe(a.scoreItems(0, Int32Array.of(0))[0]);
  });

  it('property: shuffledEpoch is a seeded permutation of the batches\' examples', () => {
    const exampleArb = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 1 }));
    fc.assert(
      fc.property(fc.array(fc.array(exampleArb, { maxLength: 6 }), { maxLength: 5 }), fc.integer(), (batches, seed) => {
        const asBatch = (xs: [number, number, number][]) => ({ users: Int32Array.from(xs, (x) => x[0]), items: Int32Array.from(xs, (x) => x[1]), labels: Float32Array.from(xs, (x) => x[2]) });
        const all = batches.flat();
        const out = shuffledEpoch(batches.map(asBatch), all.length, seed);
        const again = shuffledEpoch(batches.map(asBatch), all.length, seed);
        const rows = (b: typeof out) => Array.from(b.users, (u, k) => `${u},${b.items[k]},${b.labels[k]}`);
        expect(rows(out).sort()).toEqual(all.map((x) => x.join(',')).sort());
        expect(rows(again)).toEqual(rows(out));
      }),
    );
  });

  it('shuffleExamples: shuffles positives and negatives together, seeded, and still learns', () => {
    const synth = syntheticInteractions({ numUsers: 100, numItems: 120, seed: 5 });
    const { train, test } = leaveOneOut(synth, { by: 'random', seed: 1 });
    const opts = { factors: 8, epochs: 15, learningRate: 0.05, seed: 2 };
    const a = fitMF(train, { ...opts, shuffleExamples: true });
    const b = fitMF(train, { ...opts, shuffleExamples: true });
    const grouped = fitMF(train, opts);
    expect(Array.from(a.userFactors)).toEqual(Array.from(b.userFactors));
    expect(Array.from(a.userFactors)).not.toEqual(Array.from(grouped.userFactors));
    expect(a.options.shuffleExamples).toBe(true);
    expect(grouped.options.shuffleExamples).toBe(false);
    expect(a.loss[14]).toBeLessThan(a.loss[0]);
    expect(evaluateSampled(a, test, { k: 10, numNegatives: 50, exclude: train }).hr).toBeGreaterThan(0.4); // chance 0.2
    expect(() => fitMF(train, { shuffleExamples: 1 as unknown as boolean })).toThrow(/shuffleExamples/);
  });

  it('rejects bad options and says when it diverges', () => {
    const data = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 };
    expect(() => fitMF(data, { learningRate: 0 })).toThrow(/learningRate must be a number in \(0/);
    expect(() => fitMF(data, { negatives: 0 })).toThrow(/negatives must be a positive integer, got 0/);
    expect(() => fitMF(data, { factors: 2, learningRate: 1e150, stddev: 1e100, epochs: 3 })).toThrow(/diverged/);
  });
});
