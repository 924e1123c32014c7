/**
 * neural-recsys: Neural Collaborative Filtering (GMF, MLP, NeuMF) for every JavaScript runtime.
 *
 * The package entry point re-exports every area. The tfjs-free areas are also available alone as
 * `neural-recsys/metrics`, `neural-recsys/sampling` and `neural-recsys/data`.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './models/index.js';
export { ensureFastGatherGradient } from './_lib/gather-gradient.js';
export * from './data/index.js';
export * from './sampling/index.js';
export * from './metrics/index.js';
export * from './training/index.js';
export * from './scoring/index.js';
export * from './evaluation/index.js';
export * from './serving/index.js';
export * from './io/index.js';
