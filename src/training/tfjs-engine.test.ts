import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { RecsysError } from '../errors.js';
import { GMF, MLP, NeuMF } from '../models/index.js';
import { NegativeSampler } from '../sampling/index.js';
import { createScoreHead } from './logit-head.js';
import { pairwiseLoss, pointwiseLoss } from './batch-loss.js';
import { resolveTrainOptions } from './options.js';
import { createTfjsEngine } from './tfjs-engine.js';
import type { TrainOptions } from './types.js';

beforeAll(() => useBackend('cpu'));

const data = {
  users: Int32Array.of(0, 0, 1, 2, 2, 3),
  items: Int32Array.of(1, 4, 2, 0, 5, 3),
  numUsers: 4,
  numItems: 6,
};

function setupFor(model: tf.LayersModel, options: TrainOptions) {
  return { model, architecture: null, data, options: resolveTrainOptions(options) };
}

describe('createTfjsEngine', () => {
  it("refuses optimizer rows 'lazy' (its Adam is dense), naming the option", () => {
    const model = GMF({ numUsers: 4, numItems: 6, factors: 3, seed: 4 });
    expect(() => createTfjsEngine(setupFor(model, { optimizer: { name: 'adam', rows: 'lazy' } }))).toThrow(/rows 'lazy'/);
    expect(() => createTfjsEngine(setupFor(model, { optimizer: { name: 'adam', rows: 'lazy' } }))).toThrow(RecsysError);
    // dense rows and SGD (the same either way) are fine
    void createTfjsEngine(setupFor(model, { optimizer: { name: 'adam', rows: 'dense' } })).dispose();
    void createTfjsEngine(setupFor(model, { optimizer: { name: 'sgd', rows: 'lazy' } })).dispose();
    model.dispose();
  });

  it.each(['bce', 'bpr'] as const)('takes one SGD step of exactly -lr x the gradient of the %s loss on the sampled batch', async (loss) => {
    const lr = 0.5;
    const model = GMF({ numUsers: 4, numItems: 6, factors: 3, seed: 4 });
    const options = { optimizer: 'sgd', learningRate: lr, loss, batchSize: 1000, negatives: 2, seed: 9 } as const;
    // The same sampler and epoch the engine uses: the one batch of epoch 0.
    const sampler = new NegativeSampler(data, { strategy: 'uniform', seed: 9 });
    const spec = { batchSize: 1000, negativesPerPositive: 2, epoch: 0 };
    const head = createScoreHead(model);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const [batch] = loss === 'bpr' ? [...sampler.pairBatches(spec)] : [...sampler.batches(spec)];
    const { value, grads } = tf.variableGrads(
      () =>
        loss === 'bpr'
          ? pairwiseLoss(model, head, batch as { users: Int32Array; positives: Int32Array; negatives: Int32Array })
          : pointwiseLoss(model, head, batch as { users: Int32Array; items: Int32Array; labels: Float32Array }),
      variables,
    );
    const expected = variables.map((v) => tf.tidy(() => tf.sub(v, tf.mul(lr, grads[v.name])).dataSync()));
    const expectedLoss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);

    const engine = createTfjsEngine(setupFor(model, options));
    const result = await engine.runEpoch(0, {});
    await engine.dispose();
    expect(result.batches).toBe(1);
    expect(result.instances).toBe(loss === 'bpr' ? 12 : 18);
    expect(result.loss).toBeCloseTo(expectedLoss, 6);
    variables.forEach((v, k) => {
      const got = v.dataSync();
      expected[k].forEach((e, j) => expect(got[j]).toBeCloseTo(e, 6));
    });
    model.dispose();
  });

  it('reads logits from the output Dense layer of every standard model', () => {
    const models = [
      GMF({ numUsers: 4, numItems: 6, factors: 2 }),
      MLP({ numUsers: 4, numItems: 6, layers: [4, 2] }),
      NeuMF({ numUsers: 4, numItems: 6, factors: 2, layers: [4, 2] }),
    ];
    for (const model of models) {
      const head = createScoreHead(model);
      expect(head.kind).toBe('logit');
      // sigmoid of the head's logits is the model's prediction
      const [z, p] = tf.tidy(() => {
        const u = tf.tensor2d([[0], [3]], [2, 1], 'int32');
        const i = tf.tensor2d([[5], [1]], [2, 1], 'int32');
        return [tf.sigmoid(head.scores(u, i)).dataSync(), (model.predict([u, i]) as tf.Tensor).dataSync()];
      });
      z.forEach((v, k) => expect(v).toBeCloseTo(p[k], 6));
      model.dispose();
    }
  });

  it('frees its optimizer state on dispose, which is safe twice, and refuses to run afterwards', async () => {
    const model = GMF({ numUsers: 4, numItems: 6, factors: 2 });
    const before = tf.memory().numTensors;
    const engine = createTfjsEngine(setupFor(model, { batchSize: 4 }));
    await engine.runEpoch(0, {});
    expect(tf.memory().numTensors).toBeGreaterThan(before); // Adam's moments
    await engine.dispose();
    await engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(engine.runEpoch(1, {})).rejects.toBeInstanceOf(RecsysError);
    model.dispose();
  });

  it('resamples negatives every epoch, from a seed derived from the epoch', async () => {
    const model = GMF({ numUsers: 4, numItems: 6, factors: 2, seed: 1 });
    // large weights, so that which negatives are drawn shows in the loss
    tf.tidy(() => model.setWeights(model.getWeights().map((w, k) => tf.randomNormal(w.shape, 0, 2, 'float32', k + 1))));
    const engine = createTfjsEngine(setupFor(model, { batchSize: 1000, optimizer: 'sgd', learningRate: 1e-9 }));
    // with a negligible learning rate the loss only changes through the sampled negatives
    const a = await engine.runEpoch(0, {});
    const b = await engine.runEpoch(1, {});
    const again = await engine.runEpoch(0, {});
    await engine.dispose();
    expect(Math.abs(a.loss - b.loss)).toBeGreaterThan(1e-3);
    expect(again.loss).toBeCloseTo(a.loss, 5);
    model.dispose();
  });
});
