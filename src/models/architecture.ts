// Transitional: the architecture moved to src/ncf/. serving/fold-in.ts still imports it from here
// until its owner switches the import to '../ncf/index.js'; then delete this file.
export { LAYER_NAMES } from '../ncf/index.js';
export type { NcfArchitecture, NcfKind } from '../ncf/index.js';
