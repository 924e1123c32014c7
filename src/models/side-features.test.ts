import { beforeAll, describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { codeOf } from '../../test/helpers/recsys-error.js';
import { IdMap } from '../data/id-map.js';
import { featuresFrom } from '../data/features-from.js';
import type { FeatureTable } from '../data/features.js';
import { ncfSpec } from '../ncf/index.js';
import { ensureFastGatherGradient } from '../_lib/gather-gradient.js';
import { GMF } from './gmf.js';
import { MLP } from './mlp.js';
import { NeuMF } from './neumf.js';
import { inspectModel } from './inspect.js';
import { INDEX_PAD } from './feature-pool.js';

beforeAll(() => useBackend('cpu'));

/** A table of `n` items whose `genre` values are given per item as value numbers (each < numValues). */
function genreTable(perItem: readonly (readonly number[])[]): FeatureTable {
  const ids = IdMap.fromIds(perItem.map((_, i) => `i${i}`), { kind: 'item' });
  return featuresFrom(
    perItem.map((values, i) => ({ id: `i${i}`, genre: values.map((v) => `g${v}`) })),
    { fields: ['genre'], ids },
  );
}

function predict(model: tf.LayersModel, users: number[], items: number[]): Float32Array {
  return tf.tidy(() => {
    const out = model.predict([tf.tensor2d(users, [users.length, 1], 'int32'), tf.tensor2d(items, [items.length, 1], 'int32')]) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

/** The rows of a layer's first weight, as nested arrays. */
function rows(model: tf.LayersModel, layer: string, index = 0): number[][] {
  return model.getLayer(layer).getWeights()[index].arraySync() as number[][];
}

describe('models with side features', () => {
  it('without fields, every builder gives exactly the plain model (same layers, same weights for a seed)', () => {
    const table = genreTable([[0], [1], [0, 1]]);
    for (const build of [
      (extra: object) => GMF({ numUsers: 4, numItems: 3, factors: 3, seed: 7, ...extra }),
      (extra: object) => MLP({ numUsers: 4, numItems: 3, layers: [8, 4], seed: 7, ...extra }),
      (extra: object) => NeuMF({ numUsers: 4, numItems: 3, factors: 3, layers: [8, 4], seed: 7, ...extra }),
    ]) {
      const plain = build({});
      const none = build({ itemFeatures: table, itemFields: [] });
      const withFields = build({ itemFeatures: table });
      expect(none.layers.map((l) => l.name)).toEqual(plain.layers.map((l) => l.name));
      expect(JSON.stringify(none.toJSON(null, false))).toEqual(JSON.stringify(plain.toJSON(null, false)));
      const a = plain.getWeights().map((w) => Array.from(w.dataSync()));
      expect(none.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(a);
      // the id tables and dense layers of the feature model are the plain model's too (seed streams apart)
      for (const w of ncfSpec(inspectModel(plain)!).weights) {
        expect(Array.from(withFields.getLayer(w.layer).getWeights()[w.index].dataSync())).toEqual(
          Array.from(plain.getLayer(w.layer).getWeights()[w.index].dataSync()),
        );
      }
      expect(inspectModel(none)?.features).toBeUndefined();
      for (const m of [plain, none, withFields]) m.dispose();
    }
  });

  it('inspectModel lists the fields, and the spec lists their tables and indexes (one list for both)', () => {
    const table = genreTable([[0], [1, 2], []]);
    const model = NeuMF({ numUsers: 2, numItems: 3, factors: 2, layers: [4, 2], itemFeatures: table });
    const arch = inspectModel(model);
    expect(arch?.features).toEqual({ item: [{ name: 'genre', rows: 4, maxValues: 2 }] });
    const extra = ncfSpec(arch!).weights.filter((w) => 'source' in w && w.source === 'feature').map((w) => [w.layer, w.index, w.role, w.shape]);
    expect(extra).toEqual([
      ['mf_item_feature0', 0, 'table', [4, 2]],
      ['mf_item_feature0', 1, 'index', [3, 2]],
      ['mlp_item_feature0', 0, 'table', [4, 2]],
      ['mlp_item_feature0', 1, 'index', [3, 2]],
    ]);
    expect(rows(model, 'mf_item_feature0', 1)).toEqual([
      [1, INDEX_PAD],
      [2, 3],
      [INDEX_PAD, INDEX_PAD],
    ]);
    model.dispose();
  });

  it('the item vector is the id row plus the mean of its value rows (property, random tables)', () => {
    const arb = fc.record({
      numValues: fc.integer({ min: 1, max: 5 }),
      perItem: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      factors: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(arb, ({ numValues, perItem, factors }) => {
        const items = perItem.map((vs) => vs.map((v) => v % numValues)).map((vs) => [...new Set(vs)]);
        const table = genreTable(items);
        const model = GMF({ numUsers: 1, numItems: items.length, factors, itemFeatures: table, seed: 3 });
        // user vector all ones and prediction w = 1, b = 0: the score is sigmoid(sum of the item vector)
        model.getLayer('mf_embedding_user').setWeights([tf.ones([1, factors])]);
        model.getLayer('prediction').setWeights([tf.ones([factors, 1]), tf.zeros([1])]);
        const id = rows(model, 'mf_embedding_item');
        const field = rows(model, 'mf_item_feature0');
        const got = predict(model, items.map(() => 0), items.map((_, i) => i));
        items.forEach((_, i) => {
          const valueRows = Array.from(table.rowsOf('genre', i));
          let sum = 0;
          for (let d = 0; d < factors; d++) {
            const mean = valueRows.length === 0 ? 0 : valueRows.reduce((s, r) => s + field[r][d], 0) / valueRows.length;
            sum += id[i][d] + mean;
          }
          expect(got[i]).toBeCloseTo(1 / (1 + Math.exp(-sum)), 6);
        });
        model.dispose();
      }),
      { numRuns: 25 },
    );
  });

  it('a training step changes exactly the feature rows of the batch items, and never the index', () => {
    ensureFastGatherGradient();
    const table = genreTable([[0], [1, 2], [3], [2]]);
    const model = NeuMF({ numUsers: 2, numItems: 4, factors: 2, layers: [4, 2], itemFeatures: table, seed: 1 });
    // a live ReLU (positive kernel and bias), so the MLP block passes gradients for every item
    model.getLayer('mlp_layer1').setWeights([tf.fill([4, 2], 0.5), tf.ones([2])]);
    const before = { gmf: rows(model, 'mf_item_feature0'), mlp: rows(model, 'mlp_item_feature0'), index: rows(model, 'mf_item_feature0', 1) };
    const optimizer = tf.train.sgd(0.5);
    const users = tf.tensor2d([[0], [1]], [2, 1], 'int32');
    const items = tf.tensor2d([[1], [3]], [2, 1], 'int32'); // value rows 2, 3 (item 1) and 3 (item 3)
    const labels = tf.tensor2d([[1], [0]]);
    optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(labels, model.apply([users, items]) as tf.Tensor) as tf.Scalar);
    for (const block of ['gmf', 'mlp'] as const) {
      const after = rows(model, block === 'gmf' ? 'mf_item_feature0' : 'mlp_item_feature0');
      const changed = after.map((row, r) => row.some((v, d) => v !== before[block][r][d]));
      expect(changed).toEqual([false, false, true, true, false]);
    }
    expect(rows(model, 'mf_item_feature0', 1)).toEqual(before.index);
    tf.dispose([users, items, labels]);
    optimizer.dispose();
    model.dispose();
  });

  it('user features work the same way, and fields can be chosen', () => {
    const users = IdMap.fromIds(['a', 'b'], { kind: 'user' });
    const table = featuresFrom(
      [
        { id: 'a', age: 20, gender: 'F' },
        { id: 'b', age: 30, gender: 'M' },
      ],
      { fields: ['age', 'gender'], ids: users, kind: 'user' },
    );
    const model = MLP({ numUsers: 2, numItems: 3, layers: [4, 2], userFeatures: table, userFields: ['gender'] });
    expect(inspectModel(model)?.features).toEqual({ user: [{ name: 'gender', rows: 3, maxValues: 1 }] });
    expect(model.getLayer('mlp_user_sum').getClassName()).toBe('Add');
    model.dispose();
  });

  it('rejects a table of the wrong size, side or field, naming it', () => {
    const table = genreTable([[0], [1]]);
    expect(codeOf(() => GMF({ numUsers: 2, numItems: 3, itemFeatures: table }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => GMF({ numUsers: 2, numItems: 2, userFeatures: table }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 2, numItems: 2, itemFeatures: table, itemFields: ['brand'] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 2, numItems: 2, itemFields: ['genre'] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 2, numItems: 2, itemFeatures: {} as FeatureTable }))).toBe('INVALID_ARGUMENT');
  });
});
