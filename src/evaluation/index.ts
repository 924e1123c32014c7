// Evaluation: the NCF sampled protocol, full ranking, and the Scorer through which both (and
// serving) ask a model for scores.
export type { Scorer } from './scorer.js';
export { createScorer, isScorer } from './scorer-create.js';
export type { ScorerOptions, ModelScorer } from './scorer-create.js';
export { evaluateSampled } from './sampled.js';
export type { EvaluateSampledOptions, SampledEvaluation, SampledPerPositive, SampledTestSet } from './sampled.js';
export { evaluateFull } from './full.js';
export type { EvaluateFullOptions, FullEvaluation } from './full.js';
