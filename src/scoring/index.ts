// Scoring: the one interface through which evaluation, serving, io and training ask a model for
// scores (Scorer), the scorers behind it (a fast path for the standard NCF models, model.predict
// for any other), and the helpers that read embedding tables out of a model. The root entry
// exports the public part (Scorer, createScorer, isScorer and their option types); the rest is the
// library's own surface between areas.
export type { Scorer } from './scorer.js';
export { createScorer, isScorer, resolveScorer, scorePairs, checkScores } from './scorer-create.js';
export type { ScorerOptions, ModelScorer } from './scorer-create.js';
export { embeddingRows, embeddingsFedBy } from './model-embeddings.js';
export { ChunkRanker, chunkSeen } from './rank-chunk.js';
export type { ChunkSeen, RankedChunk } from './rank-chunk.js';
export { ScoreWorkers, liveScoreWorkers, scoreWorkersUnavailable, workerWeights } from './score-pool.js';
