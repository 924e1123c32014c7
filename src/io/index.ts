// Persistence: versioned bundles (tfjs model + weights + manifest with id maps, seen items,
// popularity, architecture, library version and a weight checksum), written atomically.
export { saveModel } from './save.js';
export type { SaveOptions, SaveResult, SaveStep } from './save.js';
export { loadModel, loadLayersModel, readManifest } from './load.js';
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BUNDLE_FILES } from './manifest.js';
export type { BundleManifest, BundleWeightsInfo, RecommenderManifest, SeenItemsManifest } from './manifest.js';
