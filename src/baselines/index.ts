// neural-recsys/baselines: popularity, item kNN, implicit ALS, EASE and dot-product MF, each fitted
// on Interactions and returned as a Scorer usable wherever a model is. No TensorFlow.js here.
export type { BaselineKind, BaselineScorer } from './scorer.js';
export type { FactorBaselineScorer } from './factors.js';
export { fitPopularity } from './popularity.js';
export type { PopularityBaselineOptions, PopularityScorer } from './popularity.js';
export { fitItemKNN } from './item-knn.js';
export type { ItemKNNOptions, ItemKNNScorer, ItemNeighbours } from './item-knn.js';
export { fitALS } from './als.js';
export type { ALSOptions, ALSScorer } from './als.js';
export { fitEASE, EASE_MAX_ITEMS } from './ease.js';
export type { EASEOptions, EASEScorer } from './ease.js';
export { fitMF } from './mf.js';
export type { MFOptions, MFScorer } from './mf.js';
