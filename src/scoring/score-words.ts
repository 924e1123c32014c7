// The wasm scorer kernel's config table: the index of each i32 word. ONE table for both sides:
// wasm/score.ts (AssemblyScript) imports these constants to read the words, score-wasm.ts imports
// them to write them. Keep this file valid AssemblyScript as well as TypeScript: integer constants
// and comments only (asc infers i32 for each).

/** Number of items. */
export const C_ITEMS = 0;
/** Padded width of the first MLP stage (0: no MLP part). */
export const C_P1 = 1;
/** Padded GMF factors (0: no GMF part). */
export const C_PF = 2;
/** Dense layers after mlp_layer1 (mlp_layer2..N). */
export const C_HIDDEN = 3;
/** c_i, [items][P1]. */
export const C_CTAB = 4;
/** q_i, [items][PF]. */
export const C_GTAB = 5;
/** a_u [P1]. */
export const C_AU = 6;
/** g_u [PF]. */
export const C_GU = 7;
/** The prediction kernel's MLP part [padded last width]. */
export const C_WOUT = 8;
/** The prediction bias (one f32). */
export const C_BIAS = 9;
/** Activations of a block of items [BLOCK][widest padded width]. */
export const C_BUFA = 10;
/** The second activation block. */
export const C_BUFB = 11;
/** Scores (f32), one per item scored. */
export const C_OUT = 12;
/** Item indices (i32) for scoreList. */
export const C_LIST = 13;
/** Padded width of the last MLP stage. */
export const C_LAST = 14;
/** 1: no hidden layer at all, the MLP term is a_u[0] + c_i[0] (no ReLU). */
export const C_LINEAR = 15;
/** The item half of mlp_layer1's kernel [paddedWidth][P1] (or, with no hidden layer, the output's item part). */
export const C_W1I = 16;
/** Padded width of the MLP item embedding (mlpWidth rounded up to 4). */
export const C_PADDED_WIDTH = 17;
/** P1 zeros: the bias of the item half. */
export const C_ZERO = 18;
/** Words before the per-layer words (the global words above, then padding). */
export const C_GLOBAL_WORDS = 20;
/** Per hidden layer l, LAYER_WORDS words starting at C_GLOBAL_WORDS + LAYER_WORDS * l: */
export const LAYER_WORDS = 4;
/** padded input width, */
export const L_IN = 0;
/** padded output width, */
export const L_OUT = 1;
/** kernel [in][out], */
export const L_KERNEL = 2;
/** bias [out]. */
export const L_BIAS = 3;
