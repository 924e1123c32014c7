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
  /**
   * The pooled side-feature field `k` (0-based, in the model's field order) of one side and block,
   * e.g. `mf_item_feature0`: its table `[rows, width]` and its per-entity index of value rows.
   */
  feature: (block: 'gmf' | 'mlp', side: 'user' | 'item', k: number) => `${block === 'gmf' ? 'mf' : 'mlp'}_${side}_feature${k}`,
  /** The sum of a side's id embedding and its pooled fields in one block, e.g. `mf_item_sum`. */
  featureSum: (block: 'gmf' | 'mlp', side: 'user' | 'item') => `${block === 'gmf' ? 'mf' : 'mlp'}_${side}_sum`,
} as const;

/**
 * One side-feature field of a model (see `GMFArgs.itemFeatures`): its name, the rows of its
 * embedding tables (values + 1; row 0 is "unknown") and the width of its per-entity index (the most
 * values an entity has, at least 1).
 *
 * @example
 * ```ts
 * inspectModel(GMF({ numUsers: 3, numItems: 4, itemFeatures: genres }))?.features?.item;
 * //=> [{ name: 'genre', rows: 3, maxValues: 2 }]
 * ```
 * @category Models
 */
export interface NcfFeatureField {
  /** The field's name (a key of the feature rows). */
  readonly name: string;
  /** Rows of each of the field's tables: the known values + 1 (row 0 is "unknown"). */
  readonly rows: number;
  /** Columns of the field's per-entity index (the most values one entity has; at least 1). */
  readonly maxValues: number;
}

/**
 * The side-feature fields of a model, per side (absent or empty: none). Every block of the model
 * (GMF, MLP) has its own tables for each field.
 *
 * @example
 * ```ts
 * const features: NcfFeatures = { item: [{ name: 'genre', rows: 19, maxValues: 6 }] };
 * ```
 * @category Models
 */
export interface NcfFeatures {
  /** The user fields, in the model's order. */
  readonly user?: readonly NcfFeatureField[];
  /** The item fields, in the model's order. */
  readonly item?: readonly NcfFeatureField[];
}

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
  /**
   * Side-feature fields pooled into the embeddings (absent for a model without features, which is
   * exactly the model of earlier releases).
   */
  readonly features?: NcfFeatures;
}
