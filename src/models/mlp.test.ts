import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { isRecsysError } from '../errors.js';
import { Embedding } from './embedding.js';
import { MLP } from './mlp.js';

beforeAll(() => useBackend('cpu'));

function errorOf(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
  } catch (e) {
    return isRecsysError(e) ? { code: e.code, message: e.message } : { code: 'not a RecsysError', message: String(e) };
  }
  return undefined;
}

describe('MLP', () => {
  it('has the paper layers: layers[0]/2-wide embeddings, ReLU tower mlp_layer1..N, sigmoid prediction', () => {
    const model = MLP({ numUsers: 7, numItems: 9, layers: [16, 8, 4, 2] });
    expect(model.getLayer('mlp_embedding_user').getWeights()[0].shape).toEqual([7, 8]);
    expect(model.getLayer('mlp_embedding_item').getWeights()[0].shape).toEqual([9, 8]);
    const tower = [1, 2, 3].map((i) => model.getLayer(`mlp_layer${i}`));
    expect(tower.map((l) => l.getWeights()[0].shape)).toEqual([[16, 8], [8, 4], [4, 2]]);
    for (const layer of tower) {
      const c = layer.getConfig() as { activation: string; kernelInitializer: { config: Record<string, unknown> } };
      expect(c.activation).toBe('relu');
      // glorot_uniform, as Keras 1's Dense default in the original code
      expect(c.kernelInitializer.config).toMatchObject({ scale: 1, mode: 'fanAvg', distribution: 'uniform' });
    }
    expect(model.getLayer('prediction').getWeights()[0].shape).toEqual([2, 1]);
    model.dispose();
  });

  it('defaults to [64, 32, 16, 8]', () => {
    const model = MLP({ numUsers: 2, numItems: 2 });
    expect(model.getLayer('mlp_embedding_user').getWeights()[0].shape).toEqual([2, 32]);
    expect(model.getLayer('mlp_layer3').getWeights()[0].shape).toEqual([16, 8]);
    model.dispose();
  });

  it('takes one L2 penalty per entry of layers (embeddings first), like reg_layers', () => {
    const model = MLP({ numUsers: 2, numItems: 2, layers: [8, 4, 2], l2: [0.1, 0, 0.3] });
    const l2Of = (name: string) => {
      const c = model.getLayer(name).getConfig() as Record<string, { config: { l2: number } } | null>;
      const r = c.embeddingsRegularizer ?? c.kernelRegularizer;
      return r === null || r === undefined ? 0 : r.config.l2;
    };
    expect(l2Of('mlp_embedding_user')).toBeCloseTo(0.1);
    expect(l2Of('mlp_embedding_item')).toBeCloseTo(0.1);
    expect(l2Of('mlp_layer1')).toBe(0);
    expect(l2Of('mlp_layer2')).toBeCloseTo(0.3);
    expect(l2Of('prediction')).toBe(0);
    model.dispose();
  });

  it('rejects bad layer lists with INVALID_LAYERS naming the list', () => {
    const cases: [unknown, string][] = [
      [[], 'layers must be a non-empty array'],
      ['64,32', 'layers must be a non-empty array'],
      [[64, 0, 8], 'layers[1] must be a positive integer, got 0 (layers = [64, 0, 8])'],
      [[64, 32.5], 'layers[1] must be a positive integer, got 32.5'],
      [[64, -8], 'layers[1] must be a positive integer, got -8'],
      [[63, 32], 'layers[0] must be even'],
      [[8, 16, 32], 'layers must not grow toward the output, but layers[1] = 16 > layers[0] = 8 (layers = [8, 16, 32])'],
      [[64, 32, 48], 'layers[2] = 48 > layers[1] = 32'],
    ];
    for (const [layers, message] of cases) {
      const error = errorOf(() => MLP({ numUsers: 3, numItems: 3, layers: layers as number[] }));
      expect(error?.code, String(layers)).toBe('INVALID_LAYERS');
      expect(error?.message).toContain(message);
    }
  });

  it('accepts every non-growing list with an even first size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }), (half, rest) => {
        const layers = [2 * half];
        for (const r of rest) layers.push(Math.min(r, layers[layers.length - 1]));
        const model = MLP({ numUsers: 2, numItems: 2, layers });
        expect(model.outputs[0].shape).toEqual([null, 1]);
        model.dispose();
      }),
      { numRuns: 15 },
    );
  });

  it('rejects other bad arguments with a RecsysError', () => {
    expect(errorOf(() => MLP({ numUsers: -1, numItems: 3 }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => MLP({ numUsers: 3, numItems: 3, l2: -0.5 }))?.code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => MLP({ numUsers: 3, numItems: 3, layers: [8, 4], l2: [0.1] }))?.message).toContain(
      'l2 must be a number or an array with one penalty per entry of layers (2)',
    );
    expect(errorOf(() => MLP({ numUsers: 3, numItems: 3, layers: [8, 4], l2: [0.1, NaN] }))?.message).toBe('l2[1] must be a finite number >= 0, got NaN');
  });
});

describe('MLP.block', () => {
  it('concatenates user then item and runs the ReLU tower with layers[1..] units', () => {
    const u = tf.input({ shape: [1], dtype: 'int32' });
    const i = tf.input({ shape: [1], dtype: 'int32' });
    const uv = Embedding({ inputDim: 3, outputDim: 5 }).apply(u);
    const iv = Embedding({ inputDim: 3, outputDim: 4 }).apply(i);
    const h = MLP.block(uv, iv, [9, 6, 3], { namePrefix: 'tower', concatName: 'joined' });
    expect(h.shape).toEqual([null, 3]);
    const model = tf.model({ inputs: [u, i], outputs: h });
    expect(model.getLayer('tower1').getWeights()[0].shape).toEqual([9, 6]);
    expect(model.getLayer('tower2').getWeights()[0].shape).toEqual([6, 3]);
    expect(model.getLayer('joined').getClassName()).toBe('Concatenate');
    // ReLU: never negative
    const out = tf.tidy(() => (model.predict([tf.tensor1d([0, 1, 2], 'int32'), tf.tensor1d([2, 1, 0], 'int32')]) as tf.Tensor).dataSync());
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    model.dispose();
  });

  it('is the plain concatenation when layers has one entry', () => {
    const uv = Embedding({ inputDim: 3, outputDim: 2 }).apply(tf.input({ shape: [1], dtype: 'int32' }));
    const iv = Embedding({ inputDim: 3, outputDim: 2 }).apply(tf.input({ shape: [1], dtype: 'int32' }));
    const h = MLP.block(uv, iv, [4]);
    expect(h.sourceLayer.getClassName()).toBe('Concatenate');
  });

  it('checks that the two widths add up to layers[0]', () => {
    const uv = Embedding({ inputDim: 3, outputDim: 32 }).apply(tf.input({ shape: [1], dtype: 'int32' }));
    const iv = Embedding({ inputDim: 3, outputDim: 16 }).apply(tf.input({ shape: [1], dtype: 'int32' }));
    const error = errorOf(() => MLP.block(uv, iv, [64, 32]));
    expect(error?.code).toBe('SHAPE_MISMATCH');
    expect(error?.message).toContain('(32 + 16 = 48), got layers = [64, 32]');
    expect(errorOf(() => MLP.block(uv, iv, [48, 64]))?.code).toBe('INVALID_LAYERS');
    expect(errorOf(() => MLP.block(uv, iv, []))?.code).toBe('INVALID_LAYERS');
  });
});
