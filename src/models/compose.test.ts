// The composability snippet of API.md, as a user would write it.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { Embedding, GMF, MLP } from './index.js';

beforeAll(() => useBackend('cpu'));

describe('the blocks compose into a user-defined tower', () => {
  it('builds, predicts scores in (0, 1), trains, and leaks no tensors', async () => {
    const u = tf.input({ shape: [1], dtype: 'int32' });
    const i = tf.input({ shape: [1], dtype: 'int32' });
    const gu = Embedding({ inputDim: 6040, outputDim: 8, name: 'gmf_user' }).apply(u);
    const gi = Embedding({ inputDim: 3706, outputDim: 8, name: 'gmf_item' }).apply(i);
    const mu = Embedding({ inputDim: 6040, outputDim: 32, name: 'mlp_user' }).apply(u);
    const mi = Embedding({ inputDim: 3706, outputDim: 32, name: 'mlp_item' }).apply(i);
    const g = GMF.block(gu, gi);
    const h = MLP.block(mu, mi, [64, 32, 16, 8]);
    const joined = tf.layers.concatenate().apply([g, h]) as tf.SymbolicTensor;
    const score = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [u, i], outputs: score });
    expect(joined.shape).toEqual([null, 16]);

    const users = tf.tensor2d([0, 17, 6039, 5], [4, 1], 'int32');
    const items = tf.tensor2d([3705, 2, 0, 5], [4, 1], 'int32');
    const before = tf.memory().numTensors;
    const scores = model.predict([users, items]) as tf.Tensor;
    expect(scores.shape).toEqual([4, 1]);
    for (const s of scores.dataSync()) {
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThan(1);
    }
    scores.dispose();
    expect(tf.memory().numTensors).toBe(before);

    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    const labels = tf.tensor2d([1, 0, 1, 0], [4, 1]);
    const first = Number(await model.trainOnBatch([users, items], labels));
    let last = first;
    for (let step = 0; step < 10; step++) last = Number(await model.trainOnBatch([users, items], labels));
    expect(last).toBeLessThan(first);
    tf.dispose([users, items, labels]);
    model.dispose();
  });
});
