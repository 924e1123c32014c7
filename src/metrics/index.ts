// neural-recsys/metrics: ranking metrics as pure functions over numbers and typed arrays.
// No TensorFlow.js here: apps may evaluate scores from any system with these alone.
export { rankOf, TIE_POLICIES, type TiePolicy } from './rank.js';
export { hitRate } from './hit-rate.js';
export { ndcg } from './ndcg.js';
export { mrr } from './mrr.js';
export { precision } from './precision.js';
export { recall } from './recall.js';
export { averagePrecision } from './average-precision.js';
export { auc } from './auc.js';
export { topK } from './top-k.js';
export { rankMetrics, type RankMetricsOptions, type RankMetricsResult, type RankMetricsMeans } from './rank-metrics.js';
export { topKMetrics, relevantRanks, type TopKMetrics } from './top-k-metrics.js';
