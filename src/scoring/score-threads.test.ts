import { beforeAll, describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { allUsers, randomNcf } from '../../test/helpers/random-ncf.js';
import { inspectModel } from '../models/index.js';
import { createScorer } from './index.js';
import { ScoreKernel, scoreModule } from './score-wasm.js';
import { ScoreThreads, threadsAvailable, USERS_PER_ROUND } from './score-threads.js';
import { readNcfWeights, type NcfWeights } from './scorer-fast.js';

beforeAll(() => useBackend('cpu'));

function weightsOf(model: tf.LayersModel): NcfWeights {
  const w = readNcfWeights(model, inspectModel(model)!);
  if (typeof w === 'string') throw new Error(w);
  return w;
}

describe('scoring threads', () => {
  it('are available here (Node 20.16+ has process.getBuiltinModule)', () => {
    expect(threadsAvailable()).toBe(true);
  });

  it('give bitwise the one-thread scores, over several rounds and for every model kind', () => {
    for (const kind of ['gmf', 'mlp', 'neumf']) {
      // more users than one round of 2 x USERS_PER_ROUND, and a last round that does not split evenly
      const numUsers = 2 * USERS_PER_ROUND + 37;
      const model = randomNcf({ kind, numUsers, numItems: 67, factors: 5, layers: [10, 7, 3], seed: 3 });
      const one = createScorer(model);
      const two = createScorer(model, { threads: 2 });
      expect([one.threads, two.threads]).toEqual([1, 2]);
      const users = Int32Array.from(allUsers(numUsers).reverse());
      expect(two.scoreAllItems(users)).toEqual(one.scoreAllItems(users));
      // a few users stay on the calling thread
      expect(two.scoreAllItems(users.subarray(0, 3))).toEqual(one.scoreAllItems(users.subarray(0, 3)));
      two.dispose();
      model.dispose();
    }
  });

  it('score on the calling thread when a helper dies, and say so', async () => {
    const model = randomNcf({ kind: 'neumf', numUsers: 40, numItems: 30, factors: 3, layers: [6, 4], seed: 9 });
    const w = weightsOf(model);
    const module = scoreModule()!;
    const kernel = new ScoreKernel(module, w, 4);
    const reference = createScorer(model).scoreAllItems(allUsers(40));
    // a pool of our own over a kernel whose per-item and per-user parts are computed here
    const table = new Float32Array(30 * 4);
    for (let i = 0; i < 30; i++) {
      for (let o = 0; o < 4; o++) {
        let sum = 0;
        for (let j = 0; j < 3; j++) sum += w.mlpItem[i * 3 + j] * w.tower[0].kernel[(3 + j) * 4 + o];
        table[i * 4 + o] = sum;
      }
    }
    kernel.loadItems(table, 4, w.gmfItem, 3);
    const pool = ScoreThreads.start(module, kernel.snapshot(), 1, 200)!;
    const vectors = (user: number, first: Float32Array, gmf: Float32Array) => {
      for (let f = 0; f < 3; f++) gmf[f] = w.gmfUser[user * 3 + f] * w.outKernel[f];
      for (let o = 0; o < 4; o++) {
        let sum = w.tower[0].bias[o];
        for (let j = 0; j < 3; j++) sum += w.mlpUser[user * 3 + j] * w.tower[0].kernel[j * 4 + o];
        first[o] = sum;
      }
    };
    const { p1 } = kernel.widths;
    const first = new Float32Array(p1);
    const gmf = new Float32Array(kernel.widths.pf);
    const here = (out: Float32Array) => (from: number, to: number) => {
      for (let r = from; r < to; r++) {
        vectors(r, first, gmf);
        kernel.setUser(first, gmf);
        kernel.scoreAll(out, r * 30);
      }
    };
    const fill = (r: number, into: Float32Array) => vectors(r, into.subarray(0, p1), into.subarray(p1));
    const healthy = new Float32Array(40 * 30);
    expect(pool.run(40, fill, here(healthy), healthy, 0)).toBe(true);
    expect(Math.max(...healthy.map((s, t) => Math.abs(s - reference[t])))).toBeLessThan(1e-6);
    await pool.killForTest(0);
    const after = new Float32Array(40 * 30);
    expect(pool.run(40, fill, here(after), after, 0)).toBe(false);
    expect(after).toEqual(healthy);
    expect(pool.count).toBe(0);
    model.dispose();
  });
});
