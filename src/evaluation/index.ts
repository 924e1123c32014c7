// Evaluation: the NCF sampled protocol and full ranking. Both ask the model for scores through a
// Scorer (see ../scoring).
export { evaluateSampled } from './sampled.js';
export type { EvaluateSampledOptions, SampledEvaluation, SampledPerPositive, SampledTestSet } from './sampled.js';
export { evaluateFull } from './full.js';
export type { EvaluateFullOptions, FullEvaluation } from './full.js';
