import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { GMF } from './gmf.js';
import { inspectModel } from './inspect.js';
import { MLP } from './mlp.js';
import { NeuMF } from './neumf.js';
import { pretrainedNeuMF } from './pretrained.js';
import { codeOf } from '../../test/helpers/recsys-error.js';

beforeAll(() => useBackend('cpu'));


const values = (t: tf.Tensor) => Array.from(t.dataSync());
const logit = (p: number) => Math.log(p / (1 - p));

describe('pretrainedNeuMF', () => {
  it('sets the output kernel to [alpha * w_gmf ; (1 - alpha) * w_mlp] and the bias to the weighted sum (hand values)', () => {
    const gmf = GMF({ numUsers: 4, numItems: 3, factors: 2, seed: 1 });
    const mlp = MLP({ numUsers: 4, numItems: 3, layers: [4, 2], seed: 2 });
    tf.tidy(() => {
      gmf.getLayer('prediction').setWeights([tf.tensor2d([[1], [1]]), tf.tensor1d([0.5])]);
      mlp.getLayer('prediction').setWeights([tf.tensor2d([[2], [-4]]), tf.tensor1d([-1])]);
    });
    const neumf = pretrainedNeuMF(gmf, mlp, { alpha: 0.25 });
    const [kernel, bias] = neumf.getLayer('prediction').getWeights();
    expect(values(kernel)).toEqual([0.25, 0.25, 1.5, -3]);
    expect(values(bias)[0]).toBeCloseTo(0.25 * 0.5 + 0.75 * -1, 7); // -0.625
    [gmf, mlp, neumf].forEach((m) => m.dispose());
  });

  it('copies the embeddings and the tower, leaving the source models unchanged', () => {
    const gmf = GMF({ numUsers: 4, numItems: 3, factors: 2, seed: 1 });
    const mlp = MLP({ numUsers: 4, numItems: 3, layers: [6, 4, 2], seed: 2 });
    const before = [...gmf.getWeights(), ...mlp.getWeights()].map(values);
    const neumf = pretrainedNeuMF(gmf, mlp);
    const same = (a: tf.LayersModel, name: string) => {
      const x = a.getLayer(name).getWeights().map(values);
      const y = neumf.getLayer(name).getWeights().map(values);
      expect(y, name).toEqual(x);
    };
    ['mf_embedding_user', 'mf_embedding_item'].forEach((n) => same(gmf, n));
    ['mlp_embedding_user', 'mlp_embedding_item', 'mlp_layer1', 'mlp_layer2'].forEach((n) => same(mlp, n));
    expect([...gmf.getWeights(), ...mlp.getWeights()].map(values)).toEqual(before);
    expect(inspectModel(neumf)).toEqual({ kind: 'neumf', numUsers: 4, numItems: 3, factors: 2, layers: [6, 4, 2] });
    [gmf, mlp, neumf].forEach((m) => m.dispose());
  });

  it('scores with logit = alpha * logit_gmf + (1 - alpha) * logit_mlp before further training', () => {
    const gmf = GMF({ numUsers: 5, numItems: 6, factors: 3, seed: 3 });
    const mlp = MLP({ numUsers: 5, numItems: 6, layers: [4, 2], seed: 4 });
    // larger weights than the N(0, 0.01) init, so the logits are far from 0 and differ per pair
    tf.tidy(() => {
      for (const m of [gmf, mlp]) for (const w of m.trainableWeights) w.write(tf.randomNormal(w.shape as number[], 0, 1, 'float32', w.shape[0] ?? 0));
    });
    const alpha = 0.3;
    const neumf = pretrainedNeuMF(gmf, mlp, { alpha });
    const users = tf.tensor1d([0, 1, 2, 3, 4, 4], 'int32');
    const items = tf.tensor1d([5, 4, 3, 2, 1, 0], 'int32');
    const score = (m: tf.LayersModel) => tf.tidy(() => values(m.predict([users, items]) as tf.Tensor));
    const [g, p, n] = [score(gmf), score(mlp), score(neumf)];
    n.forEach((s, k) => expect(logit(s)).toBeCloseTo(alpha * logit(g[k]) + (1 - alpha) * logit(p[k]), 4));
    tf.dispose([users, items]);
    [gmf, mlp, neumf].forEach((m) => m.dispose());
  });

  it('leaks no tensors', () => {
    const gmf = GMF({ numUsers: 4, numItems: 3, factors: 2 });
    const mlp = MLP({ numUsers: 4, numItems: 3, layers: [4, 2] });
    const before = tf.memory().numTensors;
    pretrainedNeuMF(gmf, mlp).dispose();
    expect(tf.memory().numTensors).toBe(before);
    [gmf, mlp].forEach((m) => m.dispose());
  });

  it('accepts alpha 0 and 1 and rejects alpha outside [0, 1]', () => {
    const gmf = GMF({ numUsers: 4, numItems: 3, factors: 2 });
    const mlp = MLP({ numUsers: 4, numItems: 3, layers: [4, 2] });
    pretrainedNeuMF(gmf, mlp, { alpha: 0 }).dispose();
    pretrainedNeuMF(gmf, mlp, { alpha: 1 }).dispose();
    expect(codeOf(() => pretrainedNeuMF(gmf, mlp, { alpha: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => pretrainedNeuMF(gmf, mlp, { alpha: NaN }))).toBe('INVALID_ARGUMENT');
    expect(() => pretrainedNeuMF(gmf, mlp, { alpha: -0.1 })).toThrow('alpha must be a number in [0, 1], got -0.1');
    [gmf, mlp].forEach((m) => m.dispose());
  });

  it('requires a standard GMF and a standard MLP over the same users and items', () => {
    const gmf = GMF({ numUsers: 4, numItems: 3, factors: 2 });
    const mlp = MLP({ numUsers: 4, numItems: 3, layers: [4, 2] });
    const neumf = NeuMF({ numUsers: 4, numItems: 3 });
    expect(codeOf(() => pretrainedNeuMF(mlp, mlp))).toBe('UNSUPPORTED_MODEL');
    expect(() => pretrainedNeuMF(mlp, mlp)).toThrow('gmf must be a standard GMF model (as built by GMF()), got a standard MLP model');
    expect(codeOf(() => pretrainedNeuMF(gmf, neumf))).toBe('UNSUPPORTED_MODEL');
    const x = tf.input({ shape: [1] });
    const custom = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor });
    expect(() => pretrainedNeuMF(custom, mlp)).toThrow('not a standard NCF model');
    const otherItems = MLP({ numUsers: 4, numItems: 5, layers: [4, 2] });
    expect(codeOf(() => pretrainedNeuMF(gmf, otherItems))).toBe('SHAPE_MISMATCH');
    expect(() => pretrainedNeuMF(gmf, otherItems)).toThrow('gmf has numItems=3 and mlp has numItems=5');
    [gmf, mlp, neumf, custom, otherItems].forEach((m) => m.dispose());
  });
});
