// Training: the train() loop, its options, the tfjs engine and the loss functions both engines share.
export { train } from './train.js';
export { createFusedEngine, fusedSupport } from './fused/index.js';
export type { FusedEngine, FusedSupport, KernelKind } from './fused/index.js';
export { resolveTrainOptions, TRAIN_DEFAULTS } from './options.js';
export { createTfjsEngine } from './tfjs-engine.js';
export { pointwiseLoss, pairwiseLoss } from './batch-loss.js';
export { createScoreHead } from './logit-head.js';
export type { ScoreHead } from './logit-head.js';
export { bceFromLogits, bceFromProbabilities, bprFromLogits, logitOfProbability, PROBABILITY_EPSILON } from './losses.js';
export type {
  EngineName,
  BatchLogs,
  EpochLogs,
  ValidationOptions,
  EarlyStoppingOptions,
  OptimizerOptions,
  NegativeExclusions,
  ValidationLists,
  TrainOptions,
  TrainHistory,
  ResolvedTrainOptions,
  EpochHooks,
  EpochResult,
  EngineSetup,
  TrainingEngine,
  Weighting,
} from './types.js';
