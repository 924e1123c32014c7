// The training loop: options and data checked up front, an engine picked (fused for the standard
// models, tfjs for anything else), then epochs of freshly sampled negatives with validation, model
// selection, early stopping, callbacks and cancellation. The engines only run epochs; everything
// that decides *when* to stop and *which* weights to keep lives here, so both behave the same.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { ensureFastGatherGradient } from '../_lib/gather-gradient.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { inspectModel } from '../models/index.js';
import { evaluateSampled } from '../evaluation/index.js';
import type { NcfArchitecture } from '../ncf/index.js';
import { createFusedEngine, fusedSupport } from './fused/index.js';
import { resolveLoopOptions, type ResolvedLoopOptions } from './options.js';
import { createTfjsEngine } from './tfjs-engine.js';
import { checkWeights } from '../sampling/sampler-state.js';
import { assertFits, modelCapacity } from './capacity.js';
import { prepareValidationSet, type RankedValidationSet } from './validation-set.js';
import type { EngineSetup, EpochLogs, NegativeExclusions, TrainHistory, TrainOptions, TrainingEngine } from './types.js';

/**
 * Trains an NCF model (or any two-input `tf.LayersModel` scoring (user, item) pairs) on implicit
 * feedback: every epoch draws `negatives` fresh negatives per positive (seeded), minimises BCE on
 * (positive, negative) labels or BPR on (positive, negative) pairs with Adam or SGD, and updates the
 * model in place.
 *
 * - **Engine**: `'auto'` (default) uses the fused CPU engine for the standard GMF/MLP/NeuMF models
 *   and the tfjs engine (any model, any backend) otherwise; `history.engine` and `engineReason` say
 *   which and why. `'fused'` on a model it cannot train throws `UNSUPPORTED_ENGINE` with the reason.
 * - **Validation** (`validation.data`, never the test set) runs every `every` epochs: each positive
 *   is ranked against the same negatives at every validation (sampled once, seeded, never a
 *   training positive), and `logs.validation` carries `{ hr, ndcg, mrr }` at `k`.
 * - **Starting weights**: with validation, the weights `train` starts from are validated first
 *   (`history.initialValidation`) and count as a candidate: when no epoch beats them, early stopping
 *   with `restoreBest` hands them back and `history.bestEpoch` is -1.
 * - **Early stopping** stops after `patience` validations without an improvement larger than
 *   `minDelta` on `validation.metric`; with `restoreBest` (default true) the model ends with the
 *   weights of the best validated epoch (or the starting weights, see above).
 * - **Weights**: `weighting: 'linear' | 'log'` uses `data.weights` as confidence on each positive's
 *   loss term, c = 1 + weightScale * w or 1 + weightScale * log(1 + w) (Hu, Koren, Volinsky 2008);
 *   negatives keep weight 1 and `loss` in the logs is the weighted mean. Default `'none'`.
 * - **Callbacks** may be async; training waits for them. In `onEpochEnd` the model holds that epoch's
 *   weights (so it can be saved as a checkpoint). If a callback throws, training stops, the engine
 *   is released and the error is rethrown.
 * - **Cancellation**: aborting `signal` stops before the next batch; the promise resolves with
 *   `aborted: true` and the model holds the weights of the last finished step.
 * - **Determinism**: the same seed and the same initial weights give the same weights on the tfjs
 *   cpu backend and with the fused engine on one thread (not across backends, nor with threads > 1).
 *
 * Throws `RecsysError` for bad options (see {@link resolveTrainOptions}), malformed data, data that
 * does not fit the model (`USER_OUT_OF_RANGE`, `ITEM_OUT_OF_RANGE`), and `TRAINING_DIVERGED` when a
 * batch's loss becomes NaN, infinite or larger than 1e6 (naming the loss, the epoch, the batch and the
 * learning rate), on every engine.
 *
 * @param model - the model to train, in place
 * @param data - training positives (dense indices within the model's tables)
 * @param options - see {@link TrainOptions}; every field has a default
 * @returns the history: per-epoch logs, the engine used, the best epoch and validation value
 * @example
 * ```ts
 * const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems });
 * const history = await train(model, data, { epochs: 3, validation: { data: valid } });
 * history.epochs.length; //=> 3
 * history.engine;        //=> 'fused'
 * ```
 */
export async function train(model: tf.LayersModel, data: Interactions, options?: TrainOptions): Promise<TrainHistory> {
  if (!isLayersModel(model)) {
    throw new RecsysError('INVALID_ARGUMENT', `model must be a tf.LayersModel, got ${show(model)}`);
  }
  // Without it, tfjs differentiates embedding lookups over whole tables (cpu) or not at all (wasm).
  ensureFastGatherGradient();
  const loop = resolveLoopOptions(options);
  const opts = options ?? {};
  validateInteractions(data, 'data');
  if (data.users.length === 0) throw new RecsysError('EMPTY_INPUT', 'data has no interactions to train on');
  if (loop.engineOptions.weighting !== 'none') checkWeights(data, loop.engineOptions.weighting);
  const exclusions = splitExclusions(opts.excludeFromNegatives);
  if (exclusions.training !== undefined) validateInteractions(exclusions.training, exclusions.trainingName);
  if (exclusions.validation !== undefined) validateInteractions(exclusions.validation, exclusions.validationName);

  const architecture: NcfArchitecture | null = inspectModel(model);
  const capacity = modelCapacity(model, architecture);
  assertFits(capacity, data, 'data');
  const validationSet = loop.validation
    ? prepareValidationSet(
        loop.validation.data,
        data,
        data.numItems,
        capacity.users ?? data.numUsers,
        loop.validation.negatives,
        loop.engineOptions.seed,
        exclusions.validation,
      )
    : undefined;

  const setup: EngineSetup = {
    model,
    architecture,
    data,
    excludeFromNegatives: exclusions.training,
    options: loop.engineOptions,
  };
  const { engine, reason } = await chooseEngine(setup, loop.engine);
  return runLoop(engine, reason, setup, loop, opts, validationSet);
}

async function chooseEngine(setup: EngineSetup, requested: ResolvedLoopOptions['engine']): Promise<{ engine: TrainingEngine; reason: string }> {
  if (requested === 'tfjs') return { engine: createTfjsEngine(setup), reason: 'tfjs: requested (engine: "tfjs")' };
  const support = fusedSupport(setup.model, setup.architecture, setup.options);
  if (support.supported) {
    const kind = setup.architecture?.kind ?? 'model';
    const why = requested === 'fused' ? 'requested (engine: "fused")' : `standard ${kind}`;
    const engine = await createFusedEngine(setup);
    const fallback = engine.fallbackReason === undefined ? '' : `; ${engine.threads} thread(s): ${engine.fallbackReason}`;
    const catchUp = engine.catchUp === null ? '' : `, dense-Adam catch-up ${engine.catchUp}`;
    return { engine, reason: `fused: ${why}${kind === 'gmf' ? '' : `, tower kernel ${engine.kernel}`}${catchUp}${fallback}` };
  }
  if (requested === 'fused') {
    throw new RecsysError('UNSUPPORTED_ENGINE', `engine 'fused' cannot train this model: ${support.reason}; use engine 'tfjs' or 'auto'`, {
      reason: support.reason,
    });
  }
  return { engine: createTfjsEngine(setup), reason: `tfjs: ${support.reason}` };
}

/**
 * The validation-selected best point of a run: its metric value and epoch (-1: the starting
 * weights), the epochs since it last improved, and with `restoreBest` a copy of its weights.
 */
class BestPoint {
  value: number | undefined;
  epoch = -1;
  sinceImprovement = 0;
  private snapshot: tf.Tensor[] | undefined;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly keepWeights: boolean,
    private readonly minDelta: number,
  ) {}

  /** Takes `value` at `epoch` if it beats the best by more than minDelta (the first always does). */
  consider(value: number, epoch: number): void {
    if (this.value !== undefined && !(value > this.value + this.minDelta)) {
      this.sinceImprovement++;
      return;
    }
    this.value = value;
    this.epoch = epoch;
    this.sinceImprovement = 0;
    if (this.keepWeights) {
      this.drop();
      this.snapshot = this.model.getWeights().map((w) => tf.clone(w));
    }
  }

  /** Puts the best weights back into the model (and the engine); false when none were kept. */
  restore(engine: TrainingEngine): boolean {
    if (this.snapshot === undefined) return false;
    this.model.setWeights(this.snapshot);
    engine.syncFromModel();
    return true;
  }

  drop(): void {
    if (this.snapshot) tf.dispose(this.snapshot);
    this.snapshot = undefined;
  }
}

/** Validation metrics of the model as it is. */
function validate(model: tf.LayersModel, set: RankedValidationSet, k: number): { hr: number; ndcg: number; mrr: number } {
  const metrics = evaluateSampled(model, set, { k });
  return { hr: metrics.hr, ndcg: metrics.ndcg, mrr: metrics.mrr };
}

async function runLoop(
  engine: TrainingEngine,
  engineReason: string,
  setup: EngineSetup,
  loop: ResolvedLoopOptions,
  opts: TrainOptions,
  validationSet: RankedValidationSet | undefined,
): Promise<TrainHistory> {
  const { model } = setup;
  const { epochs } = loop.engineOptions;
  const { earlyStopping } = loop;
  const validation = validationSet === undefined ? undefined : loop.validation;
  const history: TrainHistory = { epochs: [], engine: engine.name, engineReason, threads: engine.threads, stoppedEarly: false, aborted: false };
  const best = new BestPoint(model, earlyStopping?.restoreBest ?? false, earlyStopping?.minDelta ?? 0);
  // Aborted after some steps of an epoch: the weights are then no finished epoch's.
  let abortedMidEpoch = false;
  const started = now();
  try {
    // The starting weights are a candidate too (a pretrained model may already be at its best):
    // they are validated first, as "epoch -1", and restoreBest can hand them back.
    if (validation && validationSet) {
      history.initialValidation = validate(model, validationSet, validation.k);
      best.consider(history.initialValidation[validation.metric], -1);
    }
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = now();
      const result = await engine.runEpoch(epoch, { signal: opts.signal, onBatchEnd: opts.onBatchEnd });
      const seconds = (now() - t0) / 1000;
      if (result.aborted) {
        history.aborted = true;
        abortedMidEpoch = result.batches > 0;
        break;
      }
      const done = epoch + 1;
      const instancesPerSecond = seconds > 0 ? result.instances / seconds : result.instances > 0 ? Infinity : 0;
      const logs: EpochLogs = { epoch, loss: result.loss, instances: result.instances, instancesPerSecond, seconds, etaSeconds: 0, engine: engine.name };
      // The model holds this epoch's weights when validation or onEpochEnd looks at it (a callback
      // may save a checkpoint); a fused engine otherwise writes them back only at the end.
      const validating = validation !== undefined && done % validation.every === 0;
      if (validating || opts.onEpochEnd) engine.syncToModel();
      if (validating && validationSet) {
        logs.validation = validate(model, validationSet, validation.k);
        best.consider(logs.validation[validation.metric], epoch);
      }
      // The ETA counts validation time too: it is what the user waits for.
      logs.etaSeconds = ((now() - started) / 1000 / done) * (epochs - done);
      history.epochs.push(logs);
      if (opts.onEpochEnd) await opts.onEpochEnd(epoch, logs);
      if (earlyStopping && best.sinceImprovement >= earlyStopping.patience && done < epochs) {
        history.stoppedEarly = true;
        break;
      }
    }
    engine.syncToModel();
    const last = history.epochs.length - 1;
    if (!history.aborted && best.restore(engine)) history.bestEpoch = best.epoch;
    else if (last >= 0 && !abortedMidEpoch) history.bestEpoch = history.epochs[last].epoch;
    if (best.value !== undefined) history.bestValidation = best.value;
    return history;
  } catch (error) {
    // Best effort: leave the model with the last finished step's weights; the original error wins.
    try {
      engine.syncToModel();
    } catch {
      // the engine itself failed; nothing more to save
    }
    throw error;
  } finally {
    best.drop();
    await engine.dispose();
  }
}

/** `excludeFromNegatives` as one set for both (the plain form) or one per kind of negatives. */
function splitExclusions(value: TrainOptions['excludeFromNegatives']): {
  training?: Interactions;
  validation?: Interactions;
  trainingName: string;
  validationName: string;
} {
  if (value !== undefined && isSplitExclusions(value)) {
    return {
      training: value.training,
      validation: value.validation,
      trainingName: 'excludeFromNegatives.training',
      validationName: 'excludeFromNegatives.validation',
    };
  }
  return { training: value, validation: value, trainingName: 'excludeFromNegatives', validationName: 'excludeFromNegatives' };
}

/** The `{ training, validation }` form of `excludeFromNegatives` (an Interactions has `users`). */
function isSplitExclusions(value: object): value is NegativeExclusions {
  return !('users' in value) && ('training' in value || 'validation' in value);
}

/** A LayersModel, also from another copy of tfjs in the same app (where instanceof fails). */
function isLayersModel(model: unknown): model is tf.LayersModel {
  if (model instanceof tf.LayersModel) return true;
  const m = model as Partial<tf.LayersModel> | null;
  return (
    typeof m === 'object' && m !== null && Array.isArray(m.inputs) && Array.isArray(m.outputs) &&
    typeof m.apply === 'function' && typeof m.getWeights === 'function' && typeof m.setWeights === 'function'
  );
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
