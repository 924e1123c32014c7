// The tfjs training engine: any two-input model, any backend. Each step is one
// `optimizer.minimize` over the model's trainable variables, so the model is trained in place (no
// copy to sync) and layers marked `trainable: false` stay frozen (fold-in freezes the item side so).
// Inputs go in as int32 [batch, 1] tensors. Everything a step creates lives inside one tf.tidy; the
// optimizer (and its Adam slots) is the only state, created once and disposed with the engine.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { ensureFastGatherGradient } from '../_lib/gather-gradient.js';
import { NegativeSampler, type Batch, type PairBatch } from '../sampling/index.js';
import { createScoreHead } from './logit-head.js';
import { pairwiseLoss, pointwiseLoss } from './batch-loss.js';
import { epochResult, everyBatch, runEpochLoop, sampledEpoch, YIELD_EVERY_MS } from './epoch-loop.js';
import type { EngineSetup, EpochHooks, EpochResult, ResolvedTrainOptions, TrainingEngine } from './types.js';

/** The model's trainable variables, in `model.trainableWeights` order (frozen layers excluded). */
function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function createOptimizer(options: ResolvedTrainOptions): tf.Optimizer {
  // tfjs defaults (beta1 0.9, beta2 0.999, epsilon 1e-7): the fused engine uses the same constants.
  return options.optimizer === 'adam' ? tf.train.adam(options.learningRate) : tf.train.sgd(options.learningRate);
}

/**
 * One tfjs optimizer step over `variables` and the loss it minimised, read back with an await (no
 * blocking read on asynchronous backends). Everything the step creates is freed.
 *
 * @param optimizer - the optimizer (its state persists across steps)
 * @param lossOf - builds the scalar loss
 * @param variables - the variables to update
 * @returns the loss before the update
 * @example
 * ```ts
 * const loss = await optimizerStep(tf.train.sgd(0.1), () => tf.sum(tf.square(v)), [v]);
 * ```
 */
export async function optimizerStep(optimizer: tf.Optimizer, lossOf: () => tf.Scalar, variables: tf.Variable[]): Promise<number> {
  const cost = tf.tidy(() => optimizer.minimize(lossOf, true, variables) as tf.Scalar);
  try {
    return (await cost.data())[0];
  } finally {
    cost.dispose();
  }
}

/**
 * Creates the tfjs engine for a model: trains it in place with `optimizer.minimize`, on whatever
 * backend tfjs runs (cpu, wasm, webgl, node). Deterministic for a seed on the cpu backend.
 *
 * @param setup - model, data, negatives to exclude and resolved options
 * @returns a {@link TrainingEngine}; call `dispose()` when done (it frees the optimizer's state)
 * @example
 * ```ts
 * const engine = createTfjsEngine({ model, architecture: null, data, options: resolveTrainOptions() });
 * const { instances } = await engine.runEpoch(0, {});
 * instances === 5 * data.users.length; //=> true (each positive and its 4 negatives)
 * await engine.dispose();
 * ```
 */
export function createTfjsEngine(setup: EngineSetup): TrainingEngine {
  const { model, data, options } = setup;
  if (options.optimizer === 'adam' && options.adamRows === 'lazy') {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      "optimizer rows 'lazy' is implemented by the fused engine only (the tfjs engine's Adam is dense); use rows 'dense' or a model the fused engine trains",
      { rows: options.adamRows },
    );
  }
  ensureFastGatherGradient();
  const head = createScoreHead(model);
  const variables = trainableVariables(model);
  if (variables.length === 0) {
    throw new RecsysError('UNSUPPORTED_MODEL', 'the model has no trainable weights (every layer has trainable: false)');
  }
  const sampler = new NegativeSampler(data, {
    strategy: options.sampling,
    exclude: setup.excludeFromNegatives,
    seed: options.seed,
    weighting: options.weighting,
    weightScale: options.weightScale,
  });
  let optimizer: tf.Optimizer | null = createOptimizer(options);

  const steps = {
    bce: (batch: Batch) => optimizerStep(optimizer as tf.Optimizer, () => pointwiseLoss(model, head, batch), variables),
    bpr: (batch: PairBatch) => optimizerStep(optimizer as tf.Optimizer, () => pairwiseLoss(model, head, batch), variables),
  };

  return {
    name: 'tfjs',
    threads: 1,

    async runEpoch(epoch: number, hooks: EpochHooks): Promise<EpochResult> {
      if (optimizer === null) throw new RecsysError('INVALID_ARGUMENT', 'this training engine was disposed');
      const spec = { batchSize: options.batchSize, negatives: options.negatives, epoch };
      const totals = await runEpochLoop({
        ...sampledEpoch(sampler, options.loss, spec, steps),
        aborted: () => hooks.signal?.aborted ?? false,
        progress: everyBatch(hooks.onBatchEnd),
        yieldEveryMs: YIELD_EVERY_MS,
        divergence: { loss: options.loss, epoch, learningRate: options.learningRate },
      });
      return epochResult(totals);
    },

    syncToModel(): void {
      // trains the LayersModel's own variables: nothing to copy
    },

    syncFromModel(): void {
      // model.setWeights assigns into the same variables the optimizer updates: nothing to reload
    },

    async dispose(): Promise<void> {
      optimizer?.dispose();
      optimizer = null;
    },
  };
}
