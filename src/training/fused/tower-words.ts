// The wasm tower's config table: the index of each i32 word. ONE table for both sides: wasm/tower.ts
// (AssemblyScript) imports these constants to read the words, tower-wasm.ts imports them to write
// them. Keep this file valid AssemblyScript as well as TypeScript: integer constants and comments
// only (asc infers i32 for each).

/** Dense layers of the tower (tower.length - 1 >= 1). */
export const C_LAYERS = 0;
/** Padded width of one MLP embedding (mlpWidth rounded up to the SIMD width). */
export const C_PADDED_WIDTH = 1;
/** Byte distance from a weight to its gradient. */
export const C_GRAD = 2;
/** The tower part of the prediction kernel [width of the last layer]. */
export const C_WP = 3;
/** The current user's MLP embedding (forward). */
export const C_XU = 4;
/** The user of the current run (backward). */
export const C_XRUN = 5;
/** User half of layer 1's pre-activation, plus bias. */
export const C_PRE = 6;
/** dL/da of layer 1 summed over the run. */
export const C_RUN = 7;
/** dL/dh of the layer being back-propagated. */
export const C_DH = 8;
/** dL/dh of its input. */
export const C_DIN = 9;
/** i32 indices of the live units. */
export const C_LIVE = 10;
/** dL/dU[u] of the flushed run (output). */
export const C_DU = 11;
/** Bytes per slot. */
export const C_SLOT = 12;
/** First slot; a slot holds x (item half) at 0, dx at paddedWidth * 8, then its activations. */
export const C_SLOT0 = 13;
/** Words before the per-layer words (the global words above, then padding). */
export const C_GLOBAL_WORDS = 16;
/** Per layer l, LAYER_WORDS words starting at C_GLOBAL_WORDS + LAYER_WORDS * l: */
export const LAYER_WORDS = 4;
/** padded output width, */
export const L_WIDTH = 0;
/** kernel (layer 0's is two matrices [width][paddedWidth]: the user half, then the item half), */
export const L_KERNEL = 1;
/** bias, */
export const L_BIAS = 2;
/** activation offset in a slot. */
export const L_ACTIVATION = 3;
