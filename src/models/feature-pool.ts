// One side-feature field of one block, as a tfjs layer: the field's embedding table [rows, width]
// (trained, N(0, 0.01) like the id tables) and a fixed per-entity index [entities, maxValues] of the
// entity's value rows (int32, not trained, padded with -1), so an entity index in gives the MEAN
// of its value rows out (an entity with no value gives zeros). The builders add it to the id
// embedding (LightFM's sum), so an item without interactions still has a vector from its features.
//
// Keeping the index inside the model (a non-trainable weight) keeps the model's inputs
// [user, item]: scoring, evaluation and serving pass ids as before, and the bundle's weights
// carry the index. The layer's config carries the field's values (its value map), so a loaded
// model can still encode a new item's values (unknown values -> row 0). Registered for
// serialization under `neural-recsys>FeaturePool`, so model.json round-trips it.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { FeatureTable, type FeatureValue } from '../data/features.js';

/** Pad value of the index: a slot with no value. */
export const INDEX_PAD = -1;

/**
 * The serialised config of a {@link FeaturePool} layer (beyond tfjs's own name, trainable, dtype).
 *
 * @example
 * ```ts
 * (model.getLayer('mf_item_feature0') as FeaturePool).pool;
 * //=> { field: 'genre', numRows: 19, width: 8, numEntities: 1682, maxValues: 6, values: ['Animation', ...], l2: 0 }
 * ```
 * @category Models
 */
export interface FeaturePoolConfig {
  /** The feature field's name. */
  field: string;
  /** Rows of the table: known values + 1 (row 0 = unknown). */
  numRows: number;
  /** Width of the table (factors or mlpWidth). */
  width: number;
  /** Rows of the index: the model's numUsers or numItems. */
  numEntities: number;
  /** Columns of the index. */
  maxValues: number;
  /** The field's known values in row order (value `values[j]` is row `j + 1`). */
  values: FeatureValue[];
  /** The field's bucketing of numbers, when any. */
  bucket?: number | number[];
  /** L2 penalty on the table. */
  l2: number;
  /** Seed of the table's initializer. */
  seed?: number;
}

/**
 * The pooled embedding of one side-feature field: `mean(table[index[entity]])` over the entity's
 * value rows (zeros for an entity with none). Built by the {@link GMF}, {@link MLP} and
 * {@link NeuMF} builders when given feature tables; not usually made by hand.
 *
 * @example
 * ```ts
 * const model = GMF({ numUsers: 3, numItems: 4, factors: 2, itemFeatures: genres });
 * model.getLayer('mf_item_feature0').getClassName(); //=> 'FeaturePool'
 * ```
 * @category Models
 */
export class FeaturePool extends tf.layers.Layer {
  /** The class name tfjs serialises. */
  static className = 'FeaturePool';
  /** The layer's settings (also its serialised config). */
  readonly pool: FeaturePoolConfig;
  private initialIndex: Int32Array | undefined;
  private table: tf.LayerVariable | undefined;
  private index: tf.LayerVariable | undefined;

  /**
   * Creates the layer (the builders do; tfjs does when it loads a model.json).
   *
   * @param config - the pool's settings and tfjs's layer arguments (name)
   * @param initialIndex - the padded index `[numEntities * maxValues]`, written when the layer is built
   */
  constructor(
    config: (FeaturePoolConfig | (Omit<FeaturePoolConfig, 'field' | 'values'> & { fieldHex: string; valuesHex: string })) & { name?: string; trainable?: boolean },
    initialIndex?: Int32Array,
  ) {
    super({ name: config.name, trainable: config.trainable });
    const { numRows, width, numEntities, maxValues, bucket, l2, seed } = config;
    const { field, values } = poolText(config);
    this.pool = { field, numRows, width, numEntities, maxValues, values, ...(bucket === undefined ? {} : { bucket }), l2, ...(seed === undefined ? {} : { seed }) };
    this.initialIndex = initialIndex;
  }

  /** Creates the table and the index (see the file header). */
  override build(): void {
    const { numRows, width, numEntities, maxValues, l2, seed } = this.pool;
    this.table = this.addWeight(
      'embeddings',
      [numRows, width],
      'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed }),
      l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined,
      true,
    );
    this.index = this.addWeight('index', [numEntities, maxValues], 'int32', tf.initializers.zeros(), undefined, false);
    if (this.initialIndex !== undefined) {
      // the variable takes the tensor's data; the tensor itself is ours to dispose
      const index = tf.tensor2d(this.initialIndex, [numEntities, maxValues], 'int32');
      this.index.write(index);
      index.dispose();
      this.initialIndex = undefined;
    }
    this.built = true;
  }

  /** `[batch, 1]` (or `[batch]`) entity indices -> `[batch, width]`. */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], this.pool.width];
  }

  /** The mean of each entity's value rows. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const entities = tf.reshape(tf.cast(x, 'int32'), [-1]);
      return poolRows(this.table!.read(), tf.gather(this.index!.read(), entities));
    });
  }

  /** The serialised config: tfjs's base config plus {@link FeaturePool.pool}. */
  override getConfig(): tf.serialization.ConfigDict {
    // the field name and the values are text tfjs would re-case (see SerializedPoolConfig)
    const { field, values, ...rest } = this.pool;
    const text: Pick<SerializedPoolConfig, 'fieldHex' | 'valuesHex'> = { fieldHex: toHex(field), valuesHex: toHex(JSON.stringify(values)) };
    return { ...super.getConfig(), ...(rest as unknown as tf.serialization.ConfigDict), ...text };
  }
}

/**
 * A FeaturePool config as model.json stores it. tfjs-layers passes every string of a layer config
 * through snake_case when it writes the topology and camelCase when it reads it back ('Comedy'
 * would come back 'comedy', 'release_year' as 'releaseYear'), so the field name and the values
 * (free text) are stored as lowercase hex of their UTF-8 bytes (the values as JSON, so numbers stay
 * numbers), which neither conversion changes.
 */
interface SerializedPoolConfig extends Omit<FeaturePoolConfig, 'field' | 'values'> {
  fieldHex: string;
  valuesHex: string;
}

function toHex(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) out += byte.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string, what: string): string {
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(hex)) {
    throw new RecsysError('BUNDLE_CORRUPT', `a FeaturePool layer's ${what} is not lowercase hex: ${show(hex)}`);
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let k = 0; k < bytes.length; k++) bytes[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return new TextDecoder().decode(bytes);
}

/** The field name and values of a config: given (a builder), or decoded (model.json). */
function poolText(config: FeaturePoolConfig | SerializedPoolConfig): { field: string; values: FeatureValue[] } {
  if ('fieldHex' in config) {
    const values: unknown = JSON.parse(fromHex(config.valuesHex, 'values'));
    if (!Array.isArray(values)) throw new RecsysError('BUNDLE_CORRUPT', `a FeaturePool layer's values are not a list: ${show(values)}`);
    return { field: fromHex(config.fieldHex, 'field name'), values: values as FeatureValue[] };
  }
  return { field: config.field, values: config.values };
}

/**
 * Registers {@link FeaturePool} with tfjs's serialization (idempotent): the builders and
 * `loadModel` call it, so a model with side features loads from model.json. Lazy rather than at
 * import, because the package declares `sideEffects: false`.
 *
 * @example
 * ```ts
 * registerFeaturePool();
 * const model = await tf.loadLayersModel('file://./bundle/model.json'); // FeaturePool layers resolve
 * ```
 */
export function registerFeaturePool(): void {
  if (registered) return;
  tf.serialization.registerClass(FeaturePool);
  registered = true;
}
let registered = false;

/**
 * Mean of the rows `table[slots[b, j]]` over the slots of each row of `slots` that are not
 * {@link INDEX_PAD}; zeros where a row has none. Differentiable in `table` (a gather).
 */
export function poolRows(table: tf.Tensor, slots: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const mask = tf.cast(tf.greaterEqual(slots, 0), 'float32');
    const vectors = tf.gather(table, tf.cast(tf.maximum(slots, 0), 'int32'));
    const summed = tf.sum(tf.mul(vectors, tf.expandDims(mask, -1)), 1);
    return tf.div(summed, tf.maximum(tf.sum(mask, 1, true), 1));
  });
}

/**
 * The padded index of a field: `[numEntities, maxValues]` row-major, each entity's rows then
 * {@link INDEX_PAD}; `maxValues` is the most values an entity has (at least 1).
 */
export function paddedIndex(offsets: Int32Array, rows: Int32Array, numEntities: number): { index: Int32Array; maxValues: number } {
  let maxValues = 1;
  for (let e = 0; e < numEntities; e++) maxValues = Math.max(maxValues, offsets[e + 1] - offsets[e]);
  const index = new Int32Array(numEntities * maxValues).fill(INDEX_PAD);
  for (let e = 0; e < numEntities; e++) {
    for (let j = offsets[e]; j < offsets[e + 1]; j++) index[e * maxValues + j - offsets[e]] = rows[j];
  }
  return { index, maxValues };
}

/**
 * The value maps of a model's side features on one side, read from its FeaturePool layers (so
 * also from a loaded bundle): a {@link FeatureTable} with the model's fields and no entities, whose
 * `encode(field, values)` gives the rows of new values as the model sees them (a value the model
 * never saw maps to row 0, "unknown"). Null when the side has no field.
 *
 * @param model - a model built with `userFeatures` / `itemFeatures` (or any other: null)
 * @param side - 'user' or 'item'
 * @returns the fields' value maps, or null
 * @example
 * ```ts
 * const maps = featureValueMaps(model, 'item');
 * maps?.encode('genre', ['Drama', 'Space western']); //=> Int32Array [3, 0]
 * ```
 * @category Models
 */
export function featureValueMaps(model: tf.LayersModel, side: 'user' | 'item'): FeatureTable | null {
  if (!(model instanceof tf.LayersModel)) throw new RecsysError('INVALID_ARGUMENT', `model must be a tf.LayersModel, got ${show(model)}`);
  if (side !== 'user' && side !== 'item') throw new RecsysError('INVALID_ARGUMENT', `side must be 'user' or 'item', got ${show(side)}`);
  const pools: FeaturePoolConfig[] = [];
  const seen = new Set<string>();
  for (const layer of model.layers) {
    if (!(layer instanceof FeaturePool) || !layer.name.includes(`_${side}_feature`) || seen.has(layer.pool.field)) continue;
    seen.add(layer.pool.field);
    pools.push(layer.pool);
  }
  if (pools.length === 0) return null;
  return FeatureTable.fromJSON({
    kind: side,
    ids: [],
    fields: pools.map((p) => ({ name: p.field, ...(p.bucket === undefined ? {} : { bucket: p.bucket }), values: p.values, offsets: [0], rows: [] })),
  });
}
