// The model builders: tfjs-layers factories for GMF, MLP and NeuMF, their composable blocks, and
// the recogniser the engines, scorers and bundles use to spot the standard models.
export { Embedding } from './embedding.js';
export type { EmbeddingArgs, EmbeddingBlock, EmbeddingInitializer } from './embedding.js';
export { GMF } from './gmf.js';
export type { GMFArgs, GMFBlockOptions } from './gmf.js';
export { MLP } from './mlp.js';
export type { MLPArgs, MLPBlockOptions } from './mlp.js';
export { NeuMF } from './neumf.js';
export type { NeuMFArgs } from './neumf.js';
export { pretrainedNeuMF } from './pretrained.js';
export type { PretrainedNeuMFOptions } from './pretrained.js';
export { inspectModel, regularizerL2 } from './inspect.js';
export { FeaturePool, featureValueMaps, registerFeaturePool } from './feature-pool.js';
export type { FeaturePoolConfig } from './feature-pool.js';
export type { SideFeatureArgs } from './side-features.js';
export { LAYER_NAMES } from '../ncf/index.js';
export type { NcfArchitecture, NcfFeatureField, NcfFeatures, NcfKind } from '../ncf/index.js';
