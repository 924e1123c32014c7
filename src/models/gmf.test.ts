import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { Embedding } from './embedding.js';
import { GMF } from './gmf.js';
import { codeOf } from '../../test/helpers/recsys-error.js';

beforeAll(() => useBackend('cpu'));


describe('GMF', () => {
  it('has the paper layers: named embeddings, a product and a sigmoid prediction over factors', () => {
    const model = GMF({ numUsers: 7, numItems: 9, factors: 4 });
    expect(model.inputs.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['user_input', 'int32', [null, 1]],
      ['item_input', 'int32', [null, 1]],
    ]);
    expect(model.getLayer('mf_embedding_user').getWeights()[0].shape).toEqual([7, 4]);
    expect(model.getLayer('mf_embedding_item').getWeights()[0].shape).toEqual([9, 4]);
    const prediction = model.getLayer('prediction');
    expect(prediction.getWeights().map((w) => w.shape)).toEqual([[4, 1], [1]]);
    const config = prediction.getConfig() as { activation: string; kernelInitializer: { className: string; config: Record<string, unknown> } };
    expect(config.activation).toBe('sigmoid');
    expect(config.kernelInitializer.className).toBe('VarianceScaling');
    expect(config.kernelInitializer.config).toMatchObject({ scale: 1, mode: 'fanIn', distribution: 'uniform' });
    model.dispose();
  });

  it('computes sigmoid(w · (p_u ⊙ q_i) + b) (hand-set weights)', () => {
    const model = GMF({ numUsers: 2, numItems: 2, factors: 2 });
    model.getLayer('mf_embedding_user').setWeights([tf.tensor2d([[1, 2], [3, 4]])]);
    model.getLayer('mf_embedding_item').setWeights([tf.tensor2d([[0.5, -1], [2, 0]])]);
    model.getLayer('prediction').setWeights([tf.tensor2d([[1], [0.25]]), tf.tensor1d([-0.5])]);
    const scores = tf.tidy(() => (model.predict([tf.tensor1d([1, 0], 'int32'), tf.tensor1d([0, 1], 'int32')]) as tf.Tensor).dataSync());
    // user 1, item 0: (3 * 0.5) * 1 + (4 * -1) * 0.25 - 0.5 = 0; user 0, item 1: 2 * 1 + 0 - 0.5 = 1.5
    expect(scores[0]).toBeCloseTo(0.5, 6);
    expect(scores[1]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
    model.dispose();
  });

  it('adds the L2 penalty to both embeddings only', () => {
    const model = GMF({ numUsers: 3, numItems: 3, l2: 0.01 });
    const regularized = model.layers.filter((l) => {
      const c = l.getConfig() as { embeddingsRegularizer?: unknown; kernelRegularizer?: unknown };
      return c.embeddingsRegularizer != null || c.kernelRegularizer != null;
    });
    expect(regularized.map((l) => l.name).sort()).toEqual(['mf_embedding_item', 'mf_embedding_user']);
    model.dispose();
  });

  it('rejects bad arguments with a RecsysError naming the value', () => {
    expect(codeOf(() => GMF({ numUsers: 0, numItems: 3 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 3, numItems: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 3, numItems: 3, factors: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 3, numItems: 3, l2: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 3, numItems: 3, l2: Infinity }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF({ numUsers: 3, numItems: 3, seed: NaN }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => GMF(null as never))).toBe('INVALID_ARGUMENT');
    expect(() => GMF({ numUsers: 3, numItems: 3, factors: 2.5 })).toThrow('factors must be a positive integer, got 2.5');
  });
});

describe('GMF.block', () => {
  it('is the element-wise product of two vectors of the same width', () => {
    const u = tf.input({ shape: [1], dtype: 'int32' });
    const i = tf.input({ shape: [1], dtype: 'int32' });
    const uEmb = Embedding({ inputDim: 3, outputDim: 2, initializer: tf.initializers.constant({ value: 3 }) });
    const iEmb = Embedding({ inputDim: 3, outputDim: 2, initializer: tf.initializers.constant({ value: -2 }) });
    const product = GMF.block(uEmb.apply(u), iEmb.apply(i), { name: 'my_product' });
    expect(product.shape).toEqual([null, 2]);
    expect(product.sourceLayer.name).toBe('my_product');
    const model = tf.model({ inputs: [u, i], outputs: product });
    const out = tf.tidy(() => (model.predict([tf.tensor1d([0], 'int32'), tf.tensor1d([2], 'int32')]) as tf.Tensor).arraySync());
    expect(out).toEqual([[-6, -6]]);
    model.dispose();
  });

  it('rejects vectors of different widths', () => {
    const u = Embedding({ inputDim: 3, outputDim: 2 }).apply(tf.input({ shape: [1], dtype: 'int32' }));
    const i = Embedding({ inputDim: 3, outputDim: 3 }).apply(tf.input({ shape: [1], dtype: 'int32' }));
    expect(codeOf(() => GMF.block(u, i))).toBe('SHAPE_MISMATCH');
    expect(() => GMF.block(u, i)).toThrow('same width');
    expect(codeOf(() => GMF.block(u, 'x' as never))).toBe('SHAPE_MISMATCH');
  });
});
