// Which models and options the fused engine can train exactly as the tfjs engine would.
import type * as tf from '@tensorflow/tfjs';
import type { NcfArchitecture } from '../../ncf/index.js';
import type { ResolvedTrainOptions } from '../types.js';

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

const REGULARIZER_KEYS = ['embeddingsRegularizer', 'kernelRegularizer', 'biasRegularizer', 'activityRegularizer'] as const;

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
 * (also a pretrained NeuMF, and any of them with side features), with every layer trainable and no weight
 * penalty, the BCE or BPR loss and the Adam or SGD optimizer. Anything else goes to the tfjs engine.
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
    // a side-feature field (FeaturePool) names its table's L2 penalty `l2`
    if (typeof config.l2 === 'number' && config.l2 !== 0) {
      return { supported: false, reason: `layer '${layer.name}' has a weight penalty (l2 ${config.l2}), which the fused engine does not implement` };
    }
  }
  return { supported: true };
}
