// Properties shared by the three whole-model builders: output shape and range, trainability,
// gradients against finite differences, determinism for a seed, and no tensor leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { mulberry32 } from '../_lib/random.js';
import { GMF } from './gmf.js';
import { MLP } from './mlp.js';
import { NeuMF } from './neumf.js';

beforeAll(() => useBackend('cpu'));

type Kind = 'gmf' | 'mlp' | 'neumf';
interface Config {
  numUsers: number;
  numItems: number;
  factors: number;
  layers: number[];
}

function build(kind: Kind, c: Config, seed?: number): tf.LayersModel {
  if (kind === 'gmf') return GMF({ numUsers: c.numUsers, numItems: c.numItems, factors: c.factors, seed });
  if (kind === 'mlp') return MLP({ numUsers: c.numUsers, numItems: c.numItems, layers: c.layers, seed });
  return NeuMF({ numUsers: c.numUsers, numItems: c.numItems, factors: c.factors, layers: c.layers, seed });
}

/** A valid paper-style layer list: even first size, never growing. */
const layersArb = fc
  .tuple(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 1, max: 16 }), { maxLength: 3 }))
  .map(([half, rest]) => {
    const layers = [2 * half];
    for (const r of rest) layers.push(Math.min(r, layers[layers.length - 1]));
    return layers;
  });

const configArb: fc.Arbitrary<Config> = fc.record({
  numUsers: fc.integer({ min: 1, max: 30 }),
  numItems: fc.integer({ min: 1, max: 30 }),
  factors: fc.integer({ min: 1, max: 8 }),
  layers: layersArb,
});

const kindArb = fc.constantFrom<Kind>('gmf', 'mlp', 'neumf');

interface Batch {
  users: tf.Tensor;
  items: tf.Tensor;
  labels: tf.Tensor;
}

function randomBatch(c: Config, size: number, seed: number): Batch {
  const random = mulberry32(seed);
  const users = Int32Array.from({ length: size }, () => Math.floor(random() * c.numUsers));
  const items = Int32Array.from({ length: size }, () => Math.floor(random() * c.numItems));
  const labels = Float32Array.from({ length: size }, () => (random() < 0.5 ? 1 : 0));
  return {
    users: tf.tensor2d(users, [size, 1], 'int32'),
    items: tf.tensor2d(items, [size, 1], 'int32'),
    labels: tf.tensor2d(labels, [size, 1]),
  };
}

/**
 * `size` random pairs labelled by a fixed random function of the pair: the labels are consistent, so
 * the best achievable loss is 0, well below a fresh model's ~ln 2 (random labels on repeated pairs,
 * as with one user and one item, can leave ln 2 as the best loss and nothing to learn).
 */
function learnableBatch(c: Config, size: number, seed: number): Batch {
  const random = mulberry32(seed);
  const labelOf = Float32Array.from({ length: c.numUsers * c.numItems }, () => (random() < 0.5 ? 1 : 0));
  const users = Int32Array.from({ length: size }, () => Math.floor(random() * c.numUsers));
  const items = Int32Array.from({ length: size }, () => Math.floor(random() * c.numItems));
  const labels = Float32Array.from({ length: size }, (_, k) => labelOf[users[k] * c.numItems + items[k]]);
  return {
    users: tf.tensor2d(users, [size, 1], 'int32'),
    items: tf.tensor2d(items, [size, 1], 'int32'),
    labels: tf.tensor2d(labels, [size, 1]),
  };
}

function bce(model: tf.LayersModel, b: Batch): tf.Scalar {
  const scores = model.apply([b.users, b.items]) as tf.Tensor;
  return tf.mean(tf.metrics.binaryCrossentropy(b.labels, scores)) as tf.Scalar;
}

function lossValue(model: tf.LayersModel, b: Batch): number {
  return tf.tidy(() => bce(model, b).dataSync()[0]);
}

describe('every builder', () => {
  it('scores a batch as [batch, 1] with values in (0, 1), for arbitrary valid configs', () => {
    fc.assert(
      fc.property(kindArb, configArb, fc.integer({ min: 1, max: 20 }), fc.nat(), (kind, c, size, seed) => {
        const model = build(kind, c, seed); // seeded: FC_SEED replays the very weights
        const batch = randomBatch(c, size, seed);
        try {
          const scores = tf.tidy(() => model.predict([batch.users, batch.items]) as tf.Tensor);
          expect(scores.shape).toEqual([size, 1]);
          for (const s of scores.dataSync()) {
            expect(s).toBeGreaterThan(0);
            expect(s).toBeLessThan(1);
          }
          scores.dispose();
        } finally {
          tf.dispose([batch.users, batch.items, batch.labels]);
          model.dispose();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('accepts 1-D int32 index tensors of length batch', () => {
    for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
      const model = build(kind, { numUsers: 4, numItems: 6, factors: 2, layers: [4, 2] }, 1);
      const [flat, column] = tf.tidy(() => [
        model.predict([tf.tensor1d([0, 3, 1], 'int32'), tf.tensor1d([5, 0, 2], 'int32')]) as tf.Tensor,
        model.predict([tf.tensor2d([0, 3, 1], [3, 1], 'int32'), tf.tensor2d([5, 0, 2], [3, 1], 'int32')]) as tf.Tensor,
      ]);
      expect(flat.shape).toEqual([3, 1]);
      expect(Array.from(flat.dataSync())).toEqual(Array.from(column.dataSync()));
      tf.dispose([flat, column]);
      model.dispose();
    }
  });

  it('lowers the BCE loss on a fixed learnable batch within a few Adam steps', () => {
    fc.assert(
      fc.property(kindArb, configArb, fc.nat(), (kind, c, seed) => {
        const model = build(kind, c, seed);
        // labels are a function of the pair, so there is something to learn; an odd size means they are
        // never exactly balanced, so even a tower whose ReLUs are all dead at init lowers it via the output bias
        const batch = learnableBatch(c, 31, seed);
        const optimizer = tf.train.adam(0.01);
        try {
          const before = lossValue(model, batch);
          for (let step = 0; step < 15; step++) optimizer.minimize(() => bce(model, batch));
          const after = lossValue(model, batch);
          expect(after).toBeLessThan(before);
        } finally {
          optimizer.dispose();
          tf.dispose([batch.users, batch.items, batch.labels]);
          model.dispose();
        }
      }),
      { numRuns: 9 },
    );
  });

  it('builds the same weights for the same seed and different ones for another seed', () => {
    for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
      const c = { numUsers: 5, numItems: 4, factors: 3, layers: [6, 4, 2] };
      const [a, b, other] = [build(kind, c, 7), build(kind, c, 7), build(kind, c, 8)];
      const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
      expect(values(a)).toEqual(values(b));
      expect(values(a)).not.toEqual(values(other));
      [a, b, other].forEach((m) => m.dispose());
    }
  });

  it('initialises the embeddings from N(0, 0.01), as the paper', () => {
    const model = NeuMF({ numUsers: 400, numItems: 300, factors: 8, layers: [16, 8], seed: 3 });
    for (const name of ['mf_embedding_user', 'mlp_embedding_item']) {
      const values = Array.from(model.getLayer(name).getWeights()[0].dataSync());
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      expect(Math.abs(mean)).toBeLessThan(0.001);
      expect(sd).toBeGreaterThan(0.009);
      expect(sd).toBeLessThan(0.011);
    }
    model.dispose();
  });

  it('leaks no tensors when predicting, and none once a built model is disposed', () => {
    const start = tf.memory().numTensors;
    const model = NeuMF({ numUsers: 10, numItems: 12, factors: 4, layers: [8, 4], seed: 1 });
    const users = tf.tensor2d([1, 2, 3], [3, 1], 'int32');
    const items = tf.tensor2d([4, 5, 11], [3, 1], 'int32');
    const before = tf.memory().numTensors;
    const scores = model.predict([users, items]) as tf.Tensor;
    scores.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([users, items]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('gradients of each model', () => {
  // float32 throughout: with weights of order 0.5, a loss near 0.7 and eps = 1e-3, the rounding
  // error of a central difference is about 1e-7 / 2e-3 = 5e-5 and the truncation error about
  // eps^2 = 1e-6, so 1e-3 absolute plus 2% relative leaves a wide margin while a wrong gradient
  // (a dropped term, a factor of 2, a transposed kernel) is off by far more. Fixed seeds keep every
  // ReLU pre-activation away from its kink.
  const EPS = 1e-3;
  const c = { numUsers: 4, numItems: 5, factors: 3, layers: [4, 3, 2] };

  for (const kind of ['gmf', 'mlp', 'neumf'] as const) {
    it(`${kind}: tfjs autodiff agrees with central finite differences`, () => {
      const model = build(kind, c, 11);
      const batch = randomBatch(c, 8, 5);
      const weights = model.trainableWeights;
      weights.forEach((w, k) => {
        const t = tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', 100 + k);
        w.write(t);
        t.dispose();
      });
      const usedUsers = new Set(batch.users.dataSync());
      const usedItems = new Set(batch.items.dataSync());

      const { value, grads } = tf.variableGrads(() => bce(model, batch), weights.map((w) => w.read() as tf.Variable));
      let checked = 0;
      for (const w of weights) {
        const analytic = grads[(w.read() as tf.Variable).name].dataSync();
        const original = Float32Array.from(w.read().dataSync());
        const shape = w.shape as number[];
        const width = shape[shape.length - 1];
        const isTable = w.originalName.endsWith('/embeddings');
        const rows = isTable ? [...(w.originalName.includes('user') ? usedUsers : usedItems)] : [0];
        // a few coordinates per weight: for tables, in rows the batch used (others have zero gradient)
        const coords = [rows[0] * width, rows[rows.length - 1] * width + width - 1, Math.min(original.length - 1, 1)];
        for (const at of coords) {
          const lossAt = (delta: number) => {
            const values = Float32Array.from(original);
            values[at] += delta;
            const t = tf.tensor(values, shape);
            w.write(t);
            t.dispose();
            return lossValue(model, batch);
          };
          const numeric = (lossAt(EPS) - lossAt(-EPS)) / (2 * EPS);
          expect(Math.abs(numeric - analytic[at]), `${w.originalName}[${at}]`).toBeLessThanOrEqual(1e-3 + 0.02 * Math.abs(analytic[at]));
          checked++;
          const t = tf.tensor(original, shape);
          w.write(t);
          t.dispose();
        }
      }
      expect(checked).toBe(weights.length * 3);
      // at least one gradient entry is far from zero, so the comparison is not vacuous
      const largest = Math.max(...Object.values(grads).map((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0])));
      expect(largest).toBeGreaterThan(0.01);
      tf.dispose([value, ...Object.values(grads), batch.users, batch.items, batch.labels]);
      model.dispose();
    });
  }
});
