// A features-only popularity baseline for cold items: an item is as popular as the training items
// that share its feature values, on average. The yardstick a feature model must beat on new items.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { FeatureField, FeatureTable } from './features.js';
import { validateInteractions, type Interactions } from './interactions.js';
import { itemPopularity } from './popularity.js';

/** Options of {@link featurePopularity}. */
export interface FeaturePopularityOptions {
  /** The fields whose values are averaged. Default: every field of the table. */
  fields?: readonly string[];
}

/**
 * A Scorer-shaped baseline: it has the members of the library's `Scorer` (`numUsers`,
 * `numItems`, `scoreItems`, `scoreAllItems`, `scorePairs`, `dispose`), so evaluation and serving
 * accept it wherever a model is; scores do not depend on the user. `valueScores` exposes the
 * per-field value popularity it averages.
 */
export interface FeaturePopularityScorer {
  /** Number of users accepted (the training data's). */
  readonly numUsers: number;
  /** Number of items: the feature table's entities (training items plus new ones). */
  readonly numItems: number;
  /** Each item's score (length numItems). */
  readonly itemScores: Float32Array;
  /** Per field, the popularity of each value row (row 0, unknown, is the global mean). */
  readonly valueScores: ReadonlyMap<string, Float64Array>;
  /** Scores `items` for `user` (the same for every user). */
  scoreItems(user: number, items: Int32Array, out?: Float32Array): Float32Array;
  /** Scores every item for each user, row-major `out[r * numItems + i]`. */
  scoreAllItems(users: Int32Array, out?: Float32Array): Float32Array;
  /** Scores (user, item) pairs. */
  scorePairs(users: Int32Array, items: Int32Array, out?: Float32Array): Float32Array;
  /** Nothing to release; present for the Scorer shape. */
  dispose(): void;
}

function checkIndex(kind: 'user' | 'item', value: number, count: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value < count)) {
    throw new RecsysError(kind === 'user' ? 'USER_OUT_OF_RANGE' : 'ITEM_OUT_OF_RANGE', `${kind} index ${show(value)} is not in 0..${count - 1}`, { value });
  }
}

function output(out: Float32Array | undefined, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (!(out instanceof Float32Array) || out.length < length) {
    throw new RecsysError('INVALID_SIZE', `out must be a Float32Array of length >= ${length}, got ${show(out)}`);
  }
  return out;
}

/**
 * The genre-popularity baseline for cold start, tfjs-free. With `pop(i)` the number of training
 * interactions of item `i`, `T` the items with `pop(i) > 0`, and `v` a value of a listed field:
 * `valuePop(v) = mean of pop(i) over the items of T that have v` (row 0, unknown, and values no
 * training item has get the mean of `pop` over T); an item's score is the mean of `valuePop` over
 * all its values in the listed fields, or the mean over T when it has none. So a new drama
 * scores like the average training drama, whatever its own (zero) count.
 *
 * @param train - the training interactions; their items are the table's first `numItems` entities
 * @param features - the item feature table (its entities may extend past `train.numItems`: new items)
 * @param options - `fields` to average (default: all)
 * @returns a Scorer-shaped object
 * @example
 * ```ts
 * const train = { users: Int32Array.of(0, 1, 1), items: Int32Array.of(0, 0, 1), numUsers: 2, numItems: 2 };
 * const table = featuresFrom([{ id: 'a', genre: 'x' }, { id: 'b', genre: 'y' }, { id: 'new', genre: 'x' }], { fields: ['genre'], ids: IdMap.fromIds(['a', 'b']) });
 * featurePopularity(train, table).itemScores; //=> Float32Array [2, 1, 2]
 * ```
 */
export function featurePopularity(train: Interactions, features: FeatureTable, options: FeaturePopularityOptions = {}): FeaturePopularityScorer {
  validateInteractions(train, 'train');
  if (features === null || typeof features !== 'object' || !Array.isArray(features.fields)) {
    throw new RecsysError('INVALID_ARGUMENT', `features must be a FeatureTable, got ${show(features)}`);
  }
  if (features.numEntities < train.numItems) {
    throw new RecsysError('SHAPE_MISMATCH', `the feature table has ${features.numEntities} items, the training data ${train.numItems}: build it with the interactions' item map`);
  }
  const names = options.fields ?? features.fields.map((f) => f.name);
  if (!Array.isArray(names) || names.length === 0) throw new RecsysError('INVALID_ARGUMENT', `fields must be a non-empty array of field names, got ${show(names)}`);
  const fields = names.map((n) => features.field(n));
  const pop = itemPopularity(train);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < pop.length; i++) {
    if (pop[i] > 0) {
      sum += pop[i];
      count++;
    }
  }
  if (count === 0) throw new RecsysError('EMPTY_INPUT', 'the training data has no interaction');
  const globalMean = sum / count;
  const valueScores = new Map<string, Float64Array>();
  for (const f of fields) valueScores.set(f.name, valueMeans(f, pop, train.numItems, globalMean));
  const numItems = features.numEntities;
  const itemScores = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let s = 0;
    let n = 0;
    for (const f of fields) {
      const mean = valueScores.get(f.name)!;
      for (let j = f.offsets[i]; j < f.offsets[i + 1]; j++) {
        s += mean[f.rows[j]];
        n++;
      }
    }
    itemScores[i] = n > 0 ? s / n : globalMean;
  }
  return itemScorer(train.numUsers, itemScores, valueScores);
}

/** Per value row of field `f`: the mean popularity of the training items that have it (row 0, unknown: the global mean). */
function valueMeans(f: FeatureField, pop: Float64Array, numItems: number, globalMean: number): Float64Array {
  const total = new Float64Array(f.numRows);
  const items = new Float64Array(f.numRows);
  for (let i = 0; i < numItems; i++) {
    if (pop[i] === 0) continue;
    for (let j = f.offsets[i]; j < f.offsets[i + 1]; j++) {
      total[f.rows[j]] += pop[i];
      items[f.rows[j]]++;
    }
  }
  const mean = new Float64Array(f.numRows);
  for (let r = 0; r < f.numRows; r++) mean[r] = items[r] > 0 ? total[r] / items[r] : globalMean;
  mean[0] = globalMean;
  return mean;
}

/** The same score per item for every user, as a checked Scorer. */
function itemScorer(numUsers: number, itemScores: Float32Array, valueScores: Map<string, Float64Array>): FeaturePopularityScorer {
  const numItems = itemScores.length;
  return {
    numUsers,
    numItems,
    itemScores,
    valueScores,
    scoreItems(user, items, out) {
      checkIndex('user', user, numUsers);
      const result = output(out, items.length);
      for (let t = 0; t < items.length; t++) {
        checkIndex('item', items[t], numItems);
        result[t] = itemScores[items[t]];
      }
      return result;
    },
    scoreAllItems(users, out) {
      const result = output(out, users.length * numItems);
      for (let r = 0; r < users.length; r++) {
        checkIndex('user', users[r], numUsers);
        result.set(itemScores, r * numItems);
      }
      return result;
    },
    scorePairs(users, items, out) {
      if (users.length !== items.length) throw new RecsysError('LENGTH_MISMATCH', `users has ${users.length} entries, items ${items.length}`);
      const result = output(out, items.length);
      for (let t = 0; t < items.length; t++) {
        checkIndex('user', users[t], numUsers);
        checkIndex('item', items[t], numItems);
        result[t] = itemScores[items[t]];
      }
      return result;
    },
    dispose() {},
  };
}
