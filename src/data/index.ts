// neural-recsys/data: interactions as typed arrays, id maps, readers, splits and synthetic data.
// No TensorFlow.js here: this entry point works alone in Node, browsers and workers.
export { validateInteractions } from './interactions.js';
export type { Interactions } from './interactions.js';
export { IdMap } from './id-map.js';
export type { IdKind, IdMapJSON, IdMapOptions, WidenId } from './id-map.js';
export { interactionsFrom } from './interactions-from.js';
export type { DuplicatePolicy, InteractionColumns, MappedInteractions, MappingOptions, UnknownIdPolicy } from './interactions-from.js';
export type { Source, TextSource } from './source.js';
export { readNcf } from './ncf.js';
export type { NcfData, NcfFiles, NcfSource, NcfTestSet } from './ncf.js';
export { readMovieLens, readMovieLensTitles } from './movielens.js';
export type { MovieLensFormat, MovieLensOptions } from './movielens.js';
export { readCsv } from './csv.js';
export type { CsvId, CsvIdType, CsvOptions } from './csv.js';
export { leaveOneOut, validationSplit, holdout, temporalSplit } from './splits.js';
export type {
  HoldoutOptions,
  LeaveOneOutOptions,
  SplitBy,
  TemporalSplit,
  TemporalSplitOptions,
  TrainTestSplit,
  TrainValidationSplit,
} from './splits.js';
export { syntheticInteractions } from './synthetic.js';
export type { SyntheticInteractions, SyntheticOptions, SyntheticTruth } from './synthetic.js';
export { seenItems } from './seen-items.js';
export type { SeenItems } from './seen-items.js';
export { itemPopularity } from './popularity.js';
export type { PopularityOptions } from './popularity.js';
export { syntheticMovieLens20M, MOVIELENS_20M_SHAPE } from './synthetic-scale.js';
export type { SyntheticMovieLens20M, SyntheticMovieLens20MOptions, SyntheticMovieLens20MTruth } from './synthetic-scale.js';
export { FeatureTable } from './features.js';
export { featuresFrom } from './features-from.js';
export type { BucketedField, FeatureField, FeatureFieldJSON, FeatureOptions, FeatureRow, FeatureTableJSON, FeatureValue, FieldSpec } from './features.js';
export { readFeaturesCsv } from './features-csv.js';
export type { FeatureCsvOptions } from './features-csv.js';
export { MOVIELENS_100K_GENRES, readMovieLensMovies, readMovieLensUsers } from './movielens-features.js';
export type { MovieLensMovieRow, MovieLensUserOptions, MovieLensUserRow } from './movielens-features.js';
export { coldItemSplit, evaluateColdItems } from './cold-split.js';
export type { ColdItemEvaluation, ColdItemEvaluationOptions, ColdItemScorer, ColdItemSplit, ColdItemSplitOptions } from './cold-split.js';
export { featurePopularity } from './feature-popularity.js';
export type { FeaturePopularityOptions, FeaturePopularityScorer } from './feature-popularity.js';
