// The boundary between the LayersModel and the fused engine's flat arrays: the same weights (same
// layer names, shapes and order), copied in with getWeights/dataSync and written back with setWeights.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../../errors.js';
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
    const tensors = regions.map((region) =>
      tf.tensor(toModelOrder(region, params, new Float32Array(regionSize(region))), region.shape as number[], 'float32'),
    );
    try {
      model.getLayer(name).setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}
