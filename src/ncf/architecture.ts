// The shared description of the standard NCF models. The builders (models/), the fused engine
// (training/fused/), the fast scorer (scoring/), fold-in (serving/) and the bundle format (io/) all
// speak it, so that one LayersModel can be recognised, trained by either engine, scored fast and
// saved. What an architecture implies (widths, the list of weights) is derived once, in spec.ts.
//
// Layer names follow the paper's original Keras code, so weights line up with it and with
// TensorFlow's converter:
//   GMF:   mf_embedding_user [numUsers, factors], mf_embedding_item [numItems, factors]
//   MLP:   mlp_embedding_user [numUsers, layers[0]/2], mlp_embedding_item [numItems, layers[0]/2],
//          mlp_layer1 .. mlp_layerN (Dense + ReLU, units layers[1..]),
//   all:   prediction (Dense, 1 unit, sigmoid) over the GMF product, the MLP tower's output, or
//          their concatenation [gmf ; mlp] for NeuMF (GMF part first).

/**
 * Which of the three NCF models.
 *
 * @example
 * ```ts
 * inspectModel(GMF({ numUsers: 10, numItems: 20 }))?.kind; //=> 'gmf'
 * ```
 * @category Models
 */
export type NcfKind = 'gmf' | 'mlp' | 'neumf';

/**
 * Layer names shared by builders, engines, scorers and bundles.
 *
 * @example
 * ```ts
 * NeuMF({ numUsers: 10, numItems: 20 }).getLayer(LAYER_NAMES.mlpLayer(1)).name; //=> 'mlp_layer1'
 * ```
 * @category Models
 */
export const LAYER_NAMES = {
  /** The user index input, int32 of shape [batch, 1]. */
  userInput: 'user_input',
  /** The item index input, int32 of shape [batch, 1]. */
  itemInput: 'item_input',
  /** GMF user embedding table [numUsers, factors]. */
  gmfUser: 'mf_embedding_user',
  /** GMF item embedding table [numItems, factors]. */
  gmfItem: 'mf_embedding_item',
  /** MLP user embedding table [numUsers, layers[0] / 2]. */
  mlpUser: 'mlp_embedding_user',
  /** MLP item embedding table [numItems, layers[0] / 2]. */
  mlpItem: 'mlp_embedding_item',
  /** Dense layer `i` of the MLP tower (1-based, as in the original code). */
  mlpLayer: (i: number) => `mlp_layer${i}`,
  /** The output Dense layer (1 unit, sigmoid). */
  prediction: 'prediction',
} as const;

/**
 * The architecture of a standard NCF model, as recognised from a `tf.LayersModel`
 * (see `inspectModel` in models/).
 *
 * @example
 * ```ts
 * inspectModel(NeuMF({ numUsers: 6040, numItems: 3706 }));
 * //=> { kind: 'neumf', numUsers: 6040, numItems: 3706, factors: 8, layers: [64, 32, 16, 8] }
 * ```
 * @category Models
 */
export interface NcfArchitecture {
  /** Which model: 'gmf', 'mlp' or 'neumf'. */
  readonly kind: NcfKind;
  /** Rows of the user embedding tables. */
  readonly numUsers: number;
  /** Rows of the item embedding tables. */
  readonly numItems: number;
  /** GMF embedding width (0 for a pure MLP). */
  readonly factors: number;
  /**
   * MLP layer sizes as in the paper: `layers[0]` is the concatenated embedding width (so each MLP
   * embedding is `layers[0] / 2` wide) and `layers[1..]` are the Dense ReLU units. Empty for GMF.
   */
  readonly layers: readonly number[];
}
