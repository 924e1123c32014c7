// The Recommender's building blocks that need no instance: its own checked copy of the seen items
// and the popularity, the model's sizes, and naming a user by id in a training error.
import * as tf from '@tensorflow/tfjs';
import { RecsysError, isRecsysError } from '../errors.js';
import { assertOneOf, show } from '../_lib/validate.js';
import { IdMap } from '../data/index.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { checkExclude, isSeenItems, toSeenItems, type SeenItems } from '../data/seen-items.js';
import type { NcfArchitecture } from '../ncf/index.js';
import { GMF, MLP, NeuMF, inspectModel, type SideFeatureArgs } from '../models/index.js';
import { createScorer, isScorer, type Scorer } from '../scoring/index.js';
import { POLICIES } from './recommender-batch.js';
import type { ModelState } from './recommender-grow.js';
import type { ExternalId, RecommenderParts, UnknownUserPolicy } from './recommender-types.js';

/**
 * A NO_NEGATIVES error from training names a user by the model's index; the Recommender knows the
 * id behind it, so the message names that instead (`user "alice" (index 0) has every one of ...`).
 */
export function withUserId(e: unknown, users: IdMap): unknown {
  if (!isRecsysError(e, 'NO_NEGATIVES') || typeof e.details?.user !== 'number') return e;
  const index = e.details.user;
  if (!(index >= 0 && index < users.size)) return e;
  const id = users.id(index);
  const named = `user ${show(id)} (index ${index})`;
  const mention = new RegExp(`\\buser ${index}\\b`);
  const message = mention.test(e.message) ? e.message.replace(mention, named) : `${named}: ${e.message}`;
  return new RecsysError('NO_NEGATIVES', message, { ...e.details, user: id, index });
}

/** The Recommender's own copy of `seen`, checked by the one `exclude` validator and indexed. */
export function ownSeenItems(seen: Interactions | SeenItems | undefined, numUsers: number, numItems: number): SeenItems {
  if (seen === undefined) return { offsets: new Int32Array(numUsers + 1), items: new Int32Array(0) };
  if (seen !== null && typeof seen === 'object' && !isSeenItems(seen)) {
    validateInteractions(seen, 'seen');
    if (seen.numUsers > numUsers || seen.numItems > numItems) {
      throw new RecsysError(
        'SHAPE_MISMATCH',
        `seen covers ${seen.numUsers} users and ${seen.numItems} items but the id maps hold ${numUsers} users and ${numItems} items`,
      );
    }
  }
  const checked = checkExclude(seen, numUsers, numItems, 'seen') as Interactions | SeenItems;
  const index = toSeenItems(checked, numUsers);
  return index === checked ? { offsets: index.offsets.slice(), items: index.items.slice() } : index;
}

export function countPopularity(seen: SeenItems, numItems: number): Float64Array {
  const counts = new Float64Array(numItems);
  for (const item of seen.items) counts[item]++;
  return counts;
}

export function checkPopularity(popularity: ArrayLike<number>, numItems: number): Float64Array {
  if (popularity === null || typeof popularity !== 'object' || typeof popularity.length !== 'number') {
    throw new RecsysError('INVALID_ARGUMENT', `popularity must be an array of numbers, got ${show(popularity)}`);
  }
  if (popularity.length !== numItems) {
    throw new RecsysError('LENGTH_MISMATCH', `popularity has length ${popularity.length} but there are ${numItems} items`);
  }
  const out = Float64Array.from(popularity);
  for (let i = 0; i < numItems; i++) {
    if (!(Number.isFinite(out[i]) && out[i] >= 0)) {
      throw new RecsysError('NOT_FINITE', `popularity[${i}] must be a finite number >= 0, got ${show(popularity[i])}`);
    }
  }
  return out;
}

export function modelCounts(model: tf.LayersModel, arch: NcfArchitecture | null): { numUsers: number; numItems: number } {
  if (arch !== null) return { numUsers: arch.numUsers, numItems: arch.numItems };
  const scorer = createScorer(model);
  try {
    return { numUsers: scorer.numUsers, numItems: scorer.numItems };
  } finally {
    scorer.dispose();
  }
}

/** Items by popularity, most popular first; equal counts by index, so the order is stable across runs. */
export function popularityOrder(counts: Float64Array): Int32Array {
  const order = Int32Array.from({ length: counts.length }, (_, i) => i);
  return order.sort((a, b) => counts[b] - counts[a] || a - b);
}

/** A standard model for Recommender.fit: GMF, MLP or NeuMF with the given (or default) widths. */
export function buildNcf(
  kind: 'neumf' | 'gmf' | 'mlp',
  sizes: { numUsers: number; numItems: number; seed: number },
  factors: number | undefined,
  layers: readonly number[] | undefined,
  features: SideFeatureArgs = {},
): tf.LayersModel {
  const f = factors !== undefined ? { factors } : {};
  const l = layers !== undefined ? { layers } : {};
  const all = { ...sizes, ...features };
  return kind === 'gmf' ? GMF({ ...all, ...f }) : kind === 'mlp' ? MLP({ ...all, ...l }) : NeuMF({ ...all, ...f, ...l });
}

/**
 * The checked parts of a Recommender: the model (or the Scorer it serves), the id maps (sized like
 * the model), the policy, and its own state (architecture, seen items, popularity).
 */
export function checkParts<U extends ExternalId, I extends ExternalId>(
  parts: RecommenderParts<U, I>,
): { served: Scorer | null; users: IdMap<U>; items: IdMap<I>; unknownUser: UnknownUserPolicy; state: ModelState } {
  if (parts === null || typeof parts !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `Recommender expects { model, users, items }, got ${show(parts)}`);
  }
  const { model, users, items, seen, popularity, unknownUser = 'popular' } = parts;
  const served = isScorer(model) ? model : null;
  if (served === null && !(model instanceof tf.LayersModel)) {
    throw new RecsysError('INVALID_ARGUMENT', `model must be a tf.LayersModel or a Scorer (e.g. a fitted baseline), got ${show(model)}`);
  }
  if (!(users instanceof IdMap)) throw new RecsysError('INVALID_ARGUMENT', `users must be an IdMap, got ${show(users)}`);
  if (!(items instanceof IdMap)) throw new RecsysError('INVALID_ARGUMENT', `items must be an IdMap, got ${show(items)}`);
  assertOneOf('unknownUser', unknownUser, POLICIES);
  const arch = served === null ? inspectModel(model as tf.LayersModel) : null;
  const { numUsers, numItems } = served === null ? modelCounts(model as tf.LayersModel, arch) : served;
  if (users.size !== numUsers || items.size !== numItems) {
    throw new RecsysError(
      'SHAPE_MISMATCH',
      `the id maps hold ${users.size} users and ${items.size} items but the model has ${numUsers} users and ${numItems} items`,
      { users: users.size, items: items.size, numUsers, numItems },
    );
  }
  const own = ownSeenItems(seen, numUsers, numItems);
  const counts = popularity === undefined ? countPopularity(own, numItems) : checkPopularity(popularity, numItems);
  return { served, users, items, unknownUser, state: { model: served === null ? (model as tf.LayersModel) : null, arch, seen: own, popularity: counts } };
}
