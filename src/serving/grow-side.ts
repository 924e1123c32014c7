// Growing a model by one user or one item without retraining (fold-in's new users, addItem's new
// items): a new row in each id table of that side, and, for a model with side features, the new
// entity's value rows in each of that side's FeaturePool indices. The model is rebuilt from its own
// topology JSON with the new sizes (every layer option kept) and every weight copied: O(model
// size) per new entity, fine for a catalogue or a user base that grows one at a time.
//
// A new item's id rows are ZEROS, not the builders' N(0, 0.01): its vector in each block is then
// exactly the sum of its fields' pooled rows, what the model learned about those values, with no
// per-item noise and no seed to choose. A new user's id rows are the ones fold-in learned.
//
// Also here: an entity's value rows per FeaturePool layer (encoded from a feature row with the
// model's own value maps, or read back from the model) and what they add to its vector in a block
// (the pooled part of docs/features.md's "What the model computes"), which fold-in holds fixed while
// it learns a user's id rows.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { FeaturePool, INDEX_PAD, featureValueMaps, registerFeaturePool } from '../models/feature-pool.js';
import { LAYER_NAMES, ncfSpec, pooledTable, type NcfArchitecture, type NcfBlock, type NcfSide, type PoolField } from '../ncf/index.js';
import { rebuildModel, type UserRows } from './fold-in.js';

/** True for a FeaturePool layer of `side` (`mf_item_feature0`, `mlp_user_feature1`, ...). */
function isPool(layer: tf.layers.Layer, side: NcfSide): layer is FeaturePool {
  return layer instanceof FeaturePool && layer.name.includes(`_${side}_feature`);
}

/** Whether `model` has side features on `side`. */
export function hasSideFeatures(model: tf.LayersModel, side: NcfSide): boolean {
  return model.layers.some((layer) => isPool(layer, side));
}

/**
 * @internal A new entity's value rows per FeaturePool layer of `side` (by layer name), encoded with
 * the model's own value maps (a value the model never saw -> row 0). A field left out of
 * `features` gets no value (the field adds zeros). UNSUPPORTED_MODEL for a model without features on
 * that side (`what` names the caller), INVALID_ARGUMENT for a field the model does not have.
 */
export function newEntityRows(model: tf.LayersModel, side: NcfSide, features: unknown, id: unknown, what: string): Map<string, Int32Array> {
  const maps = featureValueMaps(model, side);
  if (maps === null) {
    throw new RecsysError(
      'UNSUPPORTED_MODEL',
      `${what} needs a model with ${side} features (built with ${side}Features): a model of ids only has nothing to score the new ${side} ${show(id)} from`,
    );
  }
  if (features === null || typeof features !== 'object' || Array.isArray(features)) {
    throw new RecsysError('INVALID_ARGUMENT', `features must be an object of field values (e.g. { genre: ['Comedy'] }), got ${show(features)}`);
  }
  const row = features as Record<string, unknown>;
  const names = maps.fields.map((f) => f.name);
  for (const key of Object.keys(row)) {
    if (!names.includes(key)) {
      throw new RecsysError('INVALID_ARGUMENT', `${side} ${show(id)}: the model has no ${side} feature field ${show(key)}; its fields are ${names.map((n) => JSON.stringify(n)).join(', ')}`, {
        field: key,
      });
    }
  }
  const rows = new Map<string, Int32Array>();
  for (const layer of model.layers) if (isPool(layer, side)) rows.set(layer.name, maps.encode(layer.pool.field, row[layer.pool.field]));
  return rows;
}

/** @internal Entity `e`'s value rows per FeaturePool layer of `side`, read from the model's indices. */
export function entityRows(model: tf.LayersModel, side: NcfSide, e: number): Map<string, Int32Array> {
  const rows = new Map<string, Int32Array>();
  for (const layer of model.layers) {
    if (!isPool(layer, side)) continue;
    const index = layer.getWeights()[1];
    const width = index.shape[1]!;
    const all = index.dataSync() as Int32Array;
    rows.set(layer.name, Int32Array.from(all.subarray(e * width, (e + 1) * width)).filter((v) => v >= 0));
  }
  return rows;
}

/**
 * @internal What an entity's value rows add to its vector in `block`: over the side's fields, the
 * mean of the field's rows (a field with no value adds nothing). Zeros without side features.
 */
export function pooledPart(model: tf.LayersModel, side: NcfSide, block: NcfBlock, rows: Map<string, Int32Array>, width: number): Float32Array {
  const prefix = `${block === 'gmf' ? 'mf' : 'mlp'}_${side}_feature`;
  const fields: PoolField[] = [];
  for (const layer of model.layers) {
    if (!isPool(layer, side) || !layer.name.startsWith(prefix)) continue;
    const values = rows.get(layer.name) ?? new Int32Array(0);
    if (values.length > 0) fields.push({ table: layer.getWeights()[0].dataSync() as Float32Array, index: values, maxValues: values.length });
  }
  // one entity whose id row is zero: the pooled part alone
  return pooledTable(new Float32Array(width), width, fields);
}

interface LayerJson {
  class_name?: string;
  config?: { name?: string; input_dim?: number; num_entities?: number; max_values?: number };
}

/** The index `[numEntities, maxValues]` widened to `width` columns (-1 padding), with `rows` appended. */
function grownIndex(index: tf.Tensor, rows: readonly Int32Array[], width: number): tf.Tensor {
  return tf.tidy(() => {
    const [n, m] = index.shape as [number, number];
    const wide = m < width ? tf.concat([index, tf.fill([n, width - m], INDEX_PAD, 'int32')], 1) : index;
    const padded = new Int32Array(rows.length * width).fill(INDEX_PAD);
    rows.forEach((row, r) => padded.set(row, r * width));
    return tf.concat([wide, tf.tensor2d(padded, [rows.length, width], 'int32')], 0);
  });
}

/**
 * @internal A copy of `model` with one more entity on `side`: `idRows` appended to the side's id
 * tables (null: zero rows), and `poolRows` (per FeaturePool layer of the side; every one of them)
 * appended to their indices. The old model is left untouched; the caller disposes it.
 */
export function growSide(
  model: tf.LayersModel,
  arch: NcfArchitecture,
  side: NcfSide,
  idRows: UserRows | null,
  poolRows: Map<string, Int32Array>,
): Promise<tf.LayersModel> {
  return growSideBy(model, arch, side, [idRows], new Map([...poolRows].map(([layer, rows]) => [layer, [rows]])));
}

/**
 * @internal {@link growSide} for `idRows.length` new entities at once (one rebuild): entity r gets
 * `idRows[r]` (null: zeros) and, per FeaturePool layer, `poolRows.get(layer)[r]`.
 */
export async function growSideBy(
  model: tf.LayersModel,
  arch: NcfArchitecture,
  side: NcfSide,
  idRows: readonly (UserRows | null)[],
  poolRows: Map<string, readonly Int32Array[]>,
): Promise<tf.LayersModel> {
  const count = idRows.length;
  registerFeaturePool();
  const { factors, mlpWidth } = ncfSpec(arch);
  const gmf = side === 'user' ? LAYER_NAMES.gmfUser : LAYER_NAMES.gmfItem;
  const mlp = side === 'user' ? LAYER_NAMES.mlpUser : LAYER_NAMES.mlpItem;
  const newRows = new Map<string, (Float32Array | null)[]>();
  if (factors > 0) newRows.set(gmf, idRows.map((r) => r?.gmf ?? null));
  if (mlpWidth > 0) newRows.set(mlp, idRows.map((r) => r?.mlp ?? null));
  const entities = side === 'user' ? arch.numUsers : arch.numItems;
  const topology = model.toJSON(null, false) as { config?: { layers?: LayerJson[] } };
  const widths = new Map<string, number>();
  let grown = 0;
  for (const layer of topology.config?.layers ?? []) {
    const config = layer.config;
    const name = config?.name;
    if (name === undefined) continue;
    if (newRows.has(name) && config!.input_dim === entities) {
      config!.input_dim = entities + count;
      grown++;
    } else if (layer.class_name === FeaturePool.className && poolRows.has(name) && config!.num_entities === entities) {
      // tfjs writes layer configs in snake case (numEntities -> num_entities)
      config!.num_entities = entities + count;
      config!.max_values = Math.max(config!.max_values ?? 1, ...poolRows.get(name)!.map((r) => r.length));
      widths.set(name, config!.max_values);
      grown++;
    }
  }
  if (grown !== newRows.size + poolRows.size) {
    throw new RecsysError('UNSUPPORTED_MODEL', `cannot add a${side === 'item' ? 'n' : ''} ${side}: the model's topology does not show the ${side} tables and feature indices to grow`);
  }
  return rebuildModel(model, topology, (layer, weights) => {
    if (newRows.has(layer)) {
      const width = weights[0].shape[1]!;
      const values = new Float32Array(count * width);
      newRows.get(layer)!.forEach((row, r) => row && values.set(row, r * width));
      return [tf.tidy(() => tf.concat([weights[0], tf.tensor2d(values, [count, width])], 0))];
    }
    const width = widths.get(layer);
    return width === undefined ? weights : [weights[0], grownIndex(weights[1], poolRows.get(layer)!, width)];
  });
}
