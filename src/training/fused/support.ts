// Which models and options the fused engine can train exactly as the tfjs engine would.
import type * as tf from '@tensorflow/tfjs';
import { regularizerL2 } from '../../models/index.js';
import type { NcfArchitecture } from '../../ncf/index.js';
import type { ResolvedTrainOptions } from '../types.js';
import type { KernelPenalty } from './kernel.js';
import type { ParamLayout } from './layout.js';

/** The answer of {@link fusedSupport}. */
export type FusedSupport =
  | {
      /** The fused engine can train this model with these options. */
      supported: true;
    }
  | {
      /** The fused engine cannot train this model with these options. */
      supported: false;
      /** Why not (e.g. "the model is not a standard GMF, MLP or NeuMF"). */
      reason: string;
    };

// Kernel L2 penalties are implemented (kernelL2 below); these are not. An embedding penalty would
// move every row of its table at every step, which neither the row-wise updates nor the dense-Adam
// catch-up's closed form (a row's gradient is zero while it sits out) can express.
const REGULARIZER_KEYS = ['embeddingsRegularizer', 'biasRegularizer', 'activityRegularizer'] as const;

/** A serialised tfjs regularizer that actually penalises something. */
function penalises(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const config = (value as { config?: { l1?: unknown; l2?: unknown } }).config;
  // an unknown regularizer counts as a penalty
  if (config === undefined || typeof config.l1 !== 'number' || typeof config.l2 !== 'number') return true;
  return config.l1 !== 0 || config.l2 !== 0;
}

/**
 * Whether the fused CPU engine can train `model` with `options`: a standard GMF, MLP or NeuMF
 * (also a pretrained NeuMF, and any of them with side features), with every layer trainable, no weight
 * penalty but L2 on Dense kernels (the MLP's `l2[1..]`), the BCE or BPR loss and the Adam or SGD
 * optimizer. Anything else (an L2 penalty on embeddings among them) goes to the tfjs engine.
 *
 * @param model - the model to train
 * @param architecture - what `inspectModel(model)` recognised, or null
 * @param options - the resolved training options
 * @returns `{ supported: true }`, or `{ supported: false, reason }` naming what is not supported
 * @example
 * ```ts
 * fusedSupport(model, inspectModel(model), resolveTrainOptions({ loss: 'bpr' }));
 * //=> { supported: true }
 * ```
 */
export function fusedSupport(
  model: tf.LayersModel,
  architecture: NcfArchitecture | null,
  options: ResolvedTrainOptions,
): FusedSupport {
  if (architecture === null) return { supported: false, reason: 'the model is not a standard GMF, MLP or NeuMF' };
  if (options.loss !== 'bce' && options.loss !== 'bpr') return { supported: false, reason: `loss '${String(options.loss)}' is not implemented` };
  if (options.optimizer !== 'adam' && options.optimizer !== 'sgd') {
    return { supported: false, reason: `optimizer '${String(options.optimizer)}' is not implemented` };
  }
  if (model.trainable === false) return { supported: false, reason: 'the model is frozen (trainable: false)' };
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    if (!layer.trainable) return { supported: false, reason: `layer '${layer.name}' is frozen (trainable: false)` };
    const config = layer.getConfig() as Record<string, unknown>;
    for (const key of REGULARIZER_KEYS) {
      if (penalises(config[key])) return { supported: false, reason: `layer '${layer.name}' has a weight penalty (${key}), which the fused engine does not implement` };
    }
    if (regularizerL2(config.kernelRegularizer) === null) {
      return { supported: false, reason: `layer '${layer.name}' has a kernel penalty other than L2 (kernelRegularizer), which the fused engine does not implement` };
    }
    // a side-feature field (FeaturePool) names its table's L2 penalty `l2`
    if (typeof config.l2 === 'number' && config.l2 !== 0) {
      return { supported: false, reason: `layer '${layer.name}' has a weight penalty (l2 ${config.l2}), which the fused engine does not implement` };
    }
  }
  return { supported: true };
}

/**
 * The L2 penalties on the model's Dense kernels, placed in the fused layout's dense block (for
 * `KernelOptions.kernelL2`). Call after {@link fusedSupport} accepted the model.
 *
 * @param model - the model
 * @param layout - its fused layout
 * @returns one entry per penalised kernel (empty without penalties)
 * @example
 * ```ts
 * const model = MLP({ numUsers: 3, numItems: 4, layers: [8, 4], l2: [0, 1e-4] });
 * kernelL2(model, paramLayout(inspectModel(model)!)); //=> [{ offset: 0, length: 32, l2: 1e-4 }]
 * ```
 */
export function kernelL2(model: tf.LayersModel, layout: ParamLayout): KernelPenalty[] {
  const out: KernelPenalty[] = [];
  for (const region of layout.regions) {
    if (region.index !== 0 || !region.transposed) continue;
    const l2 = regularizerL2((model.getLayer(region.layer).getConfig() as Record<string, unknown>).kernelRegularizer);
    if (l2 === null || l2 === 0) continue;
    out.push({ offset: region.offset - layout.denseOffset, length: region.shape[0] * region.shape[1], l2 });
  }
  return out;
}
