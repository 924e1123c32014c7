// The shared description of the standard NCF models. The builders (models/), the fused engine
// (training/fused/), the fast scorer (evaluation/) and the bundle format (io/) all speak it, so that
// one LayersModel can be recognised, trained by either engine, scored fast and saved.
//
// Layer names follow the paper's original Keras code, so weights line up with it and with
// TensorFlow's converter:
//   GMF:   mf_embedding_user [numUsers, factors], mf_embedding_item [numItems, factors]
//   MLP:   mlp_embedding_user [numUsers, layers[0]/2], mlp_embedding_item [numItems, layers[0]/2],
//          mlp_layer1 .. mlp_layerN (Dense + ReLU, units layers[1..]),
//   all:   prediction (Dense, 1 unit, sigmoid) over the GMF product, the MLP tower's output, or
//          their concatenation [gmf ; mlp] for NeuMF (GMF part first).

/** Which of the three NCF models. */
export type NcfKind = 'gmf' | 'mlp' | 'neumf';

/** Layer names shared by builders, engines, scorers and bundles. */
export const LAYER_NAMES = {
  userInput: 'user_input',
  itemInput: 'item_input',
  gmfUser: 'mf_embedding_user',
  gmfItem: 'mf_embedding_item',
  mlpUser: 'mlp_embedding_user',
  mlpItem: 'mlp_embedding_item',
  /** Dense layer `i` of the MLP tower (1-based, as in the original code). */
  mlpLayer: (i: number) => `mlp_layer${i}`,
  prediction: 'prediction',
} as const;

/**
 * The architecture of a standard NCF model, as recognised from a `tf.LayersModel`
 * (see `inspectModel` in models/).
 */
export interface NcfArchitecture {
  readonly kind: NcfKind;
  readonly numUsers: number;
  readonly numItems: number;
  /** GMF embedding width (0 for a pure MLP). */
  readonly factors: number;
  /**
   * MLP layer sizes as in the paper: `layers[0]` is the concatenated embedding width (so each MLP
   * embedding is `layers[0] / 2` wide) and `layers[1..]` are the Dense ReLU units. Empty for GMF.
   */
  readonly layers: readonly number[];
}
