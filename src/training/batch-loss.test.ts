import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { GMF } from '../models/index.js';
import { createScoreHead } from './logit-head.js';
import { pairwiseLoss, pointwiseLoss } from './batch-loss.js';
import { bceFromLogits, bceFromProbabilities, bprFromLogits, logitOfProbability } from './losses.js';

beforeAll(() => useBackend('cpu'));

// A GMF with hand-set weights: P (3 users x 2), Q (4 items x 2), w (2), b.
const P = [
  [0.5, -1],
  [2, 0.25],
  [-0.75, 1.5],
];
const Q = [
  [1, 2],
  [-0.5, 0.5],
  [3, -1],
  [0.25, 0.75],
];
const w = [0.8, -1.2];
const b = 0.1;

function handGmf(l2 = 0): tf.LayersModel {
  const model = GMF({ numUsers: 3, numItems: 4, factors: 2, l2 });
  tf.tidy(() => {
    model.getLayer('mf_embedding_user').setWeights([tf.tensor2d(P)]);
    model.getLayer('mf_embedding_item').setWeights([tf.tensor2d(Q)]);
    model.getLayer('prediction').setWeights([tf.tensor2d(w, [2, 1]), tf.tensor1d([b])]);
  });
  return model;
}

const logit = (u: number, i: number): number => P[u][0] * Q[i][0] * w[0] + P[u][1] * Q[i][1] * w[1] + b;
const softplus = (x: number): number => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);

const batch = {
  users: Int32Array.of(0, 1, 2, 0, 1),
  items: Int32Array.of(0, 2, 3, 1, 1),
  labels: Float32Array.of(1, 0, 1, 0, 0),
};
const pairs = {
  users: Int32Array.of(0, 1, 2),
  positives: Int32Array.of(0, 2, 3),
  negatives: Int32Array.of(1, 0, 2),
};

describe('the tfjs engine losses', () => {
  it('BCE of a batch equals mean(softplus(z) - y z) computed by hand', () => {
    const model = handGmf();
    const head = createScoreHead(model);
    expect(head.kind).toBe('logit');
    let expected = 0;
    for (let k = 0; k < 5; k++) {
      const z = logit(batch.users[k], batch.items[k]);
      expected += softplus(z) - batch.labels[k] * z;
    }
    expected /= 5;
    const loss = pointwiseLoss(model, head, batch);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    loss.dispose();
    model.dispose();
  });

  it('BPR of a batch of pairs equals mean(-log sigmoid(z_pos - z_neg)) computed by hand', () => {
    const model = handGmf();
    let expected = 0;
    for (let k = 0; k < 3; k++) {
      const d = logit(pairs.users[k], pairs.positives[k]) - logit(pairs.users[k], pairs.negatives[k]);
      expected += -Math.log(1 / (1 + Math.exp(-d)));
    }
    expected /= 3;
    const loss = pairwiseLoss(model, createScoreHead(model), pairs);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    loss.dispose();
    model.dispose();
  });

  it("adds the model's L2 penalties, as model.fit does", () => {
    const l2 = 0.01;
    const model = handGmf(l2);
    const squares = [...P, ...Q].flat().reduce((s, v) => s + v * v, 0);
    let data = 0;
    for (let k = 0; k < 5; k++) {
      const z = logit(batch.users[k], batch.items[k]);
      data += softplus(z) - batch.labels[k] * z;
    }
    const loss = pointwiseLoss(model, createScoreHead(model), batch);
    expect(loss.dataSync()[0]).toBeCloseTo(data / 5 + l2 * squares, 5);
    loss.dispose();
    model.dispose();
  });

  it('falls back to clipped probabilities for a model without a sigmoid Dense output, agreeing with the logit form', () => {
    const model = handGmf();
    // Same scores, but the last layer is a Reshape: the head cannot see a logit.
    const wrapped = tf.model({
      inputs: model.inputs,
      outputs: tf.layers.reshape({ targetShape: [1] }).apply(model.outputs[0]) as tf.SymbolicTensor,
    });
    const head = createScoreHead(wrapped);
    expect(head.kind).toBe('probability');
    const [a, c] = [pointwiseLoss(model, createScoreHead(model), batch), pointwiseLoss(wrapped, head, batch)];
    expect(c.dataSync()[0]).toBeCloseTo(a.dataSync()[0], 5);
    const [d, e] = [pairwiseLoss(model, createScoreHead(model), pairs), pairwiseLoss(wrapped, head, pairs)];
    expect(e.dataSync()[0]).toBeCloseTo(d.dataSync()[0], 4);
    tf.dispose([a, c, d, e]);
    model.dispose();
  });

  it('creates no lasting tensors', () => {
    const model = handGmf();
    const head = createScoreHead(model);
    const before = tf.memory().numTensors;
    tf.dispose([pointwiseLoss(model, head, batch), pairwiseLoss(model, head, pairs)]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('loss formulas', () => {
  it('BCE on logits stays finite and exact where the probability saturates', () => {
    const loss = tf.tidy(() => bceFromLogits(tf.tensor1d([40, -40]), tf.tensor1d([0, 1])).dataSync()[0]);
    expect(loss).toBeCloseTo(40, 4);
  });

  it('BCE on probabilities clips to [1e-7, 1 - 1e-7] instead of giving Infinity', () => {
    const loss = tf.tidy(() => bceFromProbabilities(tf.tensor1d([0, 1]), tf.tensor1d([1, 0])).dataSync()[0]);
    expect(Number.isFinite(loss)).toBe(true);
    // about -log(1e-7) = 16.1 (1 - 1e-7 rounds to 1 - 1.19e-7 in float32, hence the loose check)
    expect(loss).toBeCloseTo(-Math.log(1e-7), 0);
  });

  it('the logit and probability forms of BCE and BPR agree for moderate scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -6, max: 6, noNaN: true }), fc.double({ min: -6, max: 6, noNaN: true }), fc.boolean()), {
          minLength: 1,
          maxLength: 8,
        }),
        (rows) => {
          const [bceL, bceP, bprL, bprP] = tf.tidy(() => {
            const z = tf.tensor1d(rows.map((r) => r[0]));
            const zn = tf.tensor1d(rows.map((r) => r[1]));
            const y = tf.tensor1d(rows.map((r) => (r[2] ? 1 : 0)));
            return [
              bceFromLogits(z, y).dataSync()[0],
              bceFromProbabilities(tf.sigmoid(z), y).dataSync()[0],
              bprFromLogits(z, zn).dataSync()[0],
              bprFromLogits(logitOfProbability(tf.sigmoid(z)), logitOfProbability(tf.sigmoid(zn))).dataSync()[0],
            ];
          });
          expect(Math.abs(bceL - bceP)).toBeLessThan(1e-3);
          expect(Math.abs(bprL - bprP)).toBeLessThan(1e-3);
        },
      ),
      { numRuns: 50 },
    );
  });
});
