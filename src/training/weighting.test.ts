// Interaction weights in training (train's `weighting`): both engines minimise the same weighted
// loss, the default trains exactly as without weights, and a weighting without weights is refused.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { GMF, NeuMF, inspectModel } from '../models/index.js';
import { syntheticInteractions } from '../data/synthetic.js';
import type { Interactions } from '../data/interactions.js';
import { mulberry32 } from '../_lib/random.js';
import { isRecsysError } from '../errors.js';
import { resolveTrainOptions } from './options.js';
import { train } from './train.js';
import { createFusedEngine } from './fused/index.js';
import { createTfjsEngine } from './tfjs-engine.js';
import type { TrainOptions } from './types.js';

beforeAll(() => useBackend('cpu'));

/** Synthetic positives with small integer weights, some pairs listed twice (their weights add up). */
function weightedData(seed: number): Interactions {
  const base = syntheticInteractions({ numUsers: 30, numItems: 20, interactionsPerUser: 5, seed });
  const random = mulberry32(seed);
  const repeat = Array.from({ length: 15 }, () => Math.floor(random() * base.users.length));
  const pick = (a: Int32Array) => Int32Array.from([...a, ...repeat.map((k) => a[k])]);
  const n = base.users.length + repeat.length;
  return {
    users: pick(base.users),
    items: pick(base.items),
    weights: Float32Array.from({ length: n }, () => Math.floor(random() * 6)),
    numUsers: base.numUsers,
    numItems: base.numItems,
  };
}

function weightsBytes(model: tf.LayersModel): Buffer {
  return Buffer.concat(model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer)));
}

function gmf(): tf.LayersModel {
  return GMF({ numUsers: 30, numItems: 20, factors: 4, seed: 5 });
}

const data = weightedData(11);

describe('train: weighting', () => {
  for (const engine of ['fused', 'tfjs'] as const) {
    it(`${engine}: weighting 'none' (the default) trains exactly as data without weights, bit for bit`, async () => {
      const run = async (d: Interactions, options: TrainOptions) => {
        const model = gmf();
        await train(model, d, { epochs: 2, batchSize: 32, engine, seed: 3, ...options });
        const bytes = weightsBytes(model);
        model.dispose();
        return bytes;
      };
      const unweighted = await run({ ...data, weights: undefined }, {});
      expect((await run(data, {})).equals(unweighted)).toBe(true);
      expect((await run(data, { weighting: 'none' })).equals(unweighted)).toBe(true);
      // the weighted path with every confidence 1 (all weights 0) is the same arithmetic
      expect((await run({ ...data, weights: new Float32Array(data.users.length) }, { weighting: 'linear' })).equals(unweighted)).toBe(true);
      // and real weights change the result
      expect((await run(data, { weighting: 'linear' })).equals(unweighted)).toBe(false);
    });
  }

  for (const loss of ['bce', 'bpr'] as const) {
    it(`${loss}: the fused and tfjs engines compute the same weighted loss on one batch (GMF and NeuMF)`, async () => {
      for (const weighting of ['linear', 'log'] as const) {
        for (const build of [gmf, () => NeuMF({ numUsers: 30, numItems: 20, factors: 4, layers: [8, 4], seed: 5 })]) {
          const losses: number[] = [];
          const unweightedLosses: number[] = [];
          for (const [engineName, w] of [['fused', weighting], ['tfjs', weighting], ['fused', 'none']] as const) {
            const model = build();
            // one batch holds the whole epoch, so the epoch's loss is that batch's, before any update
            const options = resolveTrainOptions({ batchSize: 10_000, loss, weighting: w, ...(w === 'none' ? {} : { weightScale: 0.7 }) });
            const setup = { model, architecture: inspectModel(model), data, options };
            const engine = engineName === 'fused' ? await createFusedEngine(setup) : createTfjsEngine(setup);
            const result = await engine.runEpoch(0, {});
            await engine.dispose();
            model.dispose();
            expect(result.batches).toBe(1);
            (w === 'none' ? unweightedLosses : losses).push(result.loss);
          }
          const [fused, tfjs] = losses;
          expect(Math.abs(fused - tfjs) / tfjs).toBeLessThan(1e-5);
          // the weights count: every positive weighs at least 1, most more
          expect(fused).toBeGreaterThan(unweightedLosses[0] * 1.05);
        }
      }
    });
  }

  it('fused on two threads trains with the weights (the workers get them through the sampler state)', async () => {
    const run = async (threads: number, weighting: 'none' | 'log') => {
      const model = gmf();
      const history = await train(model, data, { epochs: 1, batchSize: 10_000, engine: 'fused', threads, weighting });
      model.dispose();
      return history;
    };
    const one = await run(1, 'log');
    const two = await run(2, 'log');
    expect(two.threads).toBe(2);
    // each worker's shard is one batch: before any update the shard losses weigh up to the whole epoch's
    expect(Math.abs(two.epochs[0].loss - one.epochs[0].loss) / one.epochs[0].loss).toBeLessThan(1e-3);
    expect(two.epochs[0].loss).toBeGreaterThan((await run(2, 'none')).epochs[0].loss * 1.05);
  });

  it('refuses a weighting on data without weights, naming the option', async () => {
    const model = gmf();
    const error = await train(model, { ...data, weights: undefined }, { weighting: 'log', epochs: 1 }).catch((e: unknown) => e);
    expect(isRecsysError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain("weighting 'log' needs data.weights");
    model.dispose();
  });
});
