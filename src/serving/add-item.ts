// Adding an item to a model with item features, without retraining: the item gets a new row in
// every item id table and its value rows in every item FeaturePool index, so it is scored from its
// features (see docs/features.md, "Models with features").
//
// The new id rows are ZEROS, not the builders' N(0, 0.01): the item's vector in each block is then
// exactly the sum of its fields' pooled rows, what the model learned about those values, with no
// per-item noise and no seed to choose. As in fold-in's growUsers, the model is rebuilt from its own
// topology JSON with the new sizes (every layer option kept) and every weight copied: O(model size)
// per new item, fine for a catalogue that grows an item at a time.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { FeaturePool, INDEX_PAD, featureValueMaps, registerFeaturePool } from '../models/feature-pool.js';
import { LAYER_NAMES, ncfSpec, type NcfArchitecture } from '../ncf/index.js';
import { rebuildModel } from './fold-in.js';

/** True for an item-side FeaturePool layer (`mf_item_feature0`, `mlp_item_feature1`, ...). */
function isItemPool(layer: tf.layers.Layer): layer is FeaturePool {
  return layer instanceof FeaturePool && layer.name.includes('_item_feature');
}

/**
 * @internal The new item's value rows per item FeaturePool layer (by layer name), encoded with the
 * model's own value maps (a value the model never saw -> row 0). A field left out of `features`
 * gets no value (the field adds zeros). UNSUPPORTED_MODEL for a model without item features,
 * INVALID_ARGUMENT for a field the model does not have.
 */
export function newItemRows(model: tf.LayersModel, features: unknown, itemId: unknown): Map<string, Int32Array> {
  const maps = featureValueMaps(model, 'item');
  if (maps === null) {
    throw new RecsysError(
      'UNSUPPORTED_MODEL',
      `addItem needs a model with item features (built with itemFeatures): a model of ids only has nothing to score the new item ${show(itemId)} from`,
    );
  }
  if (features === null || typeof features !== 'object' || Array.isArray(features)) {
    throw new RecsysError('INVALID_ARGUMENT', `features must be an object of field values (e.g. { genre: ['Comedy'] }), got ${show(features)}`);
  }
  const row = features as Record<string, unknown>;
  const names = maps.fields.map((f) => f.name);
  for (const key of Object.keys(row)) {
    if (!names.includes(key)) {
      throw new RecsysError('INVALID_ARGUMENT', `item ${show(itemId)}: the model has no item feature field ${show(key)}; its fields are ${names.map((n) => JSON.stringify(n)).join(', ')}`, {
        field: key,
      });
    }
  }
  const rows = new Map<string, Int32Array>();
  for (const layer of model.layers) if (isItemPool(layer)) rows.set(layer.name, maps.encode(layer.pool.field, row[layer.pool.field]));
  return rows;
}

interface LayerJson {
  class_name?: string;
  config?: { name?: string; input_dim?: number; num_entities?: number; max_values?: number };
}

/** The index `[numEntities, maxValues]` widened to `width` columns (-1 padding), with `row` appended. */
function grownIndex(index: tf.Tensor, row: Int32Array, width: number): tf.Tensor {
  return tf.tidy(() => {
    const [n, m] = index.shape as [number, number];
    const wide = m < width ? tf.concat([index, tf.fill([n, width - m], INDEX_PAD, 'int32')], 1) : index;
    const padded = new Int32Array(width).fill(INDEX_PAD);
    padded.set(row);
    return tf.concat([wide, tf.tensor2d(padded, [1, width], 'int32')], 0);
  });
}

/**
 * @internal A copy of `model` with one more item: a zero row in each item id table and `rows` (per
 * item FeaturePool layer) in each item index. The old model is left untouched; the caller disposes it.
 */
export async function growItems(model: tf.LayersModel, arch: NcfArchitecture, rows: Map<string, Int32Array>): Promise<tf.LayersModel> {
  registerFeaturePool();
  const { factors, mlpWidth } = ncfSpec(arch);
  const idTables = new Set<string>([...(factors > 0 ? [LAYER_NAMES.gmfItem] : []), ...(mlpWidth > 0 ? [LAYER_NAMES.mlpItem] : [])]);
  const topology = model.toJSON(null, false) as { config?: { layers?: LayerJson[] } };
  const widths = new Map<string, number>();
  let grown = 0;
  for (const layer of topology.config?.layers ?? []) {
    const config = layer.config;
    const name = config?.name;
    if (name === undefined) continue;
    if (idTables.has(name) && config!.input_dim === arch.numItems) {
      config!.input_dim = arch.numItems + 1;
      grown++;
    } else if (layer.class_name === FeaturePool.className && rows.has(name) && config!.num_entities === arch.numItems) {
      // tfjs writes layer configs in snake case (numEntities -> num_entities)
      config!.num_entities = arch.numItems + 1;
      config!.max_values = Math.max(config!.max_values ?? 1, rows.get(name)!.length);
      widths.set(name, config!.max_values);
      grown++;
    }
  }
  if (grown !== idTables.size + rows.size) {
    throw new RecsysError('UNSUPPORTED_MODEL', `cannot add an item: the model's topology does not show the item tables and feature indices to grow`);
  }
  return rebuildModel(model, topology, (layer, weights) => {
    if (idTables.has(layer)) return [tf.tidy(() => tf.concat([weights[0], tf.zeros([1, weights[0].shape[1]!])], 0))];
    const width = widths.get(layer);
    return width === undefined ? weights : [weights[0], grownIndex(weights[1], rows.get(layer)!, width)];
  });
}
