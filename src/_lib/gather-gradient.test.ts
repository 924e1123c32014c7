import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { ensureFastGatherGradient } from './gather-gradient.js';

const ORIGINAL = tf.getGradient('GatherV2');

/** Gradient of sum(gather(table, indices, axis) * weights) w.r.t. the table, with a given GatherV2 gradient. */
function gatherGrad(
  config: tf.GradConfig,
  table: tf.Tensor,
  indices: tf.Tensor,
  weights: tf.Tensor,
  axis = 0,
  batchDims = 0,
): Float32Array {
  tf.unregisterGradient('GatherV2');
  tf.registerGradient(config);
  try {
    return tf.tidy(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices, axis, batchDims), weights)));
      return g(table).dataSync() as Float32Array;
    });
  } finally {
    tf.unregisterGradient('GatherV2');
    tf.registerGradient(ORIGINAL);
  }
}

function installedOverride(): tf.GradConfig {
  ensureFastGatherGradient();
  const mine = tf.getGradient('GatherV2');
  tf.unregisterGradient('GatherV2');
  tf.registerGradient(ORIGINAL);
  return mine;
}

afterAll(() => {
  // Leave the registry as other test files in this worker expect to find it: the override
  // installed (as the library would have it).
  ensureFastGatherGradient();
});

describe('ensureFastGatherGradient on cpu', () => {
  beforeAll(() => useBackend('cpu'));

  it('starts from tfjs\'s own gradient (the comparisons below are against it)', () => {
    expect((ORIGINAL as unknown as Record<symbol, unknown>)[Symbol.for('neural-recsys.fastGatherGradient')]).toBeUndefined();
    expect(ORIGINAL.inputsToSave).toEqual(['x', 'indices']);
  });

  it('is idempotent: a second call keeps the same registration', () => {
    ensureFastGatherGradient();
    const first = tf.getGradient('GatherV2');
    ensureFastGatherGradient();
    expect(tf.getGradient('GatherV2')).toBe(first);
    expect(first).not.toBe(ORIGINAL);
  });

  it('prints no "Overriding the gradient" warning, even in DEBUG mode', () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    const wasDebug = tf.env().getBool('DEBUG');
    tf.unregisterGradient('GatherV2');
    tf.registerGradient(ORIGINAL);
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      tf.env().set('DEBUG', true);
      ensureFastGatherGradient();
    } finally {
      tf.env().set('DEBUG', wasDebug);
      console.warn = warn;
    }
    expect(warnings.filter((w) => String(w).includes('Overriding'))).toEqual([]);
  });

  it('equals the stock gradient on random tables with duplicate indices (axis 0)', () => {
    const mine = installedOverride();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.boolean(),
        (rows, width, n, seed, indices2d) => {
          const stock = tf.tidy(() => {
            const table = tf.randomNormal([rows, width], 0, 1, 'float32', seed);
            const idx = tf.randomUniformInt(indices2d ? [n, 1] : [n], 0, rows, seed + 1);
            const weights = tf.randomNormal([...idx.shape, width], 0, 1, 'float32', seed + 2);
            return [table, idx, weights] as const;
          });
          try {
            const expected = gatherGrad(ORIGINAL, ...stock);
            const actual = gatherGrad(mine, ...stock);
            expect(actual.length).toBe(expected.length);
            for (let k = 0; k < expected.length; k++) expect(actual[k]).toBeCloseTo(expected[k], 5);
          } finally {
            tf.dispose([...stock]);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('sums duplicate rows: row 3 gathered twice gets twice the upstream gradient', () => {
    ensureFastGatherGradient();
    const grad = tf.tidy(() => {
      const table = tf.zeros([5, 2]);
      const idx = tf.tensor1d([3, 1, 3], 'int32');
      const w = tf.tensor2d([[1, 2], [10, 20], [100, 200]]);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(table).arraySync();
    });
    expect(grad).toEqual([[0, 0], [10, 20], [0, 0], [101, 202], [0, 0]]);
  });

  it('delegates axis != 0 and batchDims != 0 to the stock gradient', () => {
    const mine = installedOverride();
    const cases = tf.tidy(() => [
      [tf.randomNormal([3, 4], 0, 1, 'float32', 1), tf.tensor1d([0, 3, 3], 'int32'), tf.randomNormal([3, 3], 0, 1, 'float32', 2), 1, 0],
      [tf.randomNormal([2, 4, 3], 0, 1, 'float32', 3), tf.tensor2d([[0, 2], [3, 3]], [2, 2], 'int32'), tf.randomNormal([2, 2, 3], 0, 1, 'float32', 4), 1, 1],
    ] as const);
    try {
      for (const [table, idx, w, axis, batchDims] of cases) {
        const expected = gatherGrad(ORIGINAL, table, idx, w, axis, batchDims);
        const actual = gatherGrad(mine, table, idx, w, axis, batchDims);
        expect(Array.from(actual)).toEqual(Array.from(expected));
      }
    } finally {
      tf.dispose(cases.flatMap((c) => [c[0], c[1], c[2]]));
    }
  });

  it('leaks no tensors', () => {
    ensureFastGatherGradient();
    const table = tf.variable(tf.randomNormal([20, 4]));
    const idx = tf.tensor1d([1, 5, 5, 19], 'int32');
    const before = tf.memory().numTensors;
    const optimizer = tf.train.sgd(0.1);
    optimizer.minimize(() => tf.sum(tf.gather(table, idx)) as tf.Scalar);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([table, idx]);
  });
});

describe('ensureFastGatherGradient on wasm', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => useBackend('cpu'));

  it('the stock gradient cannot train an embedding on wasm (no UnsortedSegmentSum kernel)', () => {
    tf.unregisterGradient('GatherV2');
    tf.registerGradient(ORIGINAL);
    const table = tf.variable(tf.randomNormal([10, 3]));
    const idx = tf.tensor1d([1, 2, 2], 'int32');
    try {
      expect(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, idx)))(table)).toThrow(/UnsortedSegmentSum/);
    } finally {
      tf.dispose([table, idx]);
      ensureFastGatherGradient();
    }
  });

  it('scatterND sums duplicate indices on wasm', () => {
    const out = tf.tidy(() =>
      tf.scatterND(tf.tensor2d([[0], [0], [2]], [3, 1], 'int32'), tf.tensor2d([[1, 2], [3, 4], [5, 6]]), [4, 2]).arraySync(),
    );
    expect(out).toEqual([[4, 6], [0, 0], [5, 6], [0, 0]]);
  });

  it('a tiny embedding model trains on wasm with the override', async () => {
    ensureFastGatherGradient();
    const input = tf.input({ shape: [1], dtype: 'int32' });
    const emb = tf.layers.embedding({ inputDim: 6, outputDim: 3, embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 1 }) });
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(
      tf.layers.flatten().apply(emb.apply(input)),
    ) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
    const x = tf.tensor2d([[0], [1], [2], [3], [4], [5], [0], [3]], [8, 1], 'int32');
    const y = tf.tensor2d([[1], [0], [1], [0], [1], [0], [1], [0]]);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) losses.push(Number(await model.trainOnBatch(x, y)));
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    tf.dispose([x, y]);
    model.dispose();
  });
});
