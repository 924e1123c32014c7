import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { RecsysError, isRecsysError } from '../errors.js';
import { thrown } from '../../test/helpers/recsys-error.js';
import { NeuMF, inspectModel } from '../models/index.js';
import type { NcfArchitecture } from '../ncf/index.js';
import { initialUserRows, learnUserRows, resolveFoldInOptions } from './fold-in.js';

beforeAll(() => useBackend('cpu'));

/** What `promise` rejected with, which must be a RecsysError. */
async function rejection(promise: Promise<unknown>): Promise<RecsysError> {
  const error = await thrown(() => promise);
  expect(error).toBeInstanceOf(RecsysError);
  return error as RecsysError;
}

describe('learnUserRows (fold-in through the epoch loop)', () => {
  const model = NeuMF({ numUsers: 20, numItems: 30, factors: 4, layers: [8, 4], seed: 2 });
  const arch = inspectModel(model) as NcfArchitecture;
  const positives = Int32Array.of(2, 7, 11);

  it('is deterministic for a seed, learns new rows, leaks no tensors and reports a BCE-sized loss', async () => {
    const tensors = tf.memory().numTensors;
    const opts = resolveFoldInOptions({ steps: 15, seed: 5 });
    const init = initialUserRows(arch, 5);
    const a = await learnUserRows(model, arch, init, positives, opts);
    const b = await learnUserRows(model, arch, init, positives, opts);
    expect(a.rows).toEqual(b.rows);
    expect(a.loss).toBe(b.loss);
    expect(a.rows.gmf).not.toEqual(init.gmf);
    expect(a.rows.mlp).not.toEqual(init.mlp);
    // the last step's mean BCE: positive, and below log 2 once the rows moved towards the positives
    expect(a.loss).toBeGreaterThan(0);
    expect(a.loss).toBeLessThan(Math.log(2));
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('raises the loop\'s TRAINING_DIVERGED on a loss above 1e6 (a huge L2 on exploding rows), naming the step', async () => {
    const tensors = tf.memory().numTensors;
    const opts = resolveFoldInOptions({ steps: 20, seed: 5, learningRate: 1e4, l2: 1 });
    const error = await rejection(learnUserRows(model, arch, initialUserRows(arch, 5), positives, opts));
    expect(isRecsysError(error, 'TRAINING_DIVERGED')).toBe(true);
    expect(error.message).toMatch(
      /^fold-in diverged: the bce \+ l2 loss is \S+ \(above 1000000: [^)]*\) at epoch 0, batch [1-9]\d*, learning rate 10000; try a smaller one$/,
    );
    // the optimizer and the user's variables are freed on the way out
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
