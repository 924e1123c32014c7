// Private helpers that look inside a LayersModel that is not one of the standard NCF models: which
// embedding tables the user input and the item input feed, and so how many users and items the
// model knows. The generic scorer uses them for its sizes and similarItems for its item vectors.
import * as tf from '@tensorflow/tfjs';
import { LAYER_NAMES } from '../ncf/index.js';

type Layer = tf.layers.Layer;

/** Walks back from a layer through single-input layers (e.g. Reshape) to the layer feeding it. */
function rootInputLayer(layer: Layer): Layer | null {
  let current = layer;
  // A real chain from an input to an embedding is a handful of layers; the bound stops any cycle.
  for (let depth = 0; depth < 32; depth++) {
    const node = current.inboundNodes[0];
    if (node === undefined || node.inboundLayers.length === 0) return current;
    if (node.inboundLayers.length !== 1) return null;
    current = node.inboundLayers[0];
  }
  return null;
}

/** The model's input layer for users (side 'user') or items, by name, else by position (0, 1). */
export function modelInputLayer(model: tf.LayersModel, side: 'user' | 'item'): Layer | null {
  const inputs = model.inputLayers ?? [];
  const wanted = side === 'user' ? LAYER_NAMES.userInput : LAYER_NAMES.itemInput;
  const byName = inputs.find((layer) => layer.name === wanted);
  if (byName !== undefined) return byName;
  if (inputs.length !== 2) return null;
  return inputs[side === 'user' ? 0 : 1];
}

/**
 * The Embedding layers fed (directly, or through single-input layers) by the user or the item
 * input of `model`, in model order.
 */
export function embeddingsFedBy(model: tf.LayersModel, side: 'user' | 'item'): Layer[] {
  const input = modelInputLayer(model, side);
  if (input === null) return [];
  return model.layers.filter((layer) => layer.getClassName() === 'Embedding' && rootInputLayer(layer) === input);
}

/** The `inputDim` of an Embedding layer (its number of rows). */
export function embeddingRows(layer: Layer): number {
  return Number((layer.getConfig() as { inputDim?: unknown }).inputDim);
}

/**
 * The number of indices that the user or item side of `model` accepts: the largest `inputDim` of
 * the embeddings that side feeds, or null when it feeds none.
 */
export function inferCount(model: tf.LayersModel, side: 'user' | 'item'): number | null {
  const rows = embeddingsFedBy(model, side).map(embeddingRows).filter((n) => Number.isInteger(n) && n > 0);
  return rows.length === 0 ? null : Math.min(...rows);
}
