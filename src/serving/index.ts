// Serving: top-k over dense indices (recommend, similarItems) and the app facade with external
// ids (Recommender, with fold-in of new users).
export { recommend } from './recommend.js';
export type { Recommendation, RecommendOptions } from './recommend.js';
export { recommendAll } from './recommend-all.js';
export type { RecommendAllOptions, RecommendAllBatch, RecommendAllStream } from './recommend-all.js';
export { similarItems } from './similar.js';
export type { SimilarItemsOptions } from './similar.js';
export { Recommender } from './recommender.js';
export type {
  ExternalId,
  UnknownUserPolicy,
  RecommendedItem,
  SimilarItem,
  RecommenderRecommendOptions,
  RecommenderRecommendAllOptions,
  UserRecommendations,
  RecommenderSimilarOptions,
  RecommenderParts,
  RecommenderFitOptions,
} from './recommender-types.js';
export type { FoldInOptions, FoldInResult } from './fold-in.js';
export { runExclusive } from './exclusive.js';
// the per-user index the Recommender keeps (defined in data/, where it is built)
export type { SeenItems } from '../data/seen-items.js';
