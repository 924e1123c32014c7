import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { NeuMF } from '../models/index.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { seenItems } from '../data/seen-items.js';
import { createScorer } from '../scoring/index.js';
import { recommend } from './recommend.js';
import { tableScorer } from '../../test/helpers/table-scorer.js';

beforeAll(() => useBackend('cpu'));


const table = [
  [0.1, 0.9, 0.5, 0.9, 0.3, 0.7],
  [0.6, 0.2, 0.8, 0.4, 0.9, 0.1],
];
const scorer = tableScorer(table, { pairs: false });
const train: Interactions = { users: Int32Array.of(0, 1, 0), items: Int32Array.of(1, 4, 5), numUsers: 2, numItems: 6 };

describe('recommend', () => {
  it('returns the best items first, ties by the lower index', () => {
    expect(recommend(scorer, 0, { k: 3 }).map((r) => r.item)).toEqual([1, 3, 5]);
    expect(recommend(scorer, 0, { k: 3 })[0].score).toBeCloseTo(0.9, 6);
  });

  it('never returns excluded items, given as Interactions or as a set', () => {
    expect(recommend(scorer, 0, { k: 3, exclude: train }).map((r) => r.item)).toEqual([3, 2, 4]);
    expect(recommend(scorer, 1, { k: 2, exclude: train }).map((r) => r.item)).toEqual([2, 0]);
    expect(recommend(scorer, 0, { k: 2, exclude: new Set([3, 1]) }).map((r) => r.item)).toEqual([5, 2]);
    expect(recommend(scorer, 0, { k: 2, exclude: [3] }).map((r) => r.item)).toEqual([1, 5]);
  });

  it('indexes an Interactions exclude once per object: later calls agree with a fresh index, and another object is read anew', () => {
    const seen = seenItems(train);
    for (let round = 0; round < 2; round++) {
      for (const user of [0, 1]) expect(recommend(scorer, user, { k: 3, exclude: train })).toEqual(recommend(scorer, user, { k: 3, exclude: seen }));
    }
    const other: Interactions = { users: Int32Array.of(0), items: Int32Array.of(3), numUsers: 2, numItems: 6 };
    expect(recommend(scorer, 0, { k: 2, exclude: other }).map((r) => r.item)).toEqual([1, 5]);
    const bad: Interactions = { users: Int32Array.of(0), items: Int32Array.of(9), numUsers: 2, numItems: 10 };
    expect(() => recommend(scorer, 0, { k: 2, exclude: bad })).toThrow(/9/);
    expect(() => recommend(scorer, 0, { k: 2, exclude: bad })).toThrow(/9/); // a failed check is not remembered
  });

  it('returns fewer than K when fewer items remain, and ranks only the candidates when given', () => {
    expect(recommend(scorer, 0, { k: 6, exclude: [0, 1, 2, 3] }).map((r) => r.item)).toEqual([5, 4]);
    expect(recommend(scorer, 1, { k: 6, candidates: Int32Array.of(5, 3, 5, 0) }).map((r) => r.item)).toEqual([0, 3, 5]);
    expect(recommend(scorer, 1, { k: 1, candidates: Int32Array.of(3, 4), exclude: train })).toEqual([{ item: 3, score: expect.closeTo(0.4, 6) }]);
  });

  it('is sorted, of length min(K, remaining), and free of excluded items for any scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 12 }),
        (levels, k, excluded) => {
          const s = tableScorer([levels.map((l) => l / 5)], { pairs: false });
          const result = recommend(s, 0, { k, exclude: excluded });
          expect(result.length).toBe(Math.min(k, 12 - excluded.length));
          for (const { item } of result) expect(excluded).not.toContain(item);
          for (let p = 1; p < result.length; p++) {
            const [a, b] = [result[p - 1], result[p]];
            expect(a.score > b.score || (a.score === b.score && a.item < b.item)).toBe(true);
          }
          // nothing left out scores above the last one returned
          if (result.length === k) {
            const last = result[result.length - 1].score;
            const chosen = new Set(result.map((r) => r.item));
            levels.forEach((l, item) => {
              if (!chosen.has(item) && !excluded.includes(item)) expect(l / 5).toBeLessThanOrEqual(last);
            });
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('serves a tfjs model with the scores of model.predict, without leaking tensors', () => {
    const model = NeuMF({ numUsers: 3, numItems: 8, factors: 2, layers: [4, 2], seed: 2 });
    const before = tf.memory().numTensors;
    const result = recommend(model, 1, { k: 3, exclude: [0] });
    expect(tf.memory().numTensors).toBe(before);
    const expected = tf.tidy(() =>
      (model.predict([tf.fill([8, 1], 1, 'int32'), tf.range(0, 8, 1, 'int32').reshape([8, 1])]) as tf.Tensor).dataSync(),
    );
    for (const { item, score } of result) expect(score).toBeCloseTo(expected[item], 5);
    const viaScorer = createScorer(model);
    expect(recommend(viaScorer, 1, { k: 3, exclude: [0] })).toEqual(result);
    model.dispose();
  });
});

describe('recommend: bad input', () => {
  const codeOf = (run: () => unknown): string => {
    try {
      run();
      return 'none';
    } catch (e) {
      return isRecsysError(e) ? e.code : 'other';
    }
  };
  const cases: Array<[string, () => unknown, RecsysErrorCode]> = [
    ['user -1', () => recommend(scorer, -1), 'USER_OUT_OF_RANGE'],
    ['user 2 of 2', () => recommend(scorer, 2), 'USER_OUT_OF_RANGE'],
    ['user 0.5', () => recommend(scorer, 0.5), 'USER_OUT_OF_RANGE'],
    ['user "0"', () => recommend(scorer, '0' as never), 'USER_OUT_OF_RANGE'],
    ['k 0', () => recommend(scorer, 0, { k: 0 }), 'INVALID_K'],
    ['k above numItems', () => recommend(scorer, 0, { k: 7 }), 'INVALID_K'],
    ['an excluded item out of range', () => recommend(scorer, 0, { k: 2, exclude: [6] }), 'ITEM_OUT_OF_RANGE'],
    ['an excluded item NaN', () => recommend(scorer, 0, { k: 2, exclude: new Set([NaN]) }), 'ITEM_OUT_OF_RANGE'],
    ['exclude a number', () => recommend(scorer, 0, { k: 2, exclude: 3 as never }), 'INVALID_ARGUMENT'],
    ['a candidate out of range', () => recommend(scorer, 0, { k: 2, candidates: Int32Array.of(1, 9) }), 'ITEM_OUT_OF_RANGE'],
    ['no candidates', () => recommend(scorer, 0, { k: 2, candidates: new Int32Array(0) }), 'EMPTY_INPUT'],
    ['candidates as an array', () => recommend(scorer, 0, { k: 2, candidates: [1] as never }), 'INVALID_ARGUMENT'],
    ['options not an object', () => recommend(scorer, 0, 5 as never), 'INVALID_ARGUMENT'],
    ['not a model', () => recommend({} as never, 0), 'INVALID_ARGUMENT'],
  ];
  it.each(cases.map(([name, run, code]) => [`${name} -> ${code}`, run, code] as const))('%s', (_name, run, code) => {
    expect(codeOf(run)).toBe(code);
  });

  it('names numItems when K is too large', () => {
    expect(() => recommend(scorer, 0, { k: 7 })).toThrow('numItems=6');
  });
});
