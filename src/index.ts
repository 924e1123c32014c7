/**
 * neural-recsys: Neural Collaborative Filtering (GMF, MLP, NeuMF) for every JavaScript runtime.
 *
 * The package entry point re-exports every area. The tfjs-free areas are also available alone as
 * `neural-recsys/metrics`, `neural-recsys/sampling`, `neural-recsys/data` and
 * `neural-recsys/baselines`.
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
export { avoidWasmThreadClash } from './training/wasm-threads.js';
export type { WasmThreadClash } from './training/wasm-threads.js';
export * from './evaluation/index.js';
export * from './serving/index.js';
export * from './io/index.js';
export * from './baselines/index.js';
export { saveBaseline, loadBaseline, BASELINE_BUNDLE_FORMAT } from './io/baseline-bundle.js';
export type { BaselineManifest, SaveBaselineResult } from './io/baseline-bundle.js';
export { tune } from './tuning/tune.js';
export type { TuneContext, TuneMetric, TuneOptions, TuneResult, TuneRun, TuneSpace, TuneTrial } from './tuning/tune.js';
