// What an NCF architecture implies, derived once: the widths every implementation uses and the
// ordered list of weights (tables first, then the dense layers: the fused engine's flat layout is
// this list packed from offset 0). The builders, the fused engine's
// flat layout, the bundle check, the fast scorer, the wasm tower and fold-in all read these
// instead of recomputing them.
//
// One name per quantity:
//   layers     the paper's list, as the user writes it (NcfArchitecture, builder arguments)
//   factors    the GMF embedding width (0 without GMF)
//   mlpWidth   the width of each MLP embedding, layers[0] / 2 (0 without MLP)
//   tower      the MLP's widths [layers[0], layers[1], ...] (empty without MLP): tower[l] feeds
//              mlp_layer{l+1}, which has tower[l+1] units
//   predictionInput  the prediction layer's input width, factors + the tower's last width
//
// A table entry names its side ('user' | 'item'), its block ('gmf' | 'mlp') and its field ('id'
// for the id tables). Side features add, per field and block, a table [field rows, width] and a
// fixed int32 index [entities, maxValues] of each entity's value rows (role 'index', weight 1 of
// the same layer), after the id tables: the manifest's shapes and inspectModel's weight check read
// them from here like every other weight. The fused engine's layout places the field tables after
// the id tables and keeps the indices beside its flat array (training/fused/layout.ts); the fast
// scorer and fold-in do not compute feature models yet (see sideFeaturesReason).
//
// No tfjs here: worker threads import this file (through training/fused/layout.ts).
import { LAYER_NAMES, type NcfArchitecture, type NcfFeatureField, type NcfKind } from './architecture.js';

/** Which side of an interaction a table embeds. */
export type NcfSide = 'user' | 'item';

/** Which block of the model a table feeds: the GMF product or the MLP concatenation. */
export type NcfBlock = 'gmf' | 'mlp';

/** An embedding table: `[rows, width]`, weight 0 of an Embedding layer. */
export interface NcfTableWeight {
  readonly role: 'table';
  /** The layer's name (the tfjs weight name's stem). */
  readonly layer: string;
  /** Which weight of the layer (tables have one). */
  readonly index: 0;
  /** The tfjs shape `[rows, width]`. */
  readonly shape: readonly [number, number];
  readonly side: NcfSide;
  readonly block: NcfBlock;
  /** What the rows are: the entity ids, or the values of a side-feature field. */
  readonly source: 'id' | 'feature';
  /** The field embedded: `'id'` for the id tables, the feature field's name otherwise. */
  readonly field: string;
  /** numUsers or numItems (id tables), the field's rows (values + 1) for a feature table. */
  readonly rows: number;
  /** `factors` (GMF) or `mlpWidth` (MLP). */
  readonly width: number;
}

/**
 * The fixed per-entity index of a side-feature field (weight 1 of the field's layer, int32, not
 * trained): row `e` holds entity `e`'s value rows, padded with -1.
 *
 * @example
 * ```ts
 * const arch = { kind: 'gmf', numUsers: 3, numItems: 4, factors: 2, layers: [], features: { item: [{ name: 'genre', rows: 5, maxValues: 2 }] } } as const;
 * ncfSpec(arch).weights.find((w) => w.role === 'index')?.shape; //=> [4, 2]
 * ```
 */
export interface NcfIndexWeight {
  readonly role: 'index';
  /** The field layer's name. */
  readonly layer: string;
  /** Weight 1 of the layer (weight 0 is its table). */
  readonly index: 1;
  /** `[numEntities, maxValues]`. */
  readonly shape: readonly [number, number];
  readonly side: NcfSide;
  readonly block: NcfBlock;
  readonly source: 'feature';
  /** The feature field's name. */
  readonly field: string;
  /** Always int32. */
  readonly dtype: 'int32';
}

/** A Dense layer's kernel (`[inputs, units]`, weight 0) or bias (`[units]`, weight 1). */
export interface NcfDenseWeight {
  readonly role: 'kernel' | 'bias';
  /** The layer's name (the tfjs weight name's stem). */
  readonly layer: string;
  /** Which weight of the layer: 0 kernel, 1 bias. */
  readonly index: 0 | 1;
  /** The tfjs shape: `[inputs, units]` for a kernel, `[units]` for a bias. */
  readonly shape: readonly number[];
  /** `'tower'` for mlp_layer1..N, `'prediction'` for the output layer. */
  readonly block: 'tower' | 'prediction';
  /** 1..N for mlp_layer1..N; 0 for the prediction layer. */
  readonly towerLayer: number;
  readonly inputs: number;
  readonly units: number;
  readonly activation: 'relu' | 'sigmoid';
}

/** One weight of a standard NCF model. */
export type NcfWeight = NcfTableWeight | NcfIndexWeight | NcfDenseWeight;

/** The derived facts of an {@link NcfArchitecture} (see the file header for the names). */
export interface NcfSpec {
  readonly kind: NcfKind;
  readonly numUsers: number;
  readonly numItems: number;
  /** GMF embedding width (0 without GMF). */
  readonly factors: number;
  /** Width of each MLP embedding, `layers[0] / 2` (0 without MLP). */
  readonly mlpWidth: number;
  /** MLP widths `[layers[0], layers[1], ...]` (empty without MLP). */
  readonly tower: readonly number[];
  /** Width of the prediction layer's input: factors + the tower's last width. */
  readonly predictionInput: number;
  /**
   * Every weight, in the library's order: the id tables (GMF user, GMF item, MLP user, MLP item),
   * the side-feature fields (per block, user then item, each field's table then its index), the
   * tower layers (kernel, bias), the prediction layer (kernel, bias). tfjs's `getWeights()` holds
   * the same weights, but orders layers by graph depth (a NeuMF lists its MLP tables before its GMF
   * tables), so every consumer matches a weight by its layer name and index, never by position.
   */
  readonly weights: readonly NcfWeight[];
}

/**
 * Derives the widths and the ordered weight list of a standard architecture. Pure arithmetic, no
 * checks: an architecture from `inspectModel` is consistent; one read from a bundle manifest is
 * compared against the real weights with this list.
 *
 * @param arch - the architecture
 * @returns its spec
 * @example
 * ```ts
 * const spec = ncfSpec({ kind: 'neumf', numUsers: 3, numItems: 5, factors: 4, layers: [8, 4] });
 * spec.mlpWidth; //=> 4
 * spec.weights.map((w) => `${w.layer}:${w.index}`);
 * //=> ['mf_embedding_user:0', 'mf_embedding_item:0', 'mlp_embedding_user:0', 'mlp_embedding_item:0',
 * //    'mlp_layer1:0', 'mlp_layer1:1', 'prediction:0', 'prediction:1']
 * ```
 */
export function ncfSpec(arch: NcfArchitecture): NcfSpec {
  const { kind, numUsers, numItems } = arch;
  const factors = kind === 'mlp' ? 0 : arch.factors;
  const tower = kind === 'gmf' ? [] : [...arch.layers];
  // an MLP with no layers (only in a corrupt manifest) gives NaN widths, which match no real weight
  const mlpWidth = kind === 'gmf' ? 0 : tower[0] / 2;
  const predictionInput = factors + (kind === 'gmf' ? 0 : tower[tower.length - 1]);

  const weights: NcfWeight[] = [];
  const table = (layer: string, side: NcfSide, block: NcfBlock, width: number): void => {
    const rows = side === 'user' ? numUsers : numItems;
    weights.push({ role: 'table', layer, index: 0, shape: [rows, width], side, block, source: 'id', field: 'id', rows, width });
  };
  const fields = (block: NcfBlock, width: number): void => {
    for (const side of ['user', 'item'] as const) {
      const entities = side === 'user' ? numUsers : numItems;
      (arch.features?.[side] ?? []).forEach((f: NcfFeatureField, k) => {
        const layer = LAYER_NAMES.feature(block, side, k);
        const common = { layer, side, block, source: 'feature', field: f.name } as const;
        weights.push({ ...common, role: 'table', index: 0, shape: [f.rows, width], rows: f.rows, width });
        weights.push({ ...common, role: 'index', index: 1, shape: [entities, f.maxValues], dtype: 'int32' });
      });
    }
  };
  const dense = (layer: string, towerLayer: number, inputs: number, units: number): void => {
    const block = towerLayer === 0 ? 'prediction' : 'tower';
    const activation = towerLayer === 0 ? 'sigmoid' : 'relu';
    const common = { layer, block, towerLayer, inputs, units, activation } as const;
    weights.push({ ...common, role: 'kernel', index: 0, shape: [inputs, units] });
    weights.push({ ...common, role: 'bias', index: 1, shape: [units] });
  };
  if (kind !== 'mlp') {
    table(LAYER_NAMES.gmfUser, 'user', 'gmf', factors);
    table(LAYER_NAMES.gmfItem, 'item', 'gmf', factors);
  }
  if (kind !== 'gmf') {
    table(LAYER_NAMES.mlpUser, 'user', 'mlp', mlpWidth);
    table(LAYER_NAMES.mlpItem, 'item', 'mlp', mlpWidth);
  }
  if (kind !== 'mlp') fields('gmf', factors);
  if (kind !== 'gmf') {
    fields('mlp', mlpWidth);
    for (let l = 1; l < tower.length; l++) dense(LAYER_NAMES.mlpLayer(l), l, tower[l - 1], tower[l]);
  }
  dense(LAYER_NAMES.prediction, 0, predictionInput, 1);
  return { kind, numUsers, numItems, factors, mlpWidth, tower, predictionInput, weights };
}

/**
 * The id table of one side and block, or undefined when the model has no such block.
 *
 * @param spec - from {@link ncfSpec}
 * @param side - 'user' or 'item'
 * @param block - 'gmf' or 'mlp'
 * @returns the table entry of the weight list
 * @example
 * ```ts
 * ncfTable(ncfSpec({ kind: 'gmf', numUsers: 3, numItems: 5, factors: 4, layers: [] }), 'item', 'gmf')?.shape;
 * //=> [5, 4]
 * ```
 */
export function ncfTable(spec: NcfSpec, side: NcfSide, block: NcfBlock): NcfTableWeight | undefined {
  for (const w of spec.weights) if (w.role === 'table' && w.source === 'id' && w.side === side && w.block === block) return w;
  return undefined;
}

/**
 * Why a part of the library that computes the NCF math by hand but not side features yet (the fast
 * scorer, fold-in) cannot take this model: undefined for a model without side features, else a sentence
 * starting "side features:" that names the fields.
 *
 * @param arch - an architecture (from inspectModel or a manifest)
 * @param what - who is asking, e.g. 'the fast scorer'
 * @returns the reason, or undefined
 * @example
 * ```ts
 * sideFeaturesReason({ kind: 'gmf', numUsers: 3, numItems: 4, factors: 2, layers: [], features: { item: [{ name: 'genre', rows: 3, maxValues: 2 }] } }, 'the fast scorer');
 * //=> 'side features: the fast scorer does not compute models with feature fields yet (item: genre)'
 * ```
 */
export function sideFeaturesReason(arch: NcfArchitecture, what: string): string | undefined {
  const parts: string[] = [];
  for (const side of ['user', 'item'] as const) {
    const names = (arch.features?.[side] ?? []).map((f) => f.name);
    if (names.length > 0) parts.push(`${side}: ${names.join(', ')}`);
  }
  return parts.length === 0 ? undefined : `side features: ${what} does not compute models with feature fields yet (${parts.join('; ')})`;
}

/**
 * Number of elements of a weight.
 *
 * @param weight - an entry of {@link NcfSpec.weights}
 * @returns the product of its shape
 * @example
 * ```ts
 * weightSize(ncfSpec({ kind: 'gmf', numUsers: 3, numItems: 5, factors: 4, layers: [] }).weights[0]); //=> 12
 * ```
 */
export function weightSize(weight: { readonly shape: readonly number[] }): number {
  let n = 1;
  for (const d of weight.shape) n *= d;
  return n;
}
