// Side features in the builders (internal): checks the feature tables a builder was given, turns
// them into the architecture's feature fields (ncf/spec.ts derives the weights from those) and
// makes each side's vector of one block: the id embedding alone without fields (exactly the model
// of earlier releases), else tf.layers.add of the id embedding and one FeaturePool per field.
import * as tf from '@tensorflow/tfjs';
import type { FeatureTable } from '../data/features.js';
import { LAYER_NAMES, type NcfBlock, type NcfFeatures, type NcfSide, type NcfSpec } from '../ncf/index.js';
import { featurePools, resolveSide, type ResolvedField } from './feature-fields.js';
import { partSeed, SEED_STREAM, tableVector } from './parts.js';

/**
 * The side-feature arguments every builder takes.
 *
 * @example
 * ```ts
 * const args: SideFeatureArgs = { itemFeatures: movies, itemFields: ['genre'], userFeatures: people };
 * NeuMF({ numUsers: people.numEntities, numItems: movies.numEntities, ...args });
 * ```
 * @category Models
 */
export interface SideFeatureArgs {
  /**
   * Per-user categorical features (e.g. from `readMovieLensUsers` + `featuresFrom`), indexed like
   * the users: `numEntities` must equal `numUsers`. Each field gets, per block, an embedding table
   * whose mean over the user's values is added to the user's id embedding. Default: none.
   */
  userFeatures?: FeatureTable;
  /**
   * Per-item categorical features, indexed like the items (`numEntities` must equal `numItems`;
   * items with features but no interactions are scored from their features). Default: none.
   */
  itemFeatures?: FeatureTable;
  /** The user fields to use, in order. Default: every field of `userFeatures`. */
  userFields?: readonly string[];
  /** The item fields to use, in order. Default: every field of `itemFeatures`. */
  itemFields?: readonly string[];
}


/** The resolved side features of a builder call: the architecture part and the per-side fields. */
export interface ResolvedSideFeatures {
  /** For ncfSpec; undefined when no side has a field (the model is then exactly the plain one). */
  readonly features: NcfFeatures | undefined;
  readonly user: readonly ResolvedField[];
  readonly item: readonly ResolvedField[];
}

/** Checks the side-feature arguments against the model's sizes. */
export function resolveSideFeatures(args: SideFeatureArgs, numUsers: number, numItems: number): ResolvedSideFeatures {
  const user = resolveSide('user', args.userFeatures, args.userFields, numUsers);
  const item = resolveSide('item', args.itemFeatures, args.itemFields, numItems);
  const features =
    user.length + item.length === 0
      ? undefined
      : { ...(user.length > 0 ? { user: user.map((f) => f.arch) } : {}), ...(item.length > 0 ? { item: item.map((f) => f.arch) } : {}) };
  return { features, user, item };
}


/**
 * One side's vector in one block: the spec's id table looked up from `input`, plus the mean of
 * each field's value rows when the side has fields (tf.layers.add, named `mf_item_sum` etc.).
 */
export function sideVector(
  spec: NcfSpec,
  resolved: ResolvedSideFeatures,
  side: NcfSide,
  block: NcfBlock,
  input: tf.SymbolicTensor,
  l2: number,
  seed: number | undefined,
): tf.SymbolicTensor {
  const id = tableVector(spec, side, block, input, l2, seed);
  const fields = resolved[side];
  if (fields.length === 0) return id;
  const width = block === 'gmf' ? spec.factors : spec.mlpWidth;
  const stream = SEED_STREAM.feature + (block === 'gmf' ? 0 : 500) + (side === 'user' ? 0 : 250);
  const entities = side === 'user' ? spec.numUsers : spec.numItems;
  const layers = featurePools(fields, width, entities, (k) => LAYER_NAMES.feature(block, side, k), l2, (k) => partSeed(seed, stream + k));
  const pooled = layers.map((layer) => layer.apply(input) as tf.SymbolicTensor);
  return tf.layers.add({ name: LAYER_NAMES.featureSum(block, side) }).apply([id, ...pooled]) as tf.SymbolicTensor;
}
