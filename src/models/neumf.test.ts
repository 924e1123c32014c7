import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { NeuMF } from './neumf.js';
import { codeOf } from '../../test/helpers/recsys-error.js';

beforeAll(() => useBackend('cpu'));


describe('NeuMF', () => {
  it('has separate GMF and MLP embeddings, the tower, and a prediction over [gmf ; mlp]', () => {
    const model = NeuMF({ numUsers: 5, numItems: 6, factors: 3, layers: [8, 4, 2] });
    const shape = (name: string) => model.getLayer(name).getWeights()[0].shape;
    expect(shape('mf_embedding_user')).toEqual([5, 3]);
    expect(shape('mf_embedding_item')).toEqual([6, 3]);
    expect(shape('mlp_embedding_user')).toEqual([5, 4]);
    expect(shape('mlp_embedding_item')).toEqual([6, 4]);
    expect(shape('mlp_layer1')).toEqual([8, 4]);
    expect(shape('mlp_layer2')).toEqual([4, 2]);
    expect(shape('prediction')).toEqual([5, 1]);
    // the fused input is the concatenation with the GMF product first
    const fused = model.getLayer('prediction').input as tf.SymbolicTensor;
    expect(fused.inputs.map((t) => t.sourceLayer.getClassName())).toEqual(['Multiply', 'Dense']);
    model.dispose();
  });

  it('scores with the GMF part in the first `factors` rows of the output kernel (hand-set weights)', () => {
    const model = NeuMF({ numUsers: 1, numItems: 1, factors: 2, layers: [2] });
    tf.tidy(() => {
      model.getLayer('mf_embedding_user').setWeights([tf.tensor2d([[1, 2]])]);
      model.getLayer('mf_embedding_item').setWeights([tf.tensor2d([[3, 1]])]);
      model.getLayer('mlp_embedding_user').setWeights([tf.tensor2d([[5]])]);
      model.getLayer('mlp_embedding_item').setWeights([tf.tensor2d([[7]])]);
      model.getLayer('prediction').setWeights([tf.tensor2d([[1], [0.5], [0.01], [-0.1]]), tf.tensor1d([0.2])]);
    });
    // [3, 2, 5, 7] · [1, 0.5, 0.01, -0.1] + 0.2 = 3 + 1 + 0.05 - 0.7 + 0.2 = 3.55
    const score = tf.tidy(() => (model.predict([tf.tensor1d([0], 'int32'), tf.tensor1d([0], 'int32')]) as tf.Tensor).dataSync()[0]);
    expect(score).toBeCloseTo(1 / (1 + Math.exp(-3.55)), 6);
    model.dispose();
  });

  it('applies l2Gmf to the GMF embeddings and l2Mlp to the MLP part', () => {
    const model = NeuMF({ numUsers: 2, numItems: 2, factors: 2, layers: [4, 2], l2Gmf: 0.1, l2Mlp: [0.2, 0.3] });
    const l2Of = (name: string) => {
      const c = model.getLayer(name).getConfig() as Record<string, { config: { l2: number } } | null>;
      const r = c.embeddingsRegularizer ?? c.kernelRegularizer;
      return r === null || r === undefined ? 0 : r.config.l2;
    };
    expect([l2Of('mf_embedding_user'), l2Of('mlp_embedding_item'), l2Of('mlp_layer1'), l2Of('prediction')].map((v) => +v.toFixed(6))).toEqual([
      0.1, 0.2, 0.3, 0,
    ]);
    model.dispose();
  });

  it('rejects bad arguments with a RecsysError', () => {
    expect(codeOf(() => NeuMF({ numUsers: 0, numItems: 3 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => NeuMF({ numUsers: 3, numItems: 3, factors: -2 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => NeuMF({ numUsers: 3, numItems: 3, layers: [7, 4] }))).toBe('INVALID_LAYERS');
    expect(codeOf(() => NeuMF({ numUsers: 3, numItems: 3, layers: [] }))).toBe('INVALID_LAYERS');
    expect(codeOf(() => NeuMF({ numUsers: 3, numItems: 3, layers: [8, 16] }))).toBe('INVALID_LAYERS');
    expect(codeOf(() => NeuMF({ numUsers: 3, numItems: 3, l2Gmf: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => NeuMF({ numUsers: 3, numItems: 3, l2Mlp: [0, 0] }))).toBe('INVALID_ARGUMENT');
    expect(() => NeuMF({ numUsers: 3, numItems: 3, l2Gmf: -1 })).toThrow('l2Gmf must be a finite number >= 0, got -1');
  });
});
