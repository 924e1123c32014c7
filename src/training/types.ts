import type * as tf from '@tensorflow/tfjs';
import type { Interactions } from '../data/interactions.js';
import type { NcfArchitecture } from '../ncf/index.js';

/** Which training engine to use. @category Training */
export type EngineName = 'auto' | 'fused' | 'tfjs';

import type { Weighting } from '../sampling/negative-sampler.js';

export type { Weighting };

/** Logs passed to `onBatchEnd`. @category Training */
export interface BatchLogs {
  /** Mean loss over this batch. */
  loss: number;
  /** Training instances in this batch (positives + negatives; pairs for BPR). */
  size: number;
}

/** Logs passed to `onEpochEnd` and kept in the history. @category Training */
export interface EpochLogs {
  /** 0-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Training instances seen in this epoch. */
  instances: number;
  /** Instances per second over this epoch (sampling included). */
  instancesPerSecond: number;
  /** Wall-clock seconds this epoch took (validation excluded). */
  seconds: number;
  /** Estimated seconds left for the remaining epochs. */
  etaSeconds: number;
  /** Validation metrics when validation ran this epoch (e.g. `{ hr: 0.61, ndcg: 0.35 }`). */
  validation?: Record<string, number>;
  /** Engine used ('fused' or 'tfjs'). */
  engine: 'fused' | 'tfjs';
}

/**
 * Held-out positives with their own negatives, in the NCF form: row `r` ranks `items[r]` for
 * `users[r]` against `negatives[r]`.
 *
 * @example
 * ```ts
 * const lists: ValidationLists = { users: Int32Array.of(0), items: Int32Array.of(3), negatives: [Int32Array.of(1, 2, 4)] };
 * ```
 * @category Training
 */
export interface ValidationLists {
  /** User of each held-out positive. */
  users: Int32Array;
  /** The held-out item of each row. */
  items: Int32Array;
  /** The items each row's positive is ranked against. */
  negatives: Int32Array[];
}

/** Validation settings for model selection. Never pass test data here. @category Training */
export interface ValidationOptions {
  /**
   * Held-out positives to rank. Either interactions (one or more positives per user, ranked
   * against `negatives` sampled items each, or all items when `protocol: 'full'`), or the NCF form
   * with explicit negatives per positive.
   */
  data: Interactions | ValidationLists;
  /** Validate every N epochs. Default 1. */
  every?: number;
  /** Metric to select on. Default 'ndcg'. */
  metric?: 'hr' | 'ndcg' | 'mrr';
  /** Cut-off K. Default 10. */
  k?: number;
  /** Sampled negatives per positive when `data` gives none. Default 99. */
  negatives?: number;
}

/** Options of {@link train}. Every field has a default. @category Training */
export interface TrainOptions {
  /** Passes over the data. Default 20. */
  epochs?: number;
  /** Instances per gradient step. Default 256. */
  batchSize?: number;
  /** Negatives sampled per positive, resampled every epoch. Default 4. */
  negatives?: number;
  /** Default 0.001. */
  learningRate?: number;
  /**
   * 'adam' (default) or 'sgd', or `{ name, rows }`: `rows: 'dense'` (default) gives the embedding
   * tables dense Adam's semantics on every engine (the fused engine catches a row up on the steps it
   * sat out, see docs/fused-engine.md); `rows: 'lazy'` is LazyAdam (a row moves only in the steps
   * whose batch touches it; fused engine only). SGD is the same either way.
   */
  optimizer?: 'adam' | 'sgd' | OptimizerOptions;
  /** 'bce' (pointwise, the paper's log loss) or 'bpr' (pairwise). Default 'bce'. */
  loss?: 'bce' | 'bpr';
  /** Seed for sampling and shuffling. Default 42. */
  seed?: number;
  /** Negative sampling strategy. Default 'uniform'. */
  sampling?: 'uniform' | 'popularity';
  /**
   * Use `data.weights` (e.g. how often a pair occurred, summed by `readCsv`/`interactionsFrom`) as
   * confidence on each positive's loss term: `'linear'` c = 1 + weightScale * w, `'log'`
   * c = 1 + weightScale * log(1 + w) (Hu, Koren, Volinsky 2008); negatives keep weight 1. BCE is then
   * the batch mean of c_b * loss_b, BPR weights each pair by its positive's c. A pair listed more
   * than once in `data` counts once, with its weights summed. Default `'none'`: the weights are
   * ignored and training is exactly the unweighted one. Anything else needs `data.weights` (finite,
   * >= 0), else `INVALID_ARGUMENT`.
   */
  weighting?: Weighting;
  /** The scale of {@link TrainOptions.weighting}'s confidence, a finite number > 0. Default 1. */
  weightScale?: number;
  /**
   * Extra items never to sample as negatives for a user (e.g. held-out test items): one set for
   * training and validation negatives alike, or `{ training, validation }` to set them apart (e.g.
   * keep the test items out of the validation negatives without changing training).
   */
  excludeFromNegatives?: Interactions | NegativeExclusions;
  /** Model selection on held-out validation data (never test data). Default: none. */
  validation?: ValidationOptions;
  /** Stop when validation stops improving. Needs `validation`. Default: none. */
  earlyStopping?: EarlyStoppingOptions;
  /** Default 'auto': fused for standard models, tfjs otherwise. */
  engine?: EngineName;
  /** Worker threads for the fused engine. Default: 1 (deterministic); 'auto' uses the cores. */
  threads?: number | 'auto';
  /** Cancels training; the model keeps the weights of the last finished step. */
  signal?: AbortSignal;
  /** Called after every epoch (after validation). Returning a promise pauses training until it settles. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** Called after every batch. */
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
}

/**
 * Separate exclusions for training and validation negatives (see {@link TrainOptions.excludeFromNegatives}).
 *
 * @category Training
 * @example
 * ```ts
 * await train(model, split.train, { validation: { data: valid }, excludeFromNegatives: { validation: split.test } });
 * ```
 */
export interface NegativeExclusions {
  /** Items never sampled as training negatives for a user (besides the user's own positives). */
  training?: Interactions;
  /** Items never sampled as validation negatives for a user (besides training and validation positives). */
  validation?: Interactions;
}

/**
 * The optimizer with its options (see {@link TrainOptions.optimizer}).
 *
 * @category Training
 * @example
 * ```ts
 * await train(model, data, { optimizer: { name: 'adam', rows: 'lazy' } });
 * ```
 */
export interface OptimizerOptions {
  /** 'adam' or 'sgd'. */
  name: 'adam' | 'sgd';
  /**
   * How Adam treats the embedding rows a batch does not touch: 'dense' (default: their momentum
   * keeps moving them, as PyTorch's, Keras's and tfjs's Adam do) or 'lazy' (they stay put until
   * touched; fused engine only).
   */
  rows?: 'dense' | 'lazy';
}

/** What {@link train} returns. @category Training */
export interface TrainHistory {
  /** One entry per finished epoch. */
  epochs: EpochLogs[];
  /** Engine that ran. */
  engine: 'fused' | 'tfjs';
  /** Why the engine was chosen (e.g. "fused: standard NeuMF" or "tfjs: custom layers"). */
  engineReason: string;
  /** Threads the engine actually used (the fused engine falls back to 1 without shared memory; see engineReason). */
  threads: number;
  /**
   * Epoch whose weights the model holds at the end (the best one when restoreBest); -1 when
   * restoreBest handed back the starting weights because no epoch beat them.
   */
  bestEpoch?: number;
  /** Validation metrics of the starting weights (before the first epoch), when validation is on. */
  initialValidation?: Record<string, number>;
  /** The best validation value, when validation ran. */
  bestValidation?: number;
  /** True when early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
  /** True when `signal` aborted training. */
  aborted: boolean;
}

/**
 * Early stopping on the validation metric.
 *
 * @example
 * ```ts
 * await train(model, data, { validation: { data: valid }, earlyStopping: { patience: 3 } });
 * ```
 * @category Training
 */
export interface EarlyStoppingOptions {
  /** Validations without improvement before stopping. Default 3. */
  patience?: number;
  /** Put the best validated weights back into the model at the end. Default true. */
  restoreBest?: boolean;
  /** Smallest gain that counts as an improvement. Default 0. */
  minDelta?: number;
}

/**
 * Fully resolved options handed to an engine (see {@link TrainOptions} for each field's meaning).
 *
 * @example
 * ```ts
 * resolveTrainOptions({ epochs: 5 }).batchSize; //=> 256
 * ```
 * @category Training
 */
export interface ResolvedTrainOptions {
  /** Passes over the data. */
  epochs: number;
  /** Instances per gradient step. */
  batchSize: number;
  /** Negatives sampled per positive. */
  negatives: number;
  /** Step size. */
  learningRate: number;
  /** 'adam' or 'sgd'. */
  optimizer: 'adam' | 'sgd';
  /** Adam on embedding rows: 'dense' (catch-up) or 'lazy' (see {@link OptimizerOptions.rows}). */
  adamRows: 'dense' | 'lazy';
  /** 'bce' or 'bpr'. */
  loss: 'bce' | 'bpr';
  /** Seed for sampling and shuffling. */
  seed: number;
  /** Negative sampling strategy. */
  sampling: 'uniform' | 'popularity';
  /** Confidence from `data.weights` (see {@link TrainOptions.weighting}). */
  weighting: Weighting;
  /** The confidence's scale (see {@link TrainOptions.weightScale}). */
  weightScale: number;
  /** Worker threads for the fused engine (resolved from 'auto'). */
  threads: number;
}

/** Per-epoch callbacks an engine must honour. */
export interface EpochHooks {
  /** Aborts the epoch between steps. */
  signal?: AbortSignal;
  /** Called after each step with the batch's mean loss and size. */
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
}

/** What an engine reports for one epoch. */
export interface EpochResult {
  /** Mean loss over the instances of the epoch. */
  loss: number;
  /** Instances trained on in this epoch. */
  instances: number;
  /** Gradient steps taken in this epoch. */
  batches: number;
  /** True when the signal aborted the epoch part-way (weights are those of the last full step). */
  aborted: boolean;
}

/** Everything an engine needs to start. */
export interface EngineSetup {
  /** The model to train (the weights are read from and written back to it). */
  model: tf.LayersModel;
  /** The recognised architecture, when the model is a standard one. */
  architecture: NcfArchitecture | null;
  /** Training positives. */
  data: Interactions;
  /** Items never to sample as negatives, per user (besides the user's own positives). */
  excludeFromNegatives?: Interactions;
  /** The resolved training options. */
  options: ResolvedTrainOptions;
}

/**
 * A training engine: runs epochs over freshly sampled negatives. Internal; `train()` owns the loop,
 * validation, early stopping and callbacks.
 */
export interface TrainingEngine {
  /** Which engine this is. */
  readonly name: 'fused' | 'tfjs';
  /** Threads actually used. */
  readonly threads: number;
  /** Runs one epoch (sampling with a seed derived from options.seed and `epoch`). */
  runEpoch(epoch: number, hooks: EpochHooks): Promise<EpochResult>;
  /** Writes the engine's weights into the LayersModel (no-op when the engine trains it directly). */
  syncToModel(): void;
  /** Reloads the engine's weights from the LayersModel (after restore-best or a user's setWeights). */
  syncFromModel(): void;
  /** Frees tensors, workers and buffers. Safe to call twice. */
  dispose(): Promise<void>;
}
