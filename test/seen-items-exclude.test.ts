// One per-user index, passed along: every call that takes `exclude` gives the same answer for the
// training Interactions and for the SeenItems index built from them once.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seenItems, type Interactions } from '../src/data/index.js';
import { evaluateFull, evaluateSampled } from '../src/evaluation/index.js';
import { recommend } from '../src/serving/index.js';
import { NegativeSampler } from '../src/sampling/index.js';
import { isRecsysError } from '../src/errors.js';
import { tableScorer } from './helpers/table-scorer.js';

const arbCase = fc
  .record({ numUsers: fc.integer({ min: 1, max: 6 }), numItems: fc.integer({ min: 12, max: 30 }), seed: fc.nat() })
  .chain(({ numUsers, numItems, seed }) =>
    fc.record({
      numUsers: fc.constant(numUsers),
      numItems: fc.constant(numItems),
      seed: fc.constant(seed),
      table: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: numItems, maxLength: numItems }), { minLength: numUsers, maxLength: numUsers }),
      train: fc.array(fc.tuple(fc.nat(numUsers - 1), fc.nat(numItems - 1)), { maxLength: 30 }),
      test: fc.array(fc.tuple(fc.nat(numUsers - 1), fc.nat(numItems - 1)), { minLength: 1, maxLength: 6 }),
    }),
  );

const toData = (pairs: Array<[number, number]>, numUsers: number, numItems: number): Interactions => ({
  users: Int32Array.from(pairs, ([u]) => u),
  items: Int32Array.from(pairs, ([, i]) => i),
  numUsers,
  numItems,
});

/** The value, or the error's code and message: both forms must also fail alike. */
function outcome<T>(run: () => T): T | string {
  try {
    return run();
  } catch (e) {
    return isRecsysError(e) ? `${e.code}: ${e.message}` : String(e);
  }
}

describe('exclude: an Interactions or its SeenItems index', () => {
  it('gives the same evaluation, recommendations and negatives', () => {
    fc.assert(
      fc.property(arbCase, ({ numUsers, numItems, seed, table, train, test }) => {
        const trainData = toData(train, numUsers, numItems);
        const testData = toData(test, numUsers, numItems);
        const seen = seenItems(trainData);
        const scorer = tableScorer(table);
        expect(evaluateFull(scorer, testData, { k: 3, exclude: seen })).toEqual(evaluateFull(scorer, testData, { k: 3, exclude: trainData }));
        const sampled = (exclude: Interactions | typeof seen) =>
          outcome(() => evaluateSampled(scorer, testData, { k: 3, numNegatives: 2, exclude, seed, perPositive: true }));
        expect(sampled(seen)).toEqual(sampled(trainData));
        for (let u = 0; u < numUsers; u++) {
          expect(recommend(scorer, u, { k: 3, exclude: seen })).toEqual(recommend(scorer, u, { k: 3, exclude: trainData }));
        }
        if (train.length > 0) {
          const batches = (exclude: Interactions | typeof seen) => outcome(() => [...new NegativeSampler(trainData, { seed, exclude }).batches({ negativesPerPositive: 2 })]);
          expect(batches(seenItems(testData))).toEqual(batches(testData));
        }
      }),
      { numRuns: 30 },
    );
  });
});
