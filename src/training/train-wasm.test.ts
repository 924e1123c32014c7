import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { NeuMF } from '../models/index.js';
import { train } from './train.js';
import { plantedData } from '../../test/helpers/planted-data.js';

// Stock tfjs cannot train an embedding model on wasm (no UnsortedSegmentSum kernel for the gather
// gradient); train() installs the scatter-add gradient, so it must work here.
beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

describe('train on the wasm backend', () => {
  it('runs BCE and BPR steps on NeuMF with finite, falling losses and no leaks', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const { train: data } = plantedData();
    const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], seed: 2 });
    const before = tf.memory().numTensors;
    const bce = await train(model, data, { engine: 'tfjs', epochs: 3, batchSize: 64, learningRate: 0.01 });
    expect(bce.engine).toBe('tfjs');
    expect(bce.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(bce.epochs[2].loss).toBeLessThan(bce.epochs[0].loss);
    const bpr = await train(model, data, { engine: 'tfjs', loss: 'bpr', epochs: 1, batchSize: 64, negatives: 1 });
    expect(Number.isFinite(bpr.epochs[0].loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
