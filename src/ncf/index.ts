// One description of the standard NCF models: the architecture (what inspectModel recognises and a
// bundle records) and what it implies (widths and the ordered weight list), shared by the builders,
// the fused engine, the fast scorer, fold-in and the bundle format. No tfjs: worker threads load it.
export { LAYER_NAMES } from './architecture.js';
export type { NcfArchitecture, NcfFeatureField, NcfFeatures, NcfKind } from './architecture.js';
export { ncfSpec, ncfTable, sideFeaturesReason, weightSize } from './spec.js';
export { pooledTable, type PoolField } from './pooled-tables.js';
export type { NcfBlock, NcfDenseWeight, NcfIndexWeight, NcfSide, NcfSpec, NcfTableWeight, NcfWeight } from './spec.js';
