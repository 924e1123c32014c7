// neural-recsys/sampling: the seeded PRNG and the negative sampler. No TensorFlow.js here.
// The PRNG itself lives in ../_lib/random.ts (every area draws from it); this entry re-exports it.
export { mulberry32, deriveSeed, randomInt, type Random } from '../_lib/random.js';
export {
  NegativeSampler,
  type SamplingStrategy,
  type NegativeSamplerOptions,
  type Shard,
  type BatchOptions,
  type Batch,
  type PairBatch,
  type SamplerState,
  type Weighting,
} from './negative-sampler.js';
// re-exported because the sampler's constructor takes it (the data entry point exports it too)
export type { Interactions } from '../data/interactions.js';
