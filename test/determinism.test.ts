// Determinism: the same seed gives the same initial weights, the same trained weights (tfjs cpu
// backend; fused engine with one thread) and the same sampled negatives; a different seed gives
// different ones.
//
// Where it cannot hold (so not tested):
// the fused engine with threads > 1 (Hogwild-style updates race, so the order of float additions
// varies run to run), and the webgl backend (GPU float32 reductions are not ordered).
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './helpers/backends.js';
import {
  GMF,
  MLP,
  NeuMF,
  NegativeSampler,
  evaluateSampled,
  leaveOneOut,
  syntheticInteractions,
  train,
  type Interactions,
  type TrainOptions,
} from '../src/index.js';

beforeAll(() => useBackend('cpu'));

/** Every weight of a model, flattened, in layer order. */
function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function sameWeights(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => w.length === b[i].length && w.every((v, j) => Object.is(v, b[i][j])));
}

const SIZES = { numUsers: 30, numItems: 20 };

describe('builders: the seed fixes the initial weights', () => {
  const builders = {
    GMF: (seed: number) => GMF({ ...SIZES, factors: 4, seed }),
    MLP: (seed: number) => MLP({ ...SIZES, layers: [8, 4], seed }),
    NeuMF: (seed: number) => NeuMF({ ...SIZES, factors: 4, layers: [8, 4], seed }),
  };
  it.each(Object.entries(builders))('%s: same seed, same weights; another seed, other weights', (_, build) => {
    const before = tf.memory().numTensors;
    const a = build(7);
    const b = build(7);
    const c = build(8);
    expect(sameWeights(weightsOf(a), weightsOf(b))).toBe(true);
    expect(sameWeights(weightsOf(a), weightsOf(c))).toBe(false);
    // every weight tensor differs, not just one: each part draws from its own seeded stream
    const wa = weightsOf(a);
    const wc = weightsOf(c);
    for (let i = 0; i < wa.length; i++) {
      if (wa[i].some((v) => v !== 0)) expect(sameWeights([wa[i]], [wc[i]]), `weight ${i}`).toBe(false);
    }
    for (const m of [a, b, c]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('sampling: the seed fixes the negatives', () => {
  const data = syntheticInteractions({ numUsers: 40, numItems: 30, interactionsPerUser: 6, seed: 3 });

  function epoch(seed: number, epochIndex = 0, batchSize = 64): { users: number[]; items: number[] } {
    const sampler = new NegativeSampler(data, { seed });
    const users: number[] = [];
    const items: number[] = [];
    for (const b of sampler.batches({ batchSize, negativesPerPositive: 4, epoch: epochIndex })) {
      users.push(...b.users);
      items.push(...b.items);
    }
    return { users, items };
  }

  it('same seed: the same epoch of negatives, whatever the batch size', () => {
    expect(epoch(11)).toEqual(epoch(11));
    expect(epoch(11, 0, 64)).toEqual(epoch(11, 0, 7));
  });

  it('another seed or another epoch: other negatives', () => {
    expect(epoch(11).items).not.toEqual(epoch(12).items);
    expect(epoch(11, 0).items).not.toEqual(epoch(11, 1).items);
  });

  it('popularity sampling and sample() are seeded too', () => {
    const draw = (seed: number) => {
      const s = new NegativeSampler(data, { strategy: 'popularity', seed });
      return Array.from({ length: 10 }, (_, u) => Array.from(s.sample(u, 5)));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('evaluateSampled draws the same negatives for the same seed (so the same metrics)', () => {
    const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], seed: 1 });
    const { train, test } = leaveOneOut(data, { by: 'time' });
    const run = (seed: number) => evaluateSampled(model, test, { k: 5, numNegatives: 10, seed, exclude: train, perPositive: true }).perPositive!.rank;
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    model.dispose();
  });
});

describe('training: the seed fixes the trained weights', () => {
  const data: Interactions = syntheticInteractions({ numUsers: 30, numItems: 20, interactionsPerUser: 6, seed: 9 });

  async function trained(modelSeed: number, options: TrainOptions): Promise<Float32Array[]> {
    const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], seed: modelSeed });
    try {
      await train(model, data, { epochs: 2, batchSize: 32, learningRate: 0.01, ...options });
      return weightsOf(model);
    } finally {
      model.dispose();
    }
  }

  it('tfjs engine on the cpu backend: same seeds, bit-identical weights; another seed, other weights', async () => {
    const before = tf.memory().numTensors;
    const a = await trained(1, { engine: 'tfjs', seed: 5 });
    const b = await trained(1, { engine: 'tfjs', seed: 5 });
    const c = await trained(1, { engine: 'tfjs', seed: 6 });
    expect(sameWeights(a, b)).toBe(true);
    expect(sameWeights(a, c)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tfjs engine with BPR and SGD is deterministic too', async () => {
    const options: TrainOptions = { engine: 'tfjs', seed: 5, loss: 'bpr', optimizer: 'sgd' };
    expect(sameWeights(await trained(2, options), await trained(2, options))).toBe(true);
  });

  it('fused engine with one thread: same seeds, bit-identical weights; another seed, other weights', async () => {
    const a = await trained(1, { engine: 'fused', threads: 1, seed: 5 });
    const b = await trained(1, { engine: 'fused', threads: 1, seed: 5 });
    const c = await trained(1, { engine: 'fused', threads: 1, seed: 6 });
    expect(sameWeights(a, b)).toBe(true);
    expect(sameWeights(a, c)).toBe(false);
  });
});
