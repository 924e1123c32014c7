import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { GMF, MLP, NeuMF } from '../models/index.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import { createScorer } from '../scoring/index.js';
import { similarItems } from './similar.js';

beforeAll(() => useBackend('cpu'));

function setTable(model: tf.LayersModel, name: string, rows: number[][]): void {
  const table = tf.tensor2d(rows);
  model.getLayer(name).setWeights([table]);
  table.dispose();
}

function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  return dot / Math.hypot(...a) / Math.hypot(...b);
}

describe('similarItems', () => {
  it('reuses the item vectors between calls and rebuilds them when training or setWeights changes the tables', async () => {
    const model = GMF({ numUsers: 2, numItems: 3, factors: 2, seed: 1 });
    setTable(model, 'mf_embedding_item', [
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const layer = model.getLayer('mf_embedding_item');
    const before = similarItems(model, 0, { k: 2 });
    expect(before.map((r) => r.item)).toEqual([2, 1]);
    // a second call does not read the table again
    const [weights] = layer.getWeights();
    const reads = { count: 0 };
    const original = weights.dataSync.bind(weights);
    weights.dataSync = (() => {
      reads.count++;
      return original();
    }) as typeof weights.dataSync;
    expect(similarItems(model, 0, { k: 2 })).toEqual(before);
    expect(reads.count).toBe(0);
    // new weights (as training writes them): the next call sees them
    setTable(model, 'mf_embedding_item', [
      [1, 0],
      [2, 0],
      [0, 1],
    ]);
    expect(similarItems(model, 0, { k: 2 })).toEqual([
      { item: 1, score: expect.closeTo(1, 6) },
      { item: 2, score: expect.closeTo(0, 6) },
    ]);
    model.dispose();
  });

  it("finds an item's nearest neighbour in a hand-built embedding", () => {
    const model = GMF({ numUsers: 2, numItems: 5, factors: 2, seed: 1 });
    setTable(model, 'mf_embedding_item', [
      [1, 0],
      [0, 1],
      [0.9, 0.1],
      [-1, 0],
      [0, 0],
    ]);
    const result = similarItems(model, 0, { k: 4 });
    expect(result.map((r) => r.item)).toEqual([2, 1, 4, 3]);
    expect(result[0].score).toBeCloseTo(cosine([1, 0], [0.9, 0.1]), 6);
    expect(result[1].score).toBeCloseTo(0, 6);
    expect(result[2].score).toBe(0); // an all-zero embedding is similar to nothing
    expect(result[3].score).toBeCloseTo(-1, 6);
    expect(similarItems(model, 1, { k: 1 })).toEqual([{ item: 2, score: expect.closeTo(cosine([0, 1], [0.9, 0.1]), 6) }]);
    model.dispose();
  });

  it('for a NeuMF, averages the cosines of the GMF and MLP item embeddings (each normalised)', () => {
    const model = NeuMF({ numUsers: 2, numItems: 3, factors: 2, layers: [4, 2], seed: 1 });
    const gmf = [
      [1, 0],
      [1, 1],
      [0, 5],
    ];
    const mlp = [
      [1, 2],
      [-2, 1],
      [2, 4.1],
    ];
    setTable(model, 'mf_embedding_item', gmf);
    setTable(model, 'mlp_embedding_item', mlp);
    const result = similarItems(model, 0, { k: 2 });
    const expected = (j: number) => (cosine(gmf[0], gmf[j]) + cosine(mlp[0], mlp[j])) / 2;
    expect(result.map((r) => r.item)).toEqual(expected(1) > expected(2) ? [1, 2] : [2, 1]);
    for (const { item, score } of result) expect(score).toBeCloseTo(expected(item), 6);
    model.dispose();
  });

  it('excludes the item itself and keeps scores in [-1, 1], for GMF, MLP and NeuMF', () => {
    const models = [
      GMF({ numUsers: 2, numItems: 9, factors: 3, seed: 3 }),
      MLP({ numUsers: 2, numItems: 9, layers: [6, 3], seed: 3 }),
      NeuMF({ numUsers: 2, numItems: 9, factors: 3, layers: [6, 3], seed: 3 }),
    ];
    fc.assert(
      // k runs up to numItems - 1 = 8, every other item: exactly k come back
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 8 }), (m, item, k) => {
        const result = similarItems(models[m], item, { k });
        expect(result.length).toBe(k);
        for (const r of result) {
          expect(r.item).not.toBe(item);
          expect(r.score).toBeGreaterThanOrEqual(-1);
          expect(r.score).toBeLessThanOrEqual(1);
        }
        for (let p = 1; p < result.length; p++) expect(result[p - 1].score).toBeGreaterThanOrEqual(result[p].score);
      }),
      { numRuns: 60 },
    );
    models.forEach((model) => model.dispose());
  });

  it('reads the item embeddings of a custom model and leaks no tensors', () => {
    const user = tf.input({ shape: [1], dtype: 'int32', name: 'user_input' });
    const item = tf.input({ shape: [1], dtype: 'int32', name: 'item_input' });
    const u = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 2, outputDim: 2 }).apply(user)) as tf.SymbolicTensor;
    const itemTable = tf.layers.embedding({ inputDim: 3, outputDim: 2, name: 'my_items' });
    const i = tf.layers.flatten().apply(itemTable.apply(item)) as tf.SymbolicTensor;
    const out = tf.layers.dot({ axes: 1 }).apply([u, i]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [user, item], outputs: out });
    setTable(model, 'my_items', [
      [1, 0],
      [-1, 0.2],
      [1, 0.1],
    ]);
    const before = tf.memory().numTensors;
    expect(similarItems(model, 0, { k: 1 })[0].item).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('similarItems: bad input', () => {
  const model = GMF({ numUsers: 2, numItems: 4, factors: 2, seed: 1 });
  const user = tf.input({ shape: [1], dtype: 'int32', name: 'user_input' });
  const item = tf.input({ shape: [1], name: 'item_input' });
  const u = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 2, outputDim: 1 }).apply(user)) as tf.SymbolicTensor;
  const noItemTable = tf.model({ inputs: [user, item], outputs: tf.layers.add().apply([u, tf.layers.dense({ units: 1 }).apply(item) as tf.SymbolicTensor]) as tf.SymbolicTensor });
  const codeOf = (run: () => unknown): string => {
    try {
      run();
      return 'none';
    } catch (e) {
      return isRecsysError(e) ? e.code : 'other';
    }
  };
  const cases: Array<[string, () => unknown, RecsysErrorCode]> = [
    ['item 4 of 4', () => similarItems(model, 4), 'ITEM_OUT_OF_RANGE'],
    ['item -1', () => similarItems(model, -1), 'ITEM_OUT_OF_RANGE'],
    ['k 0', () => similarItems(model, 0, { k: 0 }), 'INVALID_K'],
    ['k above numItems', () => similarItems(model, 0, { k: 5 }), 'INVALID_K'],
    ['k = numItems (the item itself is left out)', () => similarItems(model, 0, { k: 4 }), 'INVALID_K'],
    ['a Scorer', () => similarItems(createScorer(model) as never, 0), 'UNSUPPORTED_MODEL'],
    ['a model without item embeddings', () => similarItems(noItemTable, 0), 'UNSUPPORTED_MODEL'],
    ['not a model', () => similarItems({} as never, 0), 'INVALID_ARGUMENT'],
  ];
  it.each(cases.map(([name, run, code]) => [`${name} -> ${code}`, run, code] as const))('%s', (_name, run, code) => {
    expect(codeOf(run)).toBe(code);
  });
});
