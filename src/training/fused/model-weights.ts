// The boundary between the LayersModel and the fused engine's flat arrays: the same weights (same
// layer names, shapes and order), copied in with getWeights/dataSync and written back with setWeights.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../../errors.js';
import { LAYER_NAMES } from '../../ncf/index.js';
import { fromModelOrder, regionSize, toModelOrder, type ParamLayout, type ParamRegion } from './layout.js';

function weightOf(model: tf.LayersModel, region: ParamRegion): tf.Tensor {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(region.layer);
  } catch {
    throw new RecsysError('SHAPE_MISMATCH', `the model has no layer named '${region.layer}', which the fused engine needs`);
  }
  const weights = layer.getWeights();
  const w = weights[region.index];
  if (w === undefined || w.shape.join(',') !== region.shape.join(',')) {
    throw new RecsysError(
      'SHAPE_MISMATCH',
      `layer '${region.layer}' weight ${region.index} has shape [${w?.shape.join(', ') ?? 'none'}], expected [${region.shape.join(', ')}]`,
    );
  }
  return w;
}

/**
 * Copies every weight of `model` into `params` (kernels transposed, see layout.ts).
 *
 * @param model - a standard NCF LayersModel matching `layout`
 * @param layout - where each weight goes
 * @param params - the flat array to fill
 */
export function readModelWeights(model: tf.LayersModel, layout: ParamLayout, params: Float32Array): void {
  for (const region of layout.regions) {
    // getWeights() returns the variables themselves: read them, never dispose them
    fromModelOrder(region, weightOf(model, region).dataSync() as Float32Array, params);
  }
}

/**
 * Writes `params` back into the model's variables (setWeights copies, so the tensors made here are
 * disposed right after).
 *
 * @param model - the model the weights were read from
 * @param layout - where each weight lives in `params`
 * @param params - the flat array
 */
export function writeModelWeights(model: tf.LayersModel, layout: ParamLayout, params: Float32Array): void {
  const byLayer = new Map<string, ParamRegion[]>();
  for (const region of layout.regions) {
    weightOf(model, region); // shape check before anything is written
    const list = byLayer.get(region.layer) ?? [];
    list[region.index] = region;
    byLayer.set(region.layer, list);
  }
  for (const [name, regions] of byLayer) {
    const layer = model.getLayer(name);
    // a weight the engine does not train (a side-feature field's index) is written back as it is
    const current = layer.getWeights();
    const made: tf.Tensor[] = [];
    const tensors = current.map((w, index) => {
      const region = regions[index];
      if (region === undefined) return w;
      const t = tf.tensor(toModelOrder(region, params, new Float32Array(regionSize(region))), region.shape as number[], 'float32');
      made.push(t);
      return t;
    });
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(made);
    }
  }
}

/**
 * The fixed index of each side-feature field (`layout.fields` order): entity e's value rows at
 * [e × maxValues, (e + 1) × maxValues), padded with -1; copies, for the kernel and its workers.
 *
 * @param model - a standard NCF LayersModel matching `layout`
 * @param layout - its layout
 * @returns one Int32Array per field (none without side features)
 */
export function readFeatureIndex(model: tf.LayersModel, layout: ParamLayout): Int32Array[] {
  return layout.fields.map((f) => {
    const region: ParamRegion = {
      layer: LAYER_NAMES.feature(f.gmf >= 0 ? 'gmf' : 'mlp', f.side, f.k),
      index: 1,
      offset: -1,
      shape: [f.side === 'user' ? layout.numUsers : layout.numItems, f.maxValues],
      transposed: false,
    };
    return Int32Array.from(weightOf(model, region).dataSync() as Int32Array);
  });
}
