// Item neighbours by cosine similarity of the items' learned embeddings. A NeuMF has two item
// tables (GMF and MLP) of different scales, so each table's row is L2-normalised before they are
// concatenated: both views count equally, and neither dominates by magnitude.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertIndex, assertK, checkOptions, show } from '../_lib/validate.js';
import { topK } from '../metrics/index.js';
import { inspectModel } from '../models/index.js';
import { LAYER_NAMES } from '../models/architecture.js';
import { isScorer } from '../scoring/index.js';
import { embeddingRows, embeddingsFedBy } from '../scoring/index.js';
import type { Recommendation } from './recommend.js';

/** Options of {@link similarItems}. @category Serving */
export interface SimilarItemsOptions {
  /**
   * How many neighbours to return: a positive integer up to numItems - 1 (the item itself is left
   * out, so that is every other item). Default 10. A larger K is a `RecsysError` (INVALID_K) naming
   * K and the limit.
   */
  k?: number;
}

/** The item embedding tables of `model`: [numItems, width] each, as flat Float32Arrays. */
function itemTables(model: tf.LayersModel): { numItems: number; tables: { values: Float32Array; width: number }[] } {
  const architecture = inspectModel(model);
  let layers: tf.layers.Layer[];
  if (architecture !== null) {
    const names: string[] = [];
    if (architecture.kind !== 'mlp') names.push(LAYER_NAMES.gmfItem);
    if (architecture.kind !== 'gmf') names.push(LAYER_NAMES.mlpItem);
    layers = names.map((name) => model.getLayer(name));
  } else {
    const fed = embeddingsFedBy(model, 'item');
    if (fed.length === 0) {
      throw new RecsysError('UNSUPPORTED_MODEL', 'similarItems needs item embeddings, but the model has no Embedding layer fed by its item input');
    }
    // Tables of another size are not indexed by item (e.g. a side feature): only the item-sized ones count.
    const numItems = Math.min(...fed.map(embeddingRows));
    layers = fed.filter((layer) => embeddingRows(layer) === numItems);
  }
  const tables = layers.map((layer) => {
    const [weights] = layer.getWeights();
    // The model's own variable: read, never disposed or written.
    return { values: weights.dataSync() as Float32Array, width: weights.shape[1] as number };
  });
  return { numItems: embeddingRows(layers[0]), tables };
}

/**
 * Finds the items most similar to `item`: cosine similarity between item embeddings, the item
 * itself left out, best first (ties by lower index). For a NeuMF the vector of an item is the
 * concatenation of its L2-normalised GMF and MLP embeddings; for GMF or MLP it is its one
 * embedding; for a custom model, every Embedding table fed by the item input (with one row per
 * item), each normalised. An all-zero embedding has similarity 0 to everything.
 *
 * @param model - a `tf.LayersModel` with item embeddings (a Scorer has none)
 * @param item - the item's index, in 0..numItems-1
 * @param options - `k` (default 10, at most numItems - 1)
 * @returns up to K `{ item, score }` with scores in [-1, 1], sorted descending
 * @example
 * ```ts
 * similarItems(model, 260, { k: 2 });
 * //=> [{ item: 1196, score: 0.87 }, { item: 1210, score: 0.84 }]
 * ```
 */
export function similarItems(model: tf.LayersModel, item: number, options?: SimilarItemsOptions): Recommendation[] {
  const { k = 10 } = checkOptions(options);
  if (isScorer(model)) {
    throw new RecsysError('UNSUPPORTED_MODEL', 'similarItems needs the model itself (its item embeddings); a Scorer has none');
  }
  const m = model as Partial<tf.LayersModel> | null;
  if (m === null || typeof m !== 'object' || typeof m.getLayer !== 'function' || !Array.isArray(m.layers)) {
    throw new RecsysError('INVALID_ARGUMENT', `model must be a tf.LayersModel, got ${show(model)}`);
  }
  const { numItems, tables } = itemTables(model);
  if (typeof item !== 'number') {
    throw new RecsysError(
      'ITEM_OUT_OF_RANGE',
      `item ${show(item)} is not an item index: similarItems takes the model's item index (0..${numItems - 1}); ` +
        `to look items up by your own ids use a Recommender, whose similar(${show(item)}) takes ids`,
      { value: item, count: numItems },
    );
  }
  assertIndex('item', item, numItems);
  checkNeighbourK(k, numItems);

  // The query's normalised parts; |v| of a concatenation of unit parts is sqrt(#nonzero parts).
  const similarity = new Float32Array(numItems);
  const queryNorms = tables.map(({ values, width }) => rowNorm(values, item, width));
  const queryParts = queryNorms.filter((n) => n > 0).length;
  if (queryParts > 0) {
    const parts = new Uint8Array(numItems);
    for (let t = 0; t < tables.length; t++) {
      const { values, width } = tables[t];
      if (queryNorms[t] === 0) {
        for (let j = 0; j < numItems; j++) if (rowNorm(values, j, width) > 0) parts[j]++;
        continue;
      }
      const q = item * width;
      for (let j = 0; j < numItems; j++) {
        const norm = rowNorm(values, j, width);
        if (norm === 0) continue;
        parts[j]++;
        let dot = 0;
        const e = j * width;
        for (let f = 0; f < width; f++) dot += values[q + f] * values[e + f];
        similarity[j] += dot / (norm * queryNorms[t]);
      }
    }
    for (let j = 0; j < numItems; j++) {
      if (parts[j] === 0) continue;
      const cosine = similarity[j] / Math.sqrt(parts[j] * queryParts);
      // Rounding may step just outside [-1, 1]; a cosine never does.
      similarity[j] = Math.max(-1, Math.min(1, cosine));
    }
  }
  const best = topK(similarity, k, (j) => j === item);
  return Array.from(best, (j) => ({ item: j, score: similarity[j] }));
}

/** K of similarItems: a positive integer no larger than numItems - 1, the number of other items. */
function checkNeighbourK(k: unknown, numItems: number): asserts k is number {
  assertK(k);
  if (k > numItems - 1) {
    throw new RecsysError(
      'INVALID_K',
      `k = ${k} is larger than numItems - 1 = ${numItems - 1}, the number of other items an item can be similar to (the item itself is left out)`,
      { k, numItems, limit: numItems - 1 },
    );
  }
}

function rowNorm(values: Float32Array, row: number, width: number): number {
  let sum = 0;
  const e = row * width;
  for (let f = 0; f < width; f++) sum += values[e + f] * values[e + f];
  return Math.sqrt(sum);
}
