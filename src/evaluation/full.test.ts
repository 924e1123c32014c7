import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { GMF } from '../models/index.js';
import { topKMetrics } from '../metrics/index.js';
import { mulberry32 } from '../_lib/random.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { evaluateFull } from './index.js';
import { createScorer } from '../scoring/index.js';
import { tableScorer } from '../../test/helpers/table-scorer.js';

beforeAll(() => useBackend('cpu'));


function interactions(pairs: Array<[number, number]>, numUsers: number, numItems: number): Interactions {
  return { users: Int32Array.from(pairs, ([u]) => u), items: Int32Array.from(pairs, ([, i]) => i), numUsers, numItems };
}

/**
 * The reference: for each user with held-out items, sort every non-excluded item by score
 * descending, ties putting held-out items last (pessimistic) or first (optimistic), then by index,
 * and read the metrics off that list with topKMetrics.
 */
function bruteForce(table: number[][], test: Interactions, train: Interactions, k: number, ties: 'pessimistic' | 'optimistic') {
  const sums = { hr: 0, ndcg: 0, recall: 0, precision: 0, map: 0, mrr: 0 };
  let users = 0;
  for (let u = 0; u < table.length; u++) {
    const relevant = new Set<number>();
    test.users.forEach((v, j) => v === u && relevant.add(test.items[j]));
    if (relevant.size === 0) continue;
    const seen = new Set<number>();
    train.users.forEach((v, j) => v === u && !relevant.has(train.items[j]) && seen.add(train.items[j]));
    const order = table[u]
      .map((score, item) => ({ score: Math.fround(score), item, rel: relevant.has(item) ? 1 : 0 }))
      .filter(({ item }) => !seen.has(item))
      .sort((a, b) => b.score - a.score || (ties === 'pessimistic' ? a.rel - b.rel : b.rel - a.rel) || a.item - b.item);
    const m = topKMetrics(Int32Array.from(order, (o) => o.item), [...relevant], k);
    for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += m[key];
    users++;
  }
  return { users, hr: sums.hr / users, ndcg: sums.ndcg / users, recall: sums.recall / users, precision: sums.precision / users, map: sums.map / users, mrr: sums.mrr / users };
}

describe('evaluateFull', () => {
  it('removes training items from the ranking, but never a held-out item', () => {
    // user 0: train items 0 and 1 score highest; the held-out item 2 is next -> rank 1 once they are removed
    const table = [[0.9, 0.8, 0.7, 0.6, 0.1]];
    const test = interactions([[0, 2]], 1, 5);
    const train = interactions([[0, 0], [0, 1]], 1, 5);
    expect(evaluateFull(tableScorer(table, { pairs: false }), test, { exclude: train, k: 1 }).hr).toBe(1);
    expect(evaluateFull(tableScorer(table, { pairs: false }), test, { k: 1 }).hr).toBe(0);
    expect(evaluateFull(tableScorer(table, { pairs: false }), test, { k: 3 }).ndcg).toBeCloseTo(0.5, 12); // rank 3
    // item 0 both in train and held out: it stays and is found at rank 1
    const both = interactions([[0, 0], [0, 1]], 1, 5);
    const result = evaluateFull(tableScorer(table, { pairs: false }), interactions([[0, 0]], 1, 5), { exclude: both, k: 1 });
    expect(result).toMatchObject({ protocol: 'full', users: 1, hr: 1, mrr: 1, precision: 1, recall: 1, map: 1 });
  });

  it('counts ties against the held-out items by default', () => {
    const table = [[0.5, 0.5, 0.5, 0.5]];
    const test = interactions([[0, 3]], 1, 4);
    expect(evaluateFull(tableScorer(table, { pairs: false }), test, { k: 3 }).hr).toBe(0);
    expect(evaluateFull(tableScorer(table, { pairs: false }), test, { k: 3, ties: 'optimistic' }).hr).toBe(1);
  });

  it('matches a brute-force reference on random data (several held-out items per user, ties, exclusions)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom<'pessimistic' | 'optimistic'>('pessimistic', 'optimistic'),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 5, max: 40 }),
        (seed, k, ties, batchUsers, testPairs) => {
          const numUsers = 7;
          const numItems = 25;
          const random = mulberry32(seed);
          const table = Array.from({ length: numUsers }, () => Array.from({ length: numItems }, () => Math.floor(random() * 6) / 6));
          const pick = (n: number) => Array.from({ length: n }, (): [number, number] => [Math.floor(random() * numUsers), Math.floor(random() * numItems)]);
          // 5-40 test pairs: users with 1-4 held-out items (the one-pass path), 5-8 (rankOf) and,
          // near 40, more than 8 (the sorted path)
          const test = interactions(pick(testPairs), numUsers, numItems);
          const train = interactions(pick(60), numUsers, numItems);
          const expected = bruteForce(table, test, train, k, ties);
          const actual = evaluateFull(tableScorer(table, { pairs: false }), test, { exclude: train, k, ties, batchUsers });
          expect(actual.users).toBe(expected.users);
          for (const key of ['hr', 'ndcg', 'recall', 'precision', 'map', 'mrr'] as const) expect(actual[key]).toBeCloseTo(expected[key], 10);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('evaluates only the users asked for, and reports progress per chunk', () => {
    const table = [
      [0.9, 0.1, 0.2],
      [0.1, 0.9, 0.2],
      [0.3, 0.2, 0.1],
    ];
    const test = interactions([[0, 0], [1, 0], [2, 0]], 3, 3);
    const progress: Array<[number, number]> = [];
    const result = evaluateFull(tableScorer(table, { pairs: false }), test, { k: 1, users: Int32Array.of(1, 0, 1), batchUsers: 1, onProgress: (d, t) => progress.push([d, t]) });
    expect(result).toMatchObject({ users: 2, skippedUsers: 0, hr: 0.5 });
    expect(progress).toEqual([[1, 2], [2, 2]]);
    const noTest = interactions([[0, 0]], 3, 3);
    expect(evaluateFull(tableScorer(table, { pairs: false }), noTest, { k: 1, users: Int32Array.of(0, 2) })).toMatchObject({ users: 1, skippedUsers: 1 });
  });

  it('scores a tfjs model in chunks without leaking tensors, as its scorer does', () => {
    const model = GMF({ numUsers: 9, numItems: 12, factors: 3, seed: 4 });
    const random = mulberry32(3);
    const test = interactions(Array.from({ length: 15 }, () => [Math.floor(random() * 9), Math.floor(random() * 12)]), 9, 12);
    const before = tf.memory().numTensors;
    const viaModel = evaluateFull(model, test, { k: 4, batchUsers: 2 });
    const generic = createScorer(model, { fast: false, chunkSize: 10 });
    const viaPredict = evaluateFull(generic, test, { k: 4, batchUsers: 3 });
    generic.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(viaModel.ndcg).toBeCloseTo(viaPredict.ndcg, 5);
    expect(viaModel.recall).toBeCloseTo(viaPredict.recall, 5);
    model.dispose();
  });
});

describe('evaluateFull: bad input', () => {
  const scorer = tableScorer([
    [0.1, 0.2, 0.3, 0.4],
    [0.4, 0.3, 0.2, 0.1],
  ], { pairs: false });
  const test = interactions([[0, 1], [1, 2]], 2, 4);
  const codeOf = (run: () => unknown): string => {
    try {
      run();
      return 'none';
    } catch (e) {
      return isRecsysError(e) ? e.code : 'other';
    }
  };
  const cases: Array<[string, () => unknown, RecsysErrorCode]> = [
    ['k 0', () => evaluateFull(scorer, test, { k: 0 }), 'INVALID_K'],
    ['k above numItems', () => evaluateFull(scorer, test, { k: 5 }), 'INVALID_K'],
    ['ties average', () => evaluateFull(scorer, test, { k: 2, ties: 'average' }), 'INVALID_ARGUMENT'],
    ['empty test', () => evaluateFull(scorer, interactions([], 2, 4), { k: 2 }), 'EMPTY_INPUT'],
    ['a test user beyond the model', () => evaluateFull(scorer, interactions([[2, 0]], 3, 4), { k: 2 }), 'USER_OUT_OF_RANGE'],
    ['a test item beyond the model', () => evaluateFull(scorer, interactions([[0, 4]], 2, 5), { k: 2 }), 'ITEM_OUT_OF_RANGE'],
    ['an exclude item beyond the model', () => evaluateFull(scorer, test, { k: 2, exclude: interactions([[0, 7]], 2, 8) }), 'ITEM_OUT_OF_RANGE'],
    ['a malformed test', () => evaluateFull(scorer, { ...test, items: Int32Array.of(1) }, { k: 2 }), 'LENGTH_MISMATCH'],
    ['users option out of range', () => evaluateFull(scorer, test, { k: 2, users: Int32Array.of(5) }), 'USER_OUT_OF_RANGE'],
    ['users without held-out items', () => evaluateFull(scorer, interactions([[0, 1]], 2, 4), { k: 2, users: Int32Array.of(1) }), 'EMPTY_INPUT'],
    ['batchUsers 0', () => evaluateFull(scorer, test, { k: 2, batchUsers: 0 }), 'INVALID_SIZE'],
    ['onProgress not a function', () => evaluateFull(scorer, test, { k: 2, onProgress: 3 as never }), 'INVALID_ARGUMENT'],
    ['a NaN score', () => evaluateFull(tableScorer([[NaN, 0.1]], { pairs: false }), interactions([[0, 1]], 1, 2), { k: 1 }), 'NOT_FINITE'],
  ];
  it.each(cases.map(([name, run, code]) => [`${name} -> ${code}`, run, code] as const))('%s', (_name, run, code) => {
    expect(codeOf(run)).toBe(code);
  });
});
