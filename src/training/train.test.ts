import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { RecsysError, isRecsysError } from '../errors.js';
import { GMF, MLP, NeuMF } from '../models/index.js';
import { evaluateSampled } from '../evaluation/index.js';
import type { Interactions } from '../data/interactions.js';
import { leaveOneOut, syntheticInteractions } from '../data/index.js';
import { train } from './train.js';
import type { BatchLogs, EpochLogs } from './types.js';
import { plantedData } from '../../test/helpers/planted-data.js';
import { fitPopularity } from '../baselines/index.js';

beforeAll(() => useBackend('cpu'));

const planted = plantedData();
const { train: data, validation } = planted;

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array).map((a) => a.slice());
}

function gmf(seed = 1): tf.LayersModel {
  return GMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, seed });
}

async function rejection(promise: Promise<unknown>): Promise<RecsysError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof RecsysError) return e;
    throw e;
  }
  throw new Error('expected a RecsysError, but training succeeded');
}

describe('train (tfjs engine)', () => {
  it('decreases the loss on synthetic data with planted taste and beats popularity on HR@10', async () => {
    const all = syntheticInteractions({ numUsers: 80, numItems: 48, interactionsPerUser: 10, seed: 3 });
    const { train: trainSet, test: testSet } = leaveOneOut(all, { by: 'time' });
    const model = NeuMF({ numUsers: all.numUsers, numItems: all.numItems, factors: 8, layers: [16, 8], seed: 3 });
    const history = await train(model, trainSet, { engine: 'tfjs', epochs: 6, batchSize: 64, negatives: 3, learningRate: 0.01, seed: 5 });
    expect(history.engine).toBe('tfjs');
    expect(history.engineReason).toMatch(/^tfjs: /);
    expect(history.epochs).toHaveLength(6);
    const losses = history.epochs.map((e) => e.loss);
    expect(losses[5]).toBeLessThan(0.6 * losses[0]);
    // 48 items: rank each held-out item against 30 sampled negatives the user never saw
    const options = { k: 10, numNegatives: 30, exclude: trainSet, seed: 11 };
    const trained = evaluateSampled(model, testSet, options);
    const popular = evaluateSampled(fitPopularity(trainSet), testSet, options);
    expect(trained.hr).toBeGreaterThan(popular.hr + 0.3);
    model.dispose();
  });

  it('trains with the BPR loss too', async () => {
    const model = gmf();
    const history = await train(model, data, { engine: 'tfjs', loss: 'bpr', epochs: 6, batchSize: 64, negatives: 2, learningRate: 0.02 });
    const losses = history.epochs.map((e) => e.loss);
    expect(losses[0]).toBeLessThan(0.7); // starts near log 2
    expect(losses[5]).toBeLessThan(0.8 * losses[0]);
    // BPR instances are pairs: positives x negatives
    expect(history.epochs[0].instances).toBe(data.users.length * 2);
    model.dispose();
  });

  it('passes the documented fields to the callbacks and awaits async ones', async () => {
    const model = gmf();
    const batches: [number, BatchLogs][] = [];
    const epochs: [number, EpochLogs][] = [];
    let pending = false;
    const history = await train(model, data, {
      engine: 'tfjs',
      epochs: 2,
      batchSize: 100,
      negatives: 1,
      validation: { data: validation, k: 5, negatives: 10 },
      onBatchEnd: (b, logs) => {
        expect(pending).toBe(false);
        batches.push([b, logs]);
      },
      onEpochEnd: async (e, logs) => {
        epochs.push([e, logs]);
        pending = true;
        await new Promise((resolve) => setTimeout(resolve, 20));
        pending = false;
      },
    });
    const perEpoch = Math.ceil((data.users.length * 2) / 100);
    expect(batches).toHaveLength(2 * perEpoch);
    expect(batches.map(([b]) => b)).toEqual([...Array(perEpoch).keys(), ...Array(perEpoch).keys()]);
    for (const [, logs] of batches) {
      expect(Number.isFinite(logs.loss) && logs.loss > 0).toBe(true);
      expect(logs.size).toBeGreaterThan(0);
      expect(logs.size).toBeLessThanOrEqual(100);
    }
    expect(batches.slice(0, perEpoch).reduce((s, [, l]) => s + l.size, 0)).toBe(data.users.length * 2);
    expect(epochs.map(([e]) => e)).toEqual([0, 1]);
    for (const [e, logs] of epochs) {
      expect(logs.epoch).toBe(e);
      expect(logs.engine).toBe('tfjs');
      expect(logs.instances).toBe(data.users.length * 2);
      expect(logs.seconds).toBeGreaterThan(0);
      expect(logs.instancesPerSecond).toBeCloseTo(logs.instances / logs.seconds, 3);
      expect(logs.etaSeconds).toBeGreaterThanOrEqual(0);
      expect(Object.keys(logs.validation ?? {}).sort()).toEqual(['hr', 'mrr', 'ndcg']);
      expect(Number.isFinite(logs.loss)).toBe(true);
    }
    expect(epochs[1][1].etaSeconds).toBe(0);
    expect(epochs[0][1].etaSeconds).toBeGreaterThan(0);
    // the epoch loss is the instance-weighted mean of the batch losses
    const first = batches.slice(0, perEpoch).map(([, l]) => l);
    const mean = first.reduce((s, l) => s + l.loss * l.size, 0) / first.reduce((s, l) => s + l.size, 0);
    expect(history.epochs[0].loss).toBeCloseTo(mean, 6);
    expect(history.epochs[0]).toBe(epochs[0][1]);
    model.dispose();
  });

  it('validates every N epochs on fixed negatives and tracks the best value', async () => {
    const model = gmf();
    const seen: (Record<string, number> | undefined)[] = [];
    const history = await train(model, data, {
      engine: 'tfjs',
      epochs: 4,
      batchSize: 128,
      learningRate: 0.01,
      validation: { data: validation, every: 2, metric: 'hr', k: 5, negatives: 10 },
      onEpochEnd: (_e, logs) => void seen.push(logs.validation),
    });
    expect(seen[0]).toBeUndefined();
    expect(seen[2]).toBeUndefined();
    expect(seen[1]).toBeDefined();
    expect(seen[3]).toBeDefined();
    expect(history.bestValidation).toBe(Math.max(seen[1]!.hr, seen[3]!.hr));
    expect(history.bestEpoch).toBe(3); // no restoreBest: the model holds the last epoch
    model.dispose();
  });

  it.each(['tfjs', 'fused'] as const)('stops early and restores the weights of the best validated epoch (%s engine)', async (engine) => {
    // Validation that training makes worse: each user's positive is an item of another cluster,
    // ranked against items of the user's own cluster. Training teaches the opposite, so the metric
    // peaks early and falls, and early stopping must hand back the early weights.
    const { userCluster, itemCluster } = planted;
    const numClusters = 4;
    const users = Int32Array.from({ length: data.numUsers }, (_, u) => u);
    const items = Int32Array.from(users, (u) => [...itemCluster.keys()].find((i) => i > 1 && itemCluster[i] === (userCluster[u] + 1) % numClusters)!);
    const negatives = Array.from(users, (u) => Int32Array.from([...itemCluster.keys()].filter((i) => i > 1 && itemCluster[i] === userCluster[u]).slice(0, 6)));

    const model = gmf();
    const snapshots: Float32Array[][] = [weightsOf(model)];
    const metrics: number[] = [];
    const history = await train(model, data, {
      engine,
      epochs: 30,
      batchSize: 64,
      learningRate: 0.02,
      validation: { data: { users, items, negatives }, metric: 'mrr', k: 7 },
      earlyStopping: { patience: 2, restoreBest: true },
      onEpochEnd: (_e, logs) => {
        snapshots.push(weightsOf(model));
        metrics.push(logs.validation!.mrr);
      },
    });
    expect(history.engine).toBe(engine);
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBeLessThan(30);
    // the starting weights are validated first and are a candidate ("epoch -1")
    metrics.unshift(history.initialValidation!.mrr);
    const best = metrics.indexOf(Math.max(...metrics)) - 1;
    expect(history.bestEpoch).toBe(best);
    expect(history.bestValidation).toBe(metrics[best + 1]);
    expect(history.epochs.length).toBe(best + 1 + 2); // patience 2 after the best
    const final = weightsOf(model);
    expect(final).toEqual(snapshots[best + 1]);
    expect(final).not.toEqual(snapshots[snapshots.length - 1]);
    model.dispose();
  });

  it('honours minDelta: improvements smaller than it do not count', async () => {
    const model = gmf();
    const history = await train(model, data, {
      engine: 'tfjs',
      epochs: 10,
      batchSize: 128,
      validation: { data: validation, k: 5, negatives: 10 },
      earlyStopping: { patience: 1, minDelta: 2 }, // no metric can improve by 2
    });
    // the starting weights are the first validation; epoch 0 does not beat them by 2
    expect(history.epochs).toHaveLength(1);
    expect(history.stoppedEarly).toBe(true);
    expect(history.bestEpoch).toBe(-1);
    model.dispose();
  });

  it.each(['tfjs', 'fused'] as const)('validates the starting weights and hands them back when no epoch beats them (%s engine)', async (engine) => {
    // a model already at its best: train on one set with a learning rate that wrecks it
    const model = gmf();
    const first = await train(model, data, { engine, epochs: 6, batchSize: 64, learningRate: 0.02 });
    expect(first.initialValidation).toBeUndefined(); // no validation, no starting evaluation
    const start = weightsOf(model);
    const history = await train(model, data, {
      engine,
      epochs: 3,
      batchSize: 64,
      learningRate: 5,
      validation: { data: validation, metric: 'hr', k: 5, negatives: 10 },
      earlyStopping: { patience: 3, restoreBest: true },
    });
    const hr = [history.initialValidation!.hr, ...history.epochs.map((e) => e.validation!.hr)];
    expect(Object.keys(history.initialValidation!).sort()).toEqual(['hr', 'mrr', 'ndcg']);
    expect(history.bestValidation).toBe(Math.max(...hr));
    // measured: HR@5 1 at the start, 0.15-0.42 after each wrecking epoch
    expect(hr[0]).toBeGreaterThan(Math.max(...hr.slice(1)));
    expect(history.bestEpoch).toBe(-1);
    expect(history.stoppedEarly).toBe(false); // patience 3 = all 3 epochs
    expect(weightsOf(model)).toEqual(start);
    model.dispose();
  });

  it('excludes items from training and validation negatives separately ({ training, validation })', async () => {
    const model = gmf();
    // every user's validation negatives avoid item 3 and item 4 when both are excluded for validation
    const users = Int32Array.from({ length: data.numUsers }, (_, u) => u);
    const blocked: Interactions = {
      users: Int32Array.from([...users, ...users]),
      items: Int32Array.from([...users.map(() => 3), ...users.map(() => 4)]),
      numUsers: data.numUsers,
      numItems: data.numItems,
    };
    const history = await train(model, data, {
      engine: 'fused',
      epochs: 1,
      validation: { data: validation, k: 5, negatives: 10 },
      excludeFromNegatives: { validation: blocked },
    });
    expect(history.epochs).toHaveLength(1);
    const other = gmf();
    const plain = await train(other, data, { engine: 'fused', epochs: 1, validation: { data: validation, k: 5, negatives: 10 } });
    other.dispose();
    // training is unchanged (the same negatives, so the same loss); validation differs
    expect(history.epochs[0].loss).toBe(plain.epochs[0].loss);
    expect(history.initialValidation).not.toEqual(plain.initialValidation);
    await expect(train(model, data, { epochs: 1, excludeFromNegatives: { validation: blocked } })).rejects.toSatisfy((e) => isRecsysError(e, 'INVALID_ARGUMENT'));
    await expect(train(model, data, { epochs: 1, excludeFromNegatives: { test: blocked } as never })).rejects.toSatisfy((e) => isRecsysError(e, 'INVALID_ARGUMENT'));
    model.dispose();
  });

  it('stops at the next batch when the signal aborts, leaving the model usable', async () => {
    const model = gmf();
    const controller = new AbortController();
    let atAbort: Float32Array[] = [];
    let calls = 0;
    const history = await train(model, data, {
      engine: 'tfjs',
      epochs: 3,
      batchSize: 32,
      signal: controller.signal,
      onBatchEnd: (b) => {
        calls++;
        if (b === 2) {
          atAbort = weightsOf(model);
          controller.abort();
        }
      },
    });
    expect(history.aborted).toBe(true);
    expect(calls).toBe(3);
    expect(history.epochs).toHaveLength(0);
    expect(history.bestEpoch).toBeUndefined();
    expect(weightsOf(model)).toEqual(atAbort);
    const scores = tf.tidy(() =>
      (model.predict([tf.tensor2d([[0], [1]], [2, 1], 'int32'), tf.tensor2d([[3], [4]], [2, 1], 'int32')]) as tf.Tensor).dataSync(),
    );
    expect([...scores].every((s) => s > 0 && s < 1)).toBe(true);
    model.dispose();
  });

  it('stops at the next batch with the fused engine too, leaving the trained weights in the model', async () => {
    const model = gmf();
    const initial = weightsOf(model);
    const controller = new AbortController();
    let calls = 0;
    const history = await train(model, data, {
      engine: 'fused',
      epochs: 3,
      batchSize: 32,
      signal: controller.signal,
      onBatchEnd: (b) => {
        calls++;
        if (b === 2) controller.abort();
      },
    });
    expect(history).toMatchObject({ aborted: true, engine: 'fused' });
    expect(calls).toBe(3);
    expect(weightsOf(model)).not.toEqual(initial);
    expect(weightsOf(model).every((w) => w.every(Number.isFinite))).toBe(true);
    model.dispose();
  });

  it('stops between epochs when aborted in onEpochEnd, and does nothing with a signal aborted up front', async () => {
    const model = gmf();
    const controller = new AbortController();
    const history = await train(model, data, {
      engine: 'tfjs',
      epochs: 5,
      batchSize: 128,
      signal: controller.signal,
      onEpochEnd: (e) => void (e === 1 && controller.abort()),
    });
    expect(history).toMatchObject({ aborted: true, bestEpoch: 1 });
    expect(history.epochs).toHaveLength(2);

    const before = weightsOf(model);
    let batches = 0;
    const again = await train(model, data, { engine: 'tfjs', signal: AbortSignal.abort(), onBatchEnd: () => void batches++ });
    expect(again.aborted).toBe(true);
    expect(batches).toBe(0);
    expect(weightsOf(model)).toEqual(before);
    model.dispose();
  });

  it.each(['tfjs', 'fused'] as const)('is deterministic for a seed: identical initial weights give identical trained weights (%s engine)', async (engine) => {
    const run = async (seed: number): Promise<Float32Array[]> => {
      const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], seed: 9 });
      await train(model, data, { engine, threads: 1, epochs: 2, batchSize: 64, seed });
      const w = weightsOf(model);
      model.dispose();
      return w;
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('leaves no tensors behind, with validation and restore-best', async () => {
    const model = gmf();
    const before = tf.memory().numTensors;
    await train(model, data, {
      engine: 'tfjs',
      epochs: 3,
      batchSize: 128,
      validation: { data: validation, k: 5, negatives: 10 },
      earlyStopping: { patience: 1, restoreBest: true },
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('keeps layers with trainable: false frozen (as fold-in does with the item side)', async () => {
    const model = gmf();
    model.getLayer('mf_embedding_item').trainable = false;
    const itemsBefore = model.getLayer('mf_embedding_item').getWeights()[0].dataSync().slice();
    const usersBefore = model.getLayer('mf_embedding_user').getWeights()[0].dataSync().slice();
    await train(model, data, { engine: 'tfjs', epochs: 1, batchSize: 128, learningRate: 0.01 });
    expect(model.getLayer('mf_embedding_item').getWeights()[0].dataSync()).toEqual(itemsBefore);
    expect(model.getLayer('mf_embedding_user').getWeights()[0].dataSync()).not.toEqual(usersBefore);
    model.dispose();
  });

  it('trains a custom model without a sigmoid Dense output (probability head)', async () => {
    const user = tf.input({ shape: [1], dtype: 'int32', name: 'user_input' });
    const item = tf.input({ shape: [1], dtype: 'int32', name: 'item_input' });
    const flat = (x: tf.SymbolicTensor, rows: number): tf.SymbolicTensor =>
      tf.layers.flatten().apply(tf.layers.embedding({ inputDim: rows, outputDim: 4 }).apply(x)) as tf.SymbolicTensor;
    const dot = tf.layers.dot({ axes: 1 }).apply([flat(user, data.numUsers), flat(item, data.numItems)]) as tf.SymbolicTensor;
    const out = tf.layers.activation({ activation: 'sigmoid' }).apply(dot) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [user, item], outputs: out });
    const history = await train(model, data, { engine: 'auto', epochs: 4, batchSize: 64, learningRate: 0.05 });
    expect(history.engine).toBe('tfjs');
    expect(history.epochs[3].loss).toBeLessThan(history.epochs[0].loss);
    model.dispose();
  });
});

describe('train: errors', () => {
  it('rejects data that does not fit the model before any step', async () => {
    const model = GMF({ numUsers: 5, numItems: 6, factors: 2 });
    const users: Interactions = { users: Int32Array.of(0, 5), items: Int32Array.of(1, 2), numUsers: 6, numItems: 6 };
    expect((await rejection(train(model, users, { engine: 'tfjs' }))).code).toBe('USER_OUT_OF_RANGE');
    const items: Interactions = { users: Int32Array.of(0, 1), items: Int32Array.of(1, 2), numUsers: 5, numItems: 9 };
    expect((await rejection(train(model, items, { engine: 'tfjs' }))).code).toBe('ITEM_OUT_OF_RANGE');
    model.dispose();
  });

  it('finds the table sizes of custom models from their Embedding layers', async () => {
    const user = tf.input({ shape: [1], dtype: 'int32' });
    const item = tf.input({ shape: [1], dtype: 'int32' });
    const u = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 3, outputDim: 2 }).apply(user)) as tf.SymbolicTensor;
    const i = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 4, outputDim: 2 }).apply(item)) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(tf.layers.concatenate().apply([u, i])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [user, item], outputs: out });
    const bad: Interactions = { users: Int32Array.of(0, 3), items: Int32Array.of(0, 1), numUsers: 4, numItems: 4 };
    expect((await rejection(train(model, bad, { engine: 'tfjs' }))).code).toBe('USER_OUT_OF_RANGE');
    model.dispose();
  });

  it('rejects malformed data, empty data and models that are not two-input', async () => {
    const model = gmf();
    expect((await rejection(train(model, { ...data, items: data.items.slice(1) }))).code).toBe('LENGTH_MISMATCH');
    const empty: Interactions = { users: new Int32Array(0), items: new Int32Array(0), numUsers: data.numUsers, numItems: data.numItems };
    expect((await rejection(train(model, empty))).code).toBe('EMPTY_INPUT');
    expect((await rejection(train('model' as unknown as tf.LayersModel, data))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(train(model, data, { batchSize: 0 }))).code).toBe('INVALID_ARGUMENT');
    const one = tf.input({ shape: [1], dtype: 'int32' });
    const single = tf.model({ inputs: one, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(one) as tf.SymbolicTensor });
    expect((await rejection(train(single, data, { engine: 'tfjs' }))).code).toBe('UNSUPPORTED_MODEL');
    model.dispose();
    single.dispose();
  });

  it('rejects validation data with indices outside the model', async () => {
    const model = gmf();
    const bad = { users: Int32Array.of(0), items: Int32Array.of(data.numItems), numUsers: data.numUsers, numItems: data.numItems + 1 };
    expect((await rejection(train(model, data, { engine: 'tfjs', validation: { data: bad } }))).code).toBe('ITEM_OUT_OF_RANGE');
    const explicit = { users: Int32Array.of(0), items: Int32Array.of(1), negatives: [Int32Array.of(2, 99)] };
    expect((await rejection(train(model, data, { engine: 'tfjs', validation: { data: explicit } }))).code).toBe('ITEM_OUT_OF_RANGE');
    // 40 items, ~8 seen per user: 99 distinct sampled negatives are impossible
    expect((await rejection(train(model, data, { engine: 'tfjs', validation: { data: validation } }))).code).toBe('NO_NEGATIVES');
    model.dispose();
  });

  it('reports a diverging loss as TRAINING_DIVERGED naming the epoch and batch', async () => {
    const model = gmf();
    const error = await rejection(train(model, data, { engine: 'tfjs', optimizer: 'sgd', learningRate: 1e30, epochs: 2, batchSize: 16 }));
    expect(error.code).toBe('TRAINING_DIVERGED');
    expect(error.message).toMatch(/epoch 0, batch \d+/);
    model.dispose();
  });

  it.each([
    ['tfjs', 1],
    ['fused', 1],
    ['fused', 2],
  ] as const)('raises TRAINING_DIVERGED at lr 1e6 (a huge but finite loss) on the %s engine, %s thread(s), rather than training on', async (engine, threads) => {
    const model = gmf();
    const epochs: number[] = [];
    const error = await rejection(
      train(model, data, { engine, threads, learningRate: 1e6, epochs: 20, batchSize: 16, onEpochEnd: (e) => void epochs.push(e) }),
    );
    expect(error.code).toBe('TRAINING_DIVERGED');
    // the one message of the epoch loop: the loss (above 1e6 or not finite), epoch, batch and learning rate
    expect(error.message).toMatch(/^training diverged: the bce loss is \S+( \(above 1000000: [^)]*\))? at epoch \d+, batch \d+( of worker \d\/2)?, learning rate 1000000; try a smaller one$/);
    const { loss, epoch } = error.details as { loss: number; epoch: number };
    expect(!Number.isFinite(loss) || loss > 1e6).toBe(true);
    // stopped in the epoch where it happened, not at the end of training
    expect(epochs).toEqual([...Array(epoch).keys()]);
    expect(epoch).toBeLessThan(20);
    model.dispose();
  });

  it('rethrows an error from a callback and frees the engine', async () => {
    const model = gmf();
    const before = tf.memory().numTensors;
    const boom = new Error('callback failed');
    await expect(
      train(model, data, {
        engine: 'tfjs',
        epochs: 3,
        onBatchEnd: (b) => {
          if (b === 1) throw boom;
        },
      }),
    ).rejects.toBe(boom);
    await expect(
      train(model, data, {
        engine: 'tfjs',
        epochs: 3,
        onEpochEnd: async () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("refuses engine: 'fused' for a model the fused engine cannot train, with the reason", async () => {
    const user = tf.input({ shape: [1], dtype: 'int32' });
    const item = tf.input({ shape: [1], dtype: 'int32' });
    const flat = (x: tf.SymbolicTensor, rows: number): tf.SymbolicTensor =>
      tf.layers.flatten().apply(tf.layers.embedding({ inputDim: rows, outputDim: 2 }).apply(x)) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 1, activation: 'sigmoid' })
      .apply(tf.layers.concatenate().apply([flat(user, data.numUsers), flat(item, data.numItems)])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [user, item], outputs: out });
    const error = await rejection(train(model, data, { engine: 'fused', epochs: 1 }));
    expect(error.code).toBe('UNSUPPORTED_ENGINE');
    expect(error.message.length).toBeGreaterThan(40);
    const history = await train(model, data, { engine: 'auto', epochs: 1 });
    expect(history.engine).toBe('tfjs');
    expect(history.engineReason).toMatch(/^tfjs: .+/);
    model.dispose();
  });
});

describe('train: engine selection', () => {
  it("'auto' picks the fused engine for a standard model, says so, and writes its weights back", async () => {
    const model = gmf();
    const before = weightsOf(model);
    const tensors = tf.memory().numTensors;
    const engines: string[] = [];
    const history = await train(model, data, {
      epochs: 3,
      batchSize: 64,
      learningRate: 0.01,
      validation: { data: validation, k: 5, negatives: 10 },
      earlyStopping: { patience: 3, restoreBest: true },
      onEpochEnd: (_e, logs) => void engines.push(logs.engine),
    });
    expect(history.engine).toBe('fused');
    expect(history.engineReason).toBe('fused: standard gmf, dense-Adam catch-up wasm-simd');
    expect(engines).toEqual(['fused', 'fused', 'fused']);
    expect(history.epochs[2].loss).toBeLessThan(history.epochs[0].loss);
    expect(weightsOf(model)).not.toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });

  it("'auto' falls back to tfjs for a model with weight penalties and gives the reason", async () => {
    const model = GMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, l2: 1e-4, seed: 1 });
    const history = await train(model, data, { epochs: 1, batchSize: 128 });
    expect(history.engine).toBe('tfjs');
    expect(history.engineReason).toMatch(/^tfjs: .*penalty/);
    expect(history.epochs[0].engine).toBe('tfjs');
    model.dispose();
  });

  it("'auto' trains L2 on Dense kernels on the fused engine (2 threads), and the penalty shrinks those kernels", async () => {
    const squares = async (l2: number[]) => {
      const model = MLP({ numUsers: data.numUsers, numItems: data.numItems, layers: [16, 8, 4], l2, seed: 3 });
      const history = await train(model, data, { epochs: 2, batchSize: 64, threads: 2, seed: 3, learningRate: 0.01 });
      expect(history.engine).toBe('fused');
      expect(history.engineReason).not.toMatch(/penalty/);
      const kernel = Array.from(model.getLayer('mlp_layer1').getWeights()[0].dataSync() as Float32Array);
      const out = kernel.reduce((s, w) => s + w * w, 0);
      model.dispose();
      return out;
    };
    const free = await squares([0, 0, 0]);
    const penalised = await squares([0, 0.1, 0]);
    expect(penalised).toBeLessThan(0.5 * free);
  });
});
