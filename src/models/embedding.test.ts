import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { Embedding } from './embedding.js';
import { IdMap } from '../data/id-map.js';
import { featuresFrom } from '../data/features-from.js';
import { codeOf } from '../../test/helpers/recsys-error.js';

beforeAll(() => useBackend('cpu'));


describe('Embedding', () => {
  it('turns [batch, 1] indices into [batch, outputDim] vectors, one table row each', () => {
    const x = tf.input({ shape: [1], dtype: 'int32' });
    const block = Embedding({ inputDim: 5, outputDim: 3, name: 'things' });
    const y = block.apply(x);
    expect(y.shape).toEqual([null, 3]);
    const model = tf.model({ inputs: x, outputs: y });
    const table = block.embedding.getWeights()[0].arraySync() as number[][];
    const out = tf.tidy(() => (model.predict(tf.tensor2d([4, 0, 4], [3, 1], 'int32')) as tf.Tensor).arraySync()) as number[][];
    expect(out).toEqual([table[4], table[0], table[4]]);
    expect(block.embedding.getClassName()).toBe('Embedding');
    expect(block.flatten.getClassName()).toBe('Flatten');
    expect(block.embedding.name).toBe('things');
    expect(block.flatten.name).toBe('things_flatten');
    model.dispose();
  });

  it('shares one table between calls of apply', () => {
    const u = tf.input({ shape: [1], dtype: 'int32' });
    const v = tf.input({ shape: [1], dtype: 'int32' });
    const block = Embedding({ inputDim: 4, outputDim: 2 });
    const model = tf.model({ inputs: [u, v], outputs: tf.layers.concatenate().apply([block.apply(u), block.apply(v)]) as tf.SymbolicTensor });
    expect(model.getWeights().length).toBe(1);
    model.dispose();
  });

  it('uses the given initializer and L2 penalty', () => {
    const block = Embedding({ inputDim: 3, outputDim: 2, l2: 0.5, initializer: tf.initializers.ones() });
    const x = tf.input({ shape: [1], dtype: 'int32' });
    const model = tf.model({ inputs: x, outputs: block.apply(x) });
    expect(block.embedding.getWeights()[0].arraySync()).toEqual([[1, 1], [1, 1], [1, 1]]);
    const config = block.embedding.getConfig() as { embeddingsRegularizer: { className: string; config: { l1: number; l2: number } } };
    expect(config.embeddingsRegularizer.className).toBe('L1L2');
    expect(config.embeddingsRegularizer.config.l1).toBe(0);
    expect(config.embeddingsRegularizer.config.l2).toBeCloseTo(0.5);
    // the penalty tfjs adds to the loss is l2 * sum(w^2) = 0.5 * 6
    const penalties = tf.tidy(() => model.calculateLosses().map((p) => p.dataSync()[0]));
    expect(penalties.length).toBe(1);
    expect(penalties[0]).toBeCloseTo(3, 5);
    model.dispose();
  });

  it('leaves the table unregularized when l2 is 0 (the default)', () => {
    const block = Embedding({ inputDim: 3, outputDim: 2 });
    expect((block.embedding.getConfig() as { embeddingsRegularizer: unknown }).embeddingsRegularizer).toBeNull();
  });

  it('rejects bad arguments with a RecsysError naming the value', () => {
    expect(codeOf(() => Embedding({ inputDim: 0, outputDim: 2 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 2.5, outputDim: 2 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 3, outputDim: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 3, outputDim: 2, l2: -0.1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 3, outputDim: 2, l2: NaN }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 3, outputDim: 2, name: '' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 3, outputDim: 2, initializer: 'ones' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding(undefined as never))).toBe('INVALID_ARGUMENT');
    expect(() => Embedding({ inputDim: 0, outputDim: 2 })).toThrow('inputDim must be a positive integer, got 0');
  });

  it('rejects inputs that are not [batch, 1] symbolic indices', () => {
    const block = Embedding({ inputDim: 3, outputDim: 2, name: 'e' });
    expect(codeOf(() => block.apply(tf.input({ shape: [2], dtype: 'int32' })))).toBe('SHAPE_MISMATCH');
    expect(() => block.apply(tf.input({ shape: [2], dtype: 'int32' }))).toThrow("Embedding 'e'.apply expects symbolic indices of shape [batch, 1], got a symbolic tensor of shape [null, 2]");
    expect(codeOf(() => block.apply(tf.tensor2d([[1]]) as never))).toBe('SHAPE_MISMATCH');
  });
});

describe('Embedding with side features', () => {
  const ids = IdMap.fromIds(['a', 'b', 'c', 'd'], { kind: 'item' });
  const genres = featuresFrom(
    [
      { id: 'a', genre: ['x', 'y'], decade: 1990 },
      { id: 'b', genre: 'y', decade: 2000 },
      { id: 'c', genre: [] },
    ],
    { fields: ['genre', 'decade'], ids },
  );

  it('outputs the id vector plus, per field, the mean of the entity’s value rows (an entity without values adds nothing)', () => {
    const x = tf.input({ shape: [1], dtype: 'int32' });
    const block = Embedding({ inputDim: 4, outputDim: 3, name: 'items', features: genres, seed: 1 });
    expect(block.pools.map((p) => p.name)).toEqual(['items_feature0', 'items_feature1']);
    const model = tf.model({ inputs: x, outputs: block.apply(x) });
    const id = block.embedding.getWeights()[0].arraySync() as number[][];
    const [genre, decade] = block.pools.map((p) => p.getWeights()[0].arraySync() as number[][]);
    const out = tf.tidy(() => (model.predict(tf.tensor2d([0, 1, 2, 3], [4, 1], 'int32')) as tf.Tensor).arraySync()) as number[][];
    const row = (t: number[][], r: number) => t[r];
    // value rows: genre x = 1, y = 2; decade 1990 = 1, 2000 = 2 (row 0 is "unknown")
    const expected = [
      id[0].map((v, k) => v + (row(genre, 1)[k] + row(genre, 2)[k]) / 2 + row(decade, 1)[k]),
      id[1].map((v, k) => v + row(genre, 2)[k] + row(decade, 2)[k]),
      id[2],
      id[3],
    ];
    out.forEach((r, e) => r.forEach((v, k) => expect(v).toBeCloseTo(expected[e][k], 6)));
    model.dispose();
  });

  it('chooses fields, is seeded, and checks its table against inputDim', () => {
    const make = () => Embedding({ inputDim: 4, outputDim: 2, features: genres, fields: ['decade'], seed: 7 });
    const [a, b] = [make(), make()];
    const x = tf.input({ shape: [1], dtype: 'int32' });
    a.apply(x);
    b.apply(x);
    expect(a.pools.length).toBe(1);
    expect(a.pools[0].getWeights()[0].arraySync()).toEqual(b.pools[0].getWeights()[0].arraySync());
    expect(codeOf(() => Embedding({ inputDim: 5, outputDim: 2, features: genres }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => Embedding({ inputDim: 4, outputDim: 2, features: genres, fields: ['brand'] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => Embedding({ inputDim: 4, outputDim: 2, fields: ['genre'] }))).toBe('INVALID_ARGUMENT');
  });
});
