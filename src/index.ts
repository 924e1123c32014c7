/**
 * neural-recsys: Neural Collaborative Filtering (GMF, MLP, NeuMF) for every JavaScript runtime.
 *
 * The package entry point exports what an app uses, by name: the contract of the public API
 * (models, training, evaluation, serving, persistence, errors) plus a few documented extras (the
 * data readers and splits, the ranking metrics, the Scorer interface, the sampler). The training
 * engines' insides (kernels, loss heads, resolved options) are private to the library. The
 * tfjs-free areas are also available alone as `neural-recsys/metrics`, `neural-recsys/sampling`
 * and `neural-recsys/data`.
 *
 * @packageDocumentation
 */

// ---- errors: every bad input ends in a RecsysError with a code ----
/** @category Errors */
export { RecsysError, isRecsysError } from './errors.js';
/** @category Errors */
export { type RecsysErrorCode } from './errors.js';

// ---- models: the tfjs-layers builders and their blocks ----
/** @category Models */
export { Embedding, GMF, MLP, NeuMF, pretrainedNeuMF, inspectModel, LAYER_NAMES } from './models/index.js';
// side features: the pooled-field layer (for tf.loadLayersModel outside loadModel) and the value maps a model serves with
/** @category Models */
export { FeaturePool, featureValueMaps, registerFeaturePool } from './models/index.js';
/** @category Models */
export {
  type EmbeddingArgs,
  type EmbeddingBlock,
  type EmbeddingInitializer,
  type GMFArgs,
  type GMFBlockOptions,
  type MLPArgs,
  type MLPBlockOptions,
  type NeuMFArgs,
  type PretrainedNeuMFOptions,
  type NcfArchitecture,
  type NcfFeatureField,
  type NcfFeatures,
  type NcfKind,
  type FeaturePoolConfig,
  type SideFeatureArgs,
} from './models/index.js';
// for models not built by the builders (e.g. from tf.loadLayersModel): fast embedding gradients
/** @category Models */
export { ensureFastGatherGradient } from './_lib/gather-gradient.js';

// ---- data: interactions, id maps, readers, splits (also `neural-recsys/data`) ----
/** @category Data */
export {
  validateInteractions,
  IdMap,
  interactionsFrom,
  readNcf,
  readMovieLens,
  readMovieLensTitles,
  readCsv,
  leaveOneOut,
  validationSplit,
  holdout,
  temporalSplit,
  syntheticInteractions,
  seenItems,
  itemPopularity,
  syntheticMovieLens20M,
  MOVIELENS_20M_SHAPE,
  FeatureTable,
  featuresFrom,
  readFeaturesCsv,
  readMovieLensMovies,
  readMovieLensUsers,
  MOVIELENS_100K_GENRES,
  coldItemSplit,
  evaluateColdItems,
  featurePopularity,
} from './data/index.js';
/** @category Data */
export {
  type Interactions,
  type IdKind,
  type IdMapJSON,
  type IdMapOptions,
  type WidenId,
  type DuplicatePolicy,
  type InteractionColumns,
  type MappedInteractions,
  type MappingOptions,
  type UnknownIdPolicy,
  type Source,
  type TextSource,
  type NcfData,
  type NcfFiles,
  type NcfSource,
  type NcfTestSet,
  type MovieLensFormat,
  type MovieLensOptions,
  type CsvId,
  type CsvIdType,
  type CsvOptions,
  type HoldoutOptions,
  type LeaveOneOutOptions,
  type SplitBy,
  type TemporalSplit,
  type TemporalSplitOptions,
  type TrainTestSplit,
  type TrainValidationSplit,
  type SyntheticInteractions,
  type SyntheticOptions,
  type SyntheticTruth,
  type SeenItems,
  type PopularityOptions,
  type SyntheticMovieLens20M,
  type SyntheticMovieLens20MOptions,
  type SyntheticMovieLens20MTruth,
  type BucketedField,
  type FeatureField,
  type FeatureFieldJSON,
  type FeatureOptions,
  type FeatureRow,
  type FeatureTableJSON,
  type FeatureValue,
  type FieldSpec,
  type FeatureCsvOptions,
  type MovieLensMovieRow,
  type MovieLensUserOptions,
  type MovieLensUserRow,
  type ColdItemEvaluation,
  type ColdItemEvaluationOptions,
  type ColdItemScorer,
  type ColdItemSplit,
  type ColdItemSplitOptions,
  type FeaturePopularityOptions,
  type FeaturePopularityScorer,
} from './data/index.js';

// ---- sampling: the seeded negative sampler (also `neural-recsys/sampling`) ----
/** @category Sampling */
export { NegativeSampler, mulberry32 } from './sampling/index.js';
/** @category Sampling */
export { type Random, type SamplingStrategy, type NegativeSamplerOptions, type Shard, type BatchOptions, type Batch, type PairBatch, type SamplerState } from './sampling/index.js';

// ---- metrics: pure functions over ranks (also `neural-recsys/metrics`) ----
/** @category Metrics */
export {
  rankOf,
  TIE_POLICIES,
  hitRate,
  ndcg,
  mrr,
  precision,
  recall,
  averagePrecision,
  auc,
  topK,
  rankMetrics,
  topKMetrics,
  relevantRanks,
} from './metrics/index.js';
/** @category Metrics */
export { type TiePolicy, type RankMetricsOptions, type RankMetricsResult, type RankMetricsMeans, type TopKMetrics } from './metrics/index.js';

// ---- training ----
/** @category Training */
export { train } from './training/index.js';
// documented extra: train()'s options checked and defaulted up front, as train() resolves them
/** @category Training */
export { resolveTrainOptions } from './training/index.js';
/** @category Training */
export {
  type ResolvedTrainOptions,
  type EngineName,
  type BatchLogs,
  type EpochLogs,
  type ValidationOptions,
  type EarlyStoppingOptions,
  type ValidationLists,
  type TrainOptions,
  type TrainHistory,
  type NegativeExclusions,
  type OptimizerOptions,
  type Weighting,
} from './training/index.js';
// browsers: tfjs's threaded wasm build can hang in cross-origin isolated pages
/** @category Training */
export { avoidWasmThreadClash, type WasmThreadClash } from './training/wasm-threads.js';

// ---- scoring: one interface through which evaluation and serving ask a model for scores ----
/** @category Evaluation */
export { createScorer, isScorer } from './scoring/index.js';
/** @category Evaluation */
export { type Scorer, type ScorerOptions, type ModelScorer } from './scoring/index.js';

// ---- evaluation ----
/** @category Evaluation */
export { evaluateSampled, evaluateFull } from './evaluation/index.js';
/** @category Evaluation */
export {
  type EvaluateSampledOptions,
  type SampledEvaluation,
  type SampledPerPositive,
  type SampledTestSet,
  type EvaluateFullOptions,
  type FullEvaluation,
} from './evaluation/index.js';

// ---- serving ----
/** @category Serving */
export { recommend, recommendAll, similarItems, Recommender } from './serving/index.js';
/** @category Serving */
export {
  type Recommendation,
  type RecommendOptions,
  type SimilarItemsOptions,
  type ExternalId,
  type UnknownUserPolicy,
  type RecommendedItem,
  type SimilarItem,
  type RecommenderRecommendOptions,
  type RecommenderRecommendAllOptions,
  type UserRecommendations,
  type RecommendAllOptions,
  type RecommendAllBatch,
  type RecommendAllStream,
  type RecommenderSimilarOptions,
  type RecommenderParts,
  type RecommenderFitOptions,
  type FoldInOptions,
  type FoldInResult,
} from './serving/index.js';

// ---- persistence: versioned bundles ----
/** @category Persistence */
export { saveModel, loadModel, loadLayersModel, readManifest, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BUNDLE_FILES } from './io/index.js';
/** @category Persistence */
export {
  type SaveOptions,
  type SaveResult,
  type SaveStep,
  type BundleManifest,
  type BundleWeightsInfo,
  type RecommenderManifest,
  type SeenItemsManifest,
} from './io/index.js';

// ---- baselines (also `neural-recsys/baselines`, tfjs-free) and hyper-parameter search ----
/** @category Baselines */
export { fitPopularity, fitItemKNN, fitALS, fitEASE, EASE_MAX_ITEMS, fitMF } from './baselines/index.js';
/** @category Baselines */
export {
  type BaselineKind,
  type BaselineScorer,
  type FactorBaselineScorer,
  type PopularityBaselineOptions,
  type PopularityScorer,
  type ItemKNNOptions,
  type ItemKNNScorer,
  type ItemNeighbours,
  type ALSOptions,
  type ALSScorer,
  type EASEOptions,
  type EASEScorer,
  type MFOptions,
  type MFScorer,
} from './baselines/index.js';
/** @category Persistence */
export { saveBaseline, loadBaseline, BASELINE_BUNDLE_FORMAT } from './io/baseline-bundle.js';
/** @category Persistence */
export { type BaselineManifest, type SaveBaselineResult } from './io/baseline-bundle.js';
/** @category Baselines */
export { tune } from './tuning/tune.js';
/** @category Baselines */
export { type TuneContext, type TuneMetric, type TuneOptions, type TuneResult, type TuneRun, type TuneSpace, type TuneTrial } from './tuning/tune.js';
