import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { isRecsysError } from '../errors.js';
import { createScorer, isScorer } from './index.js';
import { allUsers, predictAll, randomizeWeights, randomNcf } from '../../test/helpers/random-ncf.js';

beforeAll(() => useBackend('cpu'));

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(tolerance);
}

const towerArb = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 3 }))
  .map(([half, rest]) => {
    const layers = [2 * half];
    for (const size of rest.sort((a, b) => b - a)) layers.push(Math.min(size, layers[layers.length - 1]));
    return layers;
  });

const configArb = fc.record({
  kind: fc.constantFrom('gmf', 'mlp', 'neumf'),
  numUsers: fc.integer({ min: 1, max: 5 }),
  numItems: fc.integer({ min: 1, max: 7 }),
  factors: fc.integer({ min: 1, max: 4 }),
  layers: towerArb,
  seed: fc.integer({ min: 0, max: 1000 }),
});

const build = randomNcf;

/** A two-tower dot-product model: not a standard NCF model, so it takes the generic path. */
function dotModel(numUsers: number, numItems: number): tf.LayersModel {
  const user = tf.input({ shape: [1], dtype: 'int32', name: 'user_input' });
  const item = tf.input({ shape: [1], dtype: 'int32', name: 'item_input' });
  const u = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: numUsers, outputDim: 3 }).apply(user)) as tf.SymbolicTensor;
  const i = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: numItems, outputDim: 3 }).apply(item)) as tf.SymbolicTensor;
  const dot = tf.layers.dot({ axes: 1 }).apply([u, i]) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'sigmoid' }).apply(dot) as tf.SymbolicTensor;
  return randomizeWeights(tf.model({ inputs: [user, item], outputs: out }), 7, 1);
}

describe('createScorer: the fast path', () => {
  it('agrees with model.predict for random GMF, MLP and NeuMF configurations', () => {
    fc.assert(
      fc.property(configArb, (config) => {
        const model = build(config);
        const scorer = createScorer(model);
        expect(scorer.method).toBe('fast');
        const expected = predictAll(model, config.numUsers, config.numItems);
        expectClose(scorer.scoreAllItems(allUsers(config.numUsers)), expected);
        scorer.dispose();
        model.dispose();
      }),
      { numRuns: 30 },
    );
  });

  it('scores pairs and item lists the same way as whole rows', () => {
    const model = build({ kind: 'neumf', numUsers: 4, numItems: 6, factors: 3, layers: [8, 4, 2], seed: 3 });
    const scorer = createScorer(model);
    const rows = scorer.scoreAllItems(allUsers(4));
    const items = Int32Array.of(5, 0, 5, 2);
    const listed = scorer.scoreItems(2, items);
    items.forEach((item, t) => expect(listed[t]).toBe(rows[2 * 6 + item]));
    const users = Int32Array.of(3, 0, 3, 1);
    const pairs = scorer.scorePairs!(users, items);
    users.forEach((user, t) => expect(pairs[t]).toBe(rows[user * 6 + items[t]]));
    model.dispose();
  });

  it('is a snapshot: training the model afterwards does not change its scores', () => {
    const model = build({ kind: 'gmf', numUsers: 2, numItems: 3, factors: 2, layers: [2], seed: 1 });
    const scorer = createScorer(model);
    const before = scorer.scoreAllItems(allUsers(2));
    randomizeWeights(model, 99);
    expect(scorer.scoreAllItems(allUsers(2))).toEqual(before);
    expectClose(createScorer(model).scoreAllItems(allUsers(2)), predictAll(model, 2, 3));
    model.dispose();
  });

  it('leaves the model intact and leaks no tensors', () => {
    const model = build({ kind: 'neumf', numUsers: 3, numItems: 4, factors: 2, layers: [4, 2], seed: 5 });
    const before = tf.memory().numTensors;
    const scorer = createScorer(model);
    scorer.scoreAllItems(allUsers(3));
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expectClose(createScorer(model).scoreAllItems(allUsers(3)), predictAll(model, 3, 4));
    model.dispose();
  });
});

describe('createScorer: the generic predict path', () => {
  it('agrees with model.predict whatever the chunk size, also across users', () => {
    const model = build({ kind: 'neumf', numUsers: 3, numItems: 5, factors: 2, layers: [4, 2], seed: 11 });
    const expected = predictAll(model, 3, 5);
    for (const chunkSize of [1, 3, 7, 15, 1000]) {
      const scorer = createScorer(model, { fast: false, chunkSize });
      expect(scorer).toMatchObject({ method: 'predict', kernel: null });
      expectClose(scorer.scoreAllItems(allUsers(3)), expected, 1e-7);
      expectClose(scorer.scoreItems(1, Int32Array.of(4, 0, 2)), Float32Array.of(expected[9], expected[5], expected[7]), 1e-7);
      expectClose(scorer.scorePairs!(Int32Array.of(2, 0), Int32Array.of(1, 3)), Float32Array.of(expected[11], expected[3]), 1e-7);
    }
    model.dispose();
  });

  it('scores a custom model, reading numUsers and numItems from its embeddings', () => {
    const model = dotModel(4, 6);
    const scorer = createScorer(model);
    expect(scorer.method).toBe('predict');
    expect([scorer.numUsers, scorer.numItems]).toEqual([4, 6]);
    expectClose(scorer.scoreAllItems(allUsers(4)), predictAll(model, 4, 6), 1e-7);
    expect(() => createScorer(model, { fast: true })).toThrow(/fast scorer cannot score this model/);
    expect(() => createScorer(model, { numItems: 7 })).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(createScorer(model, { numItems: 6 }).numItems).toBe(6);
    model.dispose();
  });

  it('asks for numItems when the item input feeds no embedding', () => {
    const user = tf.input({ shape: [1], dtype: 'int32', name: 'user_input' });
    const item = tf.input({ shape: [1], name: 'item_input' });
    const u = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 2, outputDim: 1 }).apply(user)) as tf.SymbolicTensor;
    const i = tf.layers.dense({ units: 1 }).apply(item) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [user, item], outputs: tf.layers.add().apply([u, i]) as tf.SymbolicTensor });
    expect(() => createScorer(model)).toThrow(/cannot tell how many items .* pass \{ numItems \}/);
    const scorer = createScorer(model, { numItems: 3 });
    expect([scorer.numUsers, scorer.numItems]).toEqual([2, 3]);
    expect(scorer.scoreAllItems(Int32Array.of(0, 1)).length).toBe(6);
    model.dispose();
  });

  it('holds no tensors between calls', () => {
    const model = dotModel(3, 4);
    const before = tf.memory().numTensors;
    const scorer = createScorer(model, { chunkSize: 5 });
    scorer.scoreAllItems(allUsers(3));
    scorer.scoreItems(0, Int32Array.of(1, 2, 3));
    expect(tf.memory().numTensors).toBe(before);
    scorer.dispose();
    model.dispose();
  });
});

describe('createScorer: bad input', () => {
  const model = build({ kind: 'gmf', numUsers: 3, numItems: 4, factors: 2, layers: [2], seed: 2 });
  const cases: Array<[string, () => unknown, string]> = [
    ['a non-model', () => createScorer({} as tf.LayersModel), 'INVALID_ARGUMENT'],
    ['chunkSize 0', () => createScorer(model, { chunkSize: 0 }), 'INVALID_SIZE'],
    ['fast "yes"', () => createScorer(model, { fast: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT'],
    ['user 3 of 3', () => createScorer(model).scoreItems(3, Int32Array.of(0)), 'USER_OUT_OF_RANGE'],
    ['user -1', () => createScorer(model).scoreAllItems(Int32Array.of(0, -1)), 'USER_OUT_OF_RANGE'],
    ['item 4 of 4', () => createScorer(model).scoreItems(0, Int32Array.of(1, 4)), 'ITEM_OUT_OF_RANGE'],
    ['a plain array of items', () => createScorer(model).scoreItems(0, [1] as unknown as Int32Array), 'INVALID_ARGUMENT'],
    ['out too short', () => createScorer(model).scoreAllItems(Int32Array.of(0), new Float32Array(3)), 'INVALID_SIZE'],
    ['pairs of unequal lengths', () => createScorer(model, { fast: false }).scorePairs!(Int32Array.of(0), Int32Array.of(0, 1)), 'LENGTH_MISMATCH'],
    [
      'use after dispose',
      () => {
        const s = createScorer(model);
        s.dispose();
        return s.scoreItems(0, Int32Array.of(0));
      },
      'INVALID_ARGUMENT',
    ],
  ];
  it.each(cases.map(([name, run, code]) => [`${name} -> ${code}`, run, code] as const))('%s', (_name, run, code) => {
    let caught: unknown;
    try {
      run();
    } catch (e) {
      caught = e;
    }
    expect(isRecsysError(caught, code as never)).toBe(true);
  });

  it('tells a Scorer from a model', () => {
    expect(isScorer(createScorer(model))).toBe(true);
    expect(isScorer(model)).toBe(false);
    expect(isScorer(null)).toBe(false);
  });
});
