import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { NeuMF } from '../models/index.js';
import { rankOf } from '../metrics/index.js';
import { mulberry32 } from '../_lib/random.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import { evaluateSampled } from './index.js';
import { createScorer } from '../scoring/index.js';
import { tableScorer } from '../../test/helpers/table-scorer.js';

beforeAll(() => useBackend('cpu'));

/** A Scorer over a fixed score table `table[user][item]`, recording the pairs it was asked for. */

function randomTable(numUsers: number, numItems: number, seed: number, levels = 0): number[][] {
  const random = mulberry32(seed);
  // levels > 0 quantises the scores so that ties occur. Scores are float32, as a Scorer returns them:
  // two float64 draws 1 ulp(float32) apart tie once stored, and a float64 reference then ranks differently.
  const draw = () => Math.fround(levels > 0 ? Math.floor(random() * levels) / levels : random());
  return Array.from({ length: numUsers }, () => Array.from({ length: numItems }, draw));
}

function codeOf(run: () => unknown): RecsysErrorCode | 'none' | 'other' {
  try {
    run();
    return 'none';
  } catch (e) {
    return isRecsysError(e) ? e.code : 'other';
  }
}

describe('evaluateSampled with listed negatives', () => {
  // user 0: positive 0 (0.9) vs 0.95, 0.5, 0.1 -> rank 2; user 1: positive 4 (0.3) vs 0.8, 0.7, 0.1 -> rank 3
  const table = [
    [0.9, 0.95, 0.5, 0.1, 0.2],
    [0.8, 0.7, 0.1, 0.6, 0.3],
  ];
  const test = { users: Int32Array.of(0, 1), items: Int32Array.of(0, 4), negatives: [Int32Array.of(1, 2, 3), Int32Array.of(0, 1, 2)] };

  it('gives hand-computed HR, NDCG and MRR', () => {
    const result = evaluateSampled(tableScorer(table), test, { k: 2, perPositive: true });
    expect(result.protocol).toBe('sampled');
    expect(result.hr).toBeCloseTo(0.5, 12);
    expect(result.ndcg).toBeCloseTo(1 / Math.log2(3) / 2, 6);
    expect(result.mrr).toBeCloseTo(0.25, 12);
    expect(Array.from(result.perPositive!.rank)).toEqual([2, 3]);
    expect(Array.from(result.perPositive!.hr)).toEqual([1, 0]);
    expect(result).toMatchObject({ k: 2, ties: 'pessimistic', negativeSource: 'listed', positives: 2, users: 2 });
    expect(result.negativesPerPositive).toEqual({ min: 3, max: 3 });
    expect(result.description).toMatch(/2 positives each ranked against 3 listed negatives.*@2.*pessimistic/);
    // K = 3 reaches user 1's positive
    expect(evaluateSampled(tableScorer(table), test, { k: 3 }).hr).toBe(1);
  });

  it('skips a listed negative that is the positive itself', () => {
    const withSelf = { ...test, negatives: [Int32Array.of(1, 0, 2, 3), Int32Array.of(0, 1, 4, 2)] };
    const result = evaluateSampled(tableScorer(table), withSelf, { k: 2, perPositive: true });
    expect(Array.from(result.perPositive!.rank)).toEqual([2, 3]);
    expect(result.selfListedSkipped).toBe(2);
    expect(result.negativesPerPositive).toEqual({ min: 3, max: 3 });
  });

  it('counts ties against the positive by default: a constant model gets HR@10 = 0 against 99 negatives', () => {
    const constant = [Array.from({ length: 100 }, () => 0.5)];
    const flat = { users: Int32Array.of(0), items: Int32Array.of(0), negatives: [Int32Array.from({ length: 99 }, (_, n) => n + 1)] };
    expect(evaluateSampled(tableScorer(constant), flat).hr).toBe(0);
    expect(evaluateSampled(tableScorer(constant), flat, { ties: 'optimistic' }).hr).toBe(1);
    const average = evaluateSampled(tableScorer(constant), flat, { ties: 'average', perPositive: true });
    expect(average.perPositive!.rank[0]).toBe(50.5);
    expect(average.hr).toBe(0);
  });

  it('reports lists of different lengths', () => {
    const uneven = { ...test, negatives: [Int32Array.of(1), Int32Array.of(0, 1, 2)] };
    const result = evaluateSampled(tableScorer(table), uneven, { k: 1 });
    expect(result.negativesPerPositive).toEqual({ min: 1, max: 3 });
    expect(result.description).toMatch(/1 to 3 listed negatives/);
  });

  it('matches a rankOf reference over many chunks, with or without scorePairs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 4), (seed, levels) => {
        const numUsers = 30;
        const numItems = 120;
        const table = randomTable(numUsers, numItems, seed, levels);
        const random = mulberry32(seed + 1);
        const count = 500; // 500 x 100 candidates > one chunk
        const users = Int32Array.from({ length: count }, () => Math.floor(random() * numUsers));
        const items = Int32Array.from({ length: count }, () => Math.floor(random() * numItems));
        const negatives = Array.from({ length: count }, () => Int32Array.from({ length: 60 + Math.floor(random() * 40) }, () => Math.floor(random() * numItems)));
        let hr = 0;
        let ndcg = 0;
        for (let j = 0; j < count; j++) {
          const others = Array.from(negatives[j]).filter((i) => i !== items[j]).map((i) => table[users[j]][i]);
          const rank = rankOf(table[users[j]][items[j]], others);
          if (rank <= 10) {
            hr += 1;
            ndcg += 1 / Math.log2(rank + 1);
          }
        }
        for (const pairs of [true, false]) {
          const result = evaluateSampled(tableScorer(table, { pairs }), { users, items, negatives });
          expect(result.hr).toBeCloseTo(hr / count, 10);
          expect(result.ndcg).toBeCloseTo(ndcg / count, 6);
        }
      }),
      { numRuns: 8 },
    );
  });
});

describe('evaluateSampled with sampled negatives', () => {
  const numItems = 40;
  const table = randomTable(3, numItems, 5);
  const test = { users: Int32Array.of(0, 0, 1, 2), items: Int32Array.of(3, 7, 9, 0), numUsers: 3, numItems };
  const train = { users: Int32Array.of(0, 0, 1, 2, 2), items: Int32Array.of(1, 2, 3, 4, 5), numUsers: 3, numItems };

  it('draws distinct negatives that are never a test positive or an excluded item of the user', () => {
    const scorer = tableScorer(table);
    const result = evaluateSampled(scorer, test, { negatives: 20, exclude: train, seed: 3 });
    expect(result).toMatchObject({ negativeSource: 'sampled', negativesPerPositive: { min: 20, max: 20 }, positives: 4, users: 3 });
    // the scorer saw each row: the positive, then its 20 negatives
    expect(scorer.asked.length).toBe(4 * 21);
    const forbidden = [new Set([3, 7, 1, 2]), new Set([9, 3]), new Set([0, 4, 5])];
    for (let j = 0; j < 4; j++) {
      const row = scorer.asked.slice(j * 21, (j + 1) * 21);
      expect(row[0]).toEqual([test.users[j], test.items[j]]);
      const drawn = row.slice(1).map(([, item]) => item);
      expect(new Set(drawn).size).toBe(20);
      for (const item of drawn) expect(forbidden[test.users[j]].has(item)).toBe(false);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const run = (seed: number) => {
      const scorer = tableScorer(table);
      evaluateSampled(scorer, test, { negatives: 10, seed, exclude: 'none' });
      return scorer.asked;
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('takes every remaining candidate when a user has just enough', () => {
    // user 0 has 2 test positives and 2 excluded items: 36 candidates left
    const scorer = tableScorer(table);
    evaluateSampled(scorer, test, { negatives: 36, exclude: train });
    const drawn = new Set(scorer.asked.slice(1, 37).map(([, item]) => item));
    expect(drawn.size).toBe(36);
  });

  it('refuses to sample more negatives than a user has candidates', () => {
    expect(() => evaluateSampled(tableScorer(table), test, { negatives: 37, exclude: train })).toThrow(
      /user 0 \(test position 0\) has only 36 items .* fewer than negatives = 37/,
    );
    expect(codeOf(() => evaluateSampled(tableScorer(table), test, { negatives: 37, exclude: train }))).toBe('NO_NEGATIVES');
  });

  it("needs an explicit exclude: the training data, or 'none' on purpose", () => {
    const run = (options: object) => () => evaluateSampled(tableScorer(table), test, options);
    expect(codeOf(run({ negatives: 20 }))).toBe('INVALID_ARGUMENT');
    expect(run({ negatives: 20 })).toThrow(/^exclude is undefined, so evaluateSampled would sample negatives = 20 per positive .* pass exclude: train .* exclude: 'none'/);
    expect(codeOf(run({}))).toBe('INVALID_ARGUMENT');
    expect(run({})).toThrow('negatives = 99');
    // 'none' samples among every item but the user's test positives (so a train item may be drawn)
    const scorer = tableScorer(table);
    evaluateSampled(scorer, test, { negatives: 36, exclude: 'none', seed: 2 });
    const drawn = new Set(scorer.asked.slice(1, 37).map(([, item]) => item));
    expect(drawn.has(1) || drawn.has(2)).toBe(true);
    expect(drawn.has(3) || drawn.has(7)).toBe(false);
    // a misspelt opt-out is not taken for 'none'
    expect(codeOf(run({ exclude: 'None' }))).toBe('INVALID_ARGUMENT');
  });

  it('accepts numNegatives, the deprecated name of negatives: the same draws; both names when they agree; refused when they differ', () => {
    const ranks = (options: object) => Array.from(evaluateSampled(tableScorer(table), test, { exclude: train, seed: 4, perPositive: true, ...options }).perPositive!.rank);
    const current = ranks({ negatives: 12 });
    expect(ranks({ numNegatives: 12 })).toEqual(current);
    expect(ranks({ negatives: 12, numNegatives: 12 })).toEqual(current);
    const both = () => evaluateSampled(tableScorer(table), test, { exclude: train, negatives: 12, numNegatives: 13 });
    expect(codeOf(both)).toBe('INVALID_ARGUMENT');
    expect(both).toThrow('negatives = 12 and numNegatives = 13 disagree');
    expect(() => evaluateSampled(tableScorer(table), test, { exclude: train, numNegatives: 0 })).toThrow('numNegatives must be a positive integer, got 0');
  });
});

describe('evaluateSampled with a test set that lists its negatives', () => {
  const table = randomTable(2, 12, 4);
  const listed = { users: Int32Array.of(0, 1), items: Int32Array.of(0, 1), negatives: [Int32Array.of(2, 3), Int32Array.of(4, 5)], numUsers: 2, numItems: 12 };

  it('ranks against the listed negatives, with or without exclude (which it does not need)', () => {
    const a = evaluateSampled(tableScorer(table), listed, { k: 1, perPositive: true });
    const b = evaluateSampled(tableScorer(table), listed, { k: 1, perPositive: true, exclude: listed });
    expect(a.negativeSource).toBe('listed');
    expect(Array.from(a.perPositive!.rank)).toEqual(Array.from(b.perPositive!.rank));
    expect(a.perPositive!.rank[0]).toBe(1 + [2, 3].filter((i) => table[0][i] >= table[0][0]).length);
  });

  it('refuses negatives (or its deprecated name numNegatives) and seed, which only sampling uses, naming the value', () => {
    for (const [name, value] of [['negatives', 50], ['numNegatives', 50], ['seed', 7]] as const) {
      const run = () => evaluateSampled(tableScorer(table), listed, { [name]: value, exclude: listed });
      expect(codeOf(run)).toBe('INVALID_ARGUMENT');
      expect(run).toThrow(`${name} = ${value} applies only to sampled negatives`);
    }
  });
});

describe('evaluateSampled on a tfjs model', () => {
  it('gives the same result through the fast and the predict scorers, and leaks no tensors', () => {
    const model = NeuMF({ numUsers: 6, numItems: 30, factors: 4, layers: [8, 4], seed: 1 });
    const fresh = model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', i));
    model.setWeights(fresh);
    tf.dispose(fresh);
    const test = { users: Int32Array.of(0, 1, 2, 3, 4, 5), items: Int32Array.of(0, 5, 10, 15, 20, 25), numUsers: 6, numItems: 30 };
    const before = tf.memory().numTensors;
    const viaModel = evaluateSampled(model, test, { negatives: 20, perPositive: true, k: 5, exclude: 'none' });
    const generic = createScorer(model, { fast: false });
    const viaPredict = evaluateSampled(generic, test, { negatives: 20, perPositive: true, k: 5, exclude: 'none' });
    generic.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(viaModel.perPositive!.rank)).toEqual(Array.from(viaPredict.perPositive!.rank));
    model.dispose();
  });
});

describe('evaluateSampled: bad input', () => {
  const table = randomTable(2, 12, 1);
  const scorer = tableScorer(table);
  const ok = { users: Int32Array.of(0, 1), items: Int32Array.of(0, 4), negatives: [Int32Array.of(1, 2), Int32Array.of(0, 1)] };
  const cases: Array<[string, () => unknown, RecsysErrorCode]> = [
    ['user 2 of 2', () => evaluateSampled(scorer, { ...ok, users: Int32Array.of(0, 2) }), 'USER_OUT_OF_RANGE'],
    ['item -1', () => evaluateSampled(scorer, { ...ok, items: Int32Array.of(-1, 4) }), 'ITEM_OUT_OF_RANGE'],
    ['negative 12 of 12', () => evaluateSampled(scorer, { ...ok, negatives: [Int32Array.of(1), Int32Array.of(12)] }), 'ITEM_OUT_OF_RANGE'],
    ['k 0', () => evaluateSampled(scorer, ok, { k: 0 }), 'INVALID_K'],
    ['k 2.5', () => evaluateSampled(scorer, ok, { k: 2.5 }), 'INVALID_K'],
    ['k above numItems', () => evaluateSampled(scorer, ok, { k: 13 }), 'INVALID_K'],
    ['empty test', () => evaluateSampled(scorer, { users: new Int32Array(0), items: new Int32Array(0) }), 'EMPTY_INPUT'],
    ['users and items of different lengths', () => evaluateSampled(scorer, { ...ok, items: Int32Array.of(0) }), 'LENGTH_MISMATCH'],
    ['one negative list for two positives', () => evaluateSampled(scorer, { ...ok, negatives: [Int32Array.of(1)] }), 'LENGTH_MISMATCH'],
    ['a list holding only the positive', () => evaluateSampled(scorer, { ...ok, negatives: [Int32Array.of(0, 0), Int32Array.of(1)] }), 'NO_NEGATIVES'],
    ['an empty list', () => evaluateSampled(scorer, { ...ok, negatives: [new Int32Array(0), Int32Array.of(1)] }), 'NO_NEGATIVES'],
    ['plain arrays', () => evaluateSampled(scorer, { users: [0], items: [1] } as never), 'INVALID_ARGUMENT'],
    ['ties "random"', () => evaluateSampled(scorer, ok, { ties: 'random' as never }), 'INVALID_ARGUMENT'],
    ['negatives 0', () => evaluateSampled(scorer, { users: ok.users, items: ok.items }, { negatives: 0, exclude: 'none' }), 'INVALID_ARGUMENT'],
    ['seed NaN', () => evaluateSampled(scorer, { users: ok.users, items: ok.items }, { negatives: 1, seed: NaN, exclude: 'none' }), 'INVALID_ARGUMENT'],
    ['a model that is neither', () => evaluateSampled({} as never, ok), 'INVALID_ARGUMENT'],
    ['a NaN score', () => evaluateSampled(tableScorer([[NaN, 1, 2, 3, 4]]), { users: Int32Array.of(0), items: Int32Array.of(0), negatives: [Int32Array.of(1)] }, { k: 1 }), 'NOT_FINITE'],
  ];
  it.each(cases.map(([name, run, code]) => [`${name} -> ${code}`, run, code] as const))('%s', (_name, run, code) => {
    expect(codeOf(run)).toBe(code);
  });

  it('names the bad position', () => {
    expect(() => evaluateSampled(scorer, { ...ok, users: Int32Array.of(0, 7) })).toThrow('test.users[1] = 7');
    expect(() => evaluateSampled(scorer, { ...ok, negatives: [Int32Array.of(1), Int32Array.of(0, 99)] })).toThrow('test.negatives[1][1] = 99');
  });
});
