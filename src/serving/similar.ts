// Item neighbours by cosine similarity of the items' learned embeddings. A NeuMF has two item
// tables (GMF and MLP) of different scales, so each table's row is L2-normalised before they are
// concatenated: both views count equally, and neither dominates by magnitude.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertIndex, assertK, checkOptions, show } from '../_lib/validate.js';
import { topK } from '../metrics/index.js';
import { inspectModel } from '../models/index.js';
import { LAYER_NAMES, type NcfArchitecture } from '../ncf/index.js';
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

/** The item embedding layers of `model`, each [numItems, width]. */
function itemLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const architecture = inspectModel(model);
  if (architecture !== null) {
    const names: string[] = [];
    if (architecture.kind !== 'mlp') names.push(LAYER_NAMES.gmfItem);
    if (architecture.kind !== 'gmf') names.push(LAYER_NAMES.mlpItem);
    return names.map((name) => model.getLayer(name));
  }
  const fed = embeddingsFedBy(model, 'item');
  if (fed.length === 0) {
    throw new RecsysError('UNSUPPORTED_MODEL', 'similarItems needs item embeddings, but the model has no Embedding layer fed by its item input');
  }
  // Tables of another size are not indexed by item (e.g. a side feature): only the item-sized ones count.
  const numItems = Math.min(...fed.map(embeddingRows));
  return fed.filter((layer) => embeddingRows(layer) === numItems);
}

/** A model's item vectors for cosine similarity ({@link unitVectors} of its item tables), [numItems, width]. */
interface ItemVectors {
  /** The weight tensors the vectors were computed from (their identity changes when training or setWeights writes them). */
  readonly sources: readonly object[];
  readonly numItems: number;
  readonly width: number;
  readonly vectors: Float32Array;
}

// One cache entry per model: built on the first call, reused while the item tables are the same
// tensors. Training (either engine), setWeights and loading all replace a variable's data, which
// gives it a new dataId, so a stale entry is detected and rebuilt, never served.
const cache = new WeakMap<tf.LayersModel, ItemVectors>();

function itemVectors(model: tf.LayersModel): ItemVectors {
  const architecture = inspectModel(model);
  const features = architecture?.features?.item ?? [];
  if (architecture !== null && features.length > 0) return featureItemVectors(model, architecture);
  const layers = itemLayers(model);
  const weights = layers.map((layer) => layer.getWeights()[0]);
  const sources = weights.map((w) => w.dataId as object);
  const cached = cache.get(model);
  if (isFresh(cached, sources)) return cached!;
  const numItems = embeddingRows(layers[0]);
  // The model's own variables: read, never disposed or written.
  const tables = weights.map((w) => ({ values: w.dataSync() as Float32Array, width: w.shape[1] as number }));
  const { width, vectors } = unitVectors(tables, numItems);
  const entry: ItemVectors = { sources, numItems, width, vectors };
  cache.set(model, entry);
  return entry;
}

function isFresh(cached: ItemVectors | undefined, sources: readonly object[]): boolean {
  return cached !== undefined && cached.sources.length === sources.length && cached.sources.every((d, t) => d === sources[t]);
}

/**
 * A feature model's item vectors: per block, what the model itself feeds forward for an item, its
 * id row plus its pooled feature rows (the `*_item_sum` layers), so that two items with the same
 * features are alike even before either has an interaction.
 */
function featureItemVectors(model: tf.LayersModel, architecture: NcfArchitecture): ItemVectors {
  const blocks = (['gmf', 'mlp'] as const).filter((b) => (b === 'gmf' ? architecture.kind !== 'mlp' : architecture.kind !== 'gmf'));
  const sums = blocks.map((b) => model.getLayer(LAYER_NAMES.featureSum(b, 'item')));
  // every weight those vectors read: the id tables and each field's table and index
  const sources = sums.flatMap((sum) => sum.inboundNodes.flatMap((n) => n.inboundLayers.flatMap((l) => l.getWeights().map((w) => w.dataId as object))));
  const cached = cache.get(model);
  if (isFresh(cached, sources)) return cached!;
  const itemInput = model.inputs.find((t) => t.name.startsWith(LAYER_NAMES.itemInput)) ?? model.inputs[1];
  const sub = tf.model({ inputs: itemInput, outputs: sums.map((l) => l.output as tf.SymbolicTensor) });
  const numItems = architecture.numItems;
  const tables = tf.tidy(() => {
    const out = sub.predict(tf.range(0, numItems, 1, 'int32').reshape([numItems, 1]), { batchSize: 4096 });
    return (Array.isArray(out) ? out : [out]).map((t) => ({ values: t.dataSync() as Float32Array, width: t.shape[t.shape.length - 1] as number }));
  });
  const { width, vectors } = unitVectors(tables, numItems);
  const entry: ItemVectors = { sources, numItems, width, vectors };
  cache.set(model, entry);
  return entry;
}

/**
 * Finds the items most similar to `item`: cosine similarity between item embeddings, the item
 * itself left out, best first (ties by lower index). For a NeuMF the vector of an item is the
 * concatenation of its L2-normalised GMF and MLP embeddings; for GMF or MLP it is its one
 * embedding; for a custom model, every Embedding table fed by the item input (with one row per
 * item), each normalised. An all-zero embedding has similarity 0 to everything.
 *
 * The normalised item vectors are computed on the first call for a model and kept (one
 * numItems x width Float32Array per model, released with the model); later calls cost one dot
 * product per item. Training, `setWeights` and fold-in give the tables new data, which is detected
 * and the vectors rebuilt.
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
  const { numItems, width, vectors } = itemVectors(model);
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

  // Unit (or zero) vectors: a cosine is a dot product.
  return rankByDot(vectors, width, numItems, item, k);
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

/**
 * Each item's vector for cosine similarity from one or more tables [numItems, width_t]: the
 * concatenation of its L2-normalised rows (a zero row contributes zeros), divided by sqrt(number
 * of nonzero parts), so every vector has norm 1 (or is all zero) and a cosine is one dot product.
 */
function unitVectors(tables: readonly { values: ArrayLike<number>; width: number }[], numItems: number): { width: number; vectors: Float32Array } {
  const width = tables.reduce((sum, t) => sum + t.width, 0);
  const vectors = new Float32Array(numItems * width);
  for (let j = 0; j < numItems; j++) {
    let parts = 0;
    let offset = j * width;
    const norms = tables.map(({ values, width: w }) => rowNorm(values, j, w));
    for (const n of norms) if (n > 0) parts++;
    const scale = parts > 0 ? 1 / Math.sqrt(parts) : 0;
    for (let t = 0; t < tables.length; t++) {
      const { values, width: w } = tables[t];
      if (norms[t] > 0) {
        const e = j * w;
        const f = scale / norms[t];
        for (let c = 0; c < w; c++) vectors[offset + c] = values[e + c] * f;
      }
      offset += w;
    }
  }
  return { width, vectors };
}

function rowNorm(values: ArrayLike<number>, row: number, width: number): number {
  let sum = 0;
  const e = row * width;
  for (let f = 0; f < width; f++) sum += values[e + f] * values[e + f];
  return Math.sqrt(sum);
}

/** Item factors of a Scorer that has them (the ALS and MF baselines: `itemFactors`, `factors`), else null. */
export function factorsOf(scorer: object): { readonly itemFactors: ArrayLike<number>; readonly factors: number; readonly numItems: number } | null {
  const s = scorer as { itemFactors?: unknown; factors?: unknown; numItems?: unknown };
  const ok =
    (s.itemFactors instanceof Float64Array || s.itemFactors instanceof Float32Array) &&
    typeof s.factors === 'number' &&
    typeof s.numItems === 'number' &&
    s.itemFactors.length === s.factors * s.numItems;
  return ok ? (scorer as { itemFactors: ArrayLike<number>; factors: number; numItems: number }) : null;
}

// normalised factor rows per scorer (a fitted baseline's factors never change)
const factorCache = new WeakMap<object, Float32Array>();

/**
 * Neighbours of `item` by cosine similarity of item factor rows (a baseline's), the item left out,
 * best first, ties by lower index; an all-zero row has similarity 0 to everything.
 */
export function similarByFactors(source: { readonly itemFactors: ArrayLike<number>; readonly factors: number; readonly numItems: number }, item: number, k: number): Recommendation[] {
  const { itemFactors, factors: width, numItems } = source;
  checkNeighbourK(k, numItems);
  let vectors = factorCache.get(source);
  if (vectors === undefined) {
    vectors = unitVectors([{ values: itemFactors, width }], numItems).vectors;
    factorCache.set(source, vectors);
  }
  return rankByDot(vectors, width, numItems, item, k);
}

/** Cosines of `item` with every item over unit (or zero) rows, and the K best others. */
function rankByDot(vectors: Float32Array, width: number, numItems: number, item: number, k: number): Recommendation[] {
  const similarity = new Float32Array(numItems);
  const q = item * width;
  for (let j = 0; j < numItems; j++) {
    let dot = 0;
    const e = j * width;
    for (let f = 0; f < width; f++) dot += vectors[q + f] * vectors[e + f];
    // Rounding may step just outside [-1, 1]; a cosine never does.
    similarity[j] = Math.max(-1, Math.min(1, dot));
  }
  const best = topK(similarity, k, (j) => j === item);
  return Array.from(best, (j) => ({ item: j, score: similarity[j] }));
}

/** Whether {@link neighboursOf} can answer for `source`: a model with item embeddings, or a Scorer with item factors. */
export function hasNeighbours(source: tf.LayersModel | object): boolean {
  return source instanceof tf.LayersModel ? inspectModel(source) !== null || embeddingsFedBy(source, 'item').length > 0 : factorsOf(source) !== null;
}

/**
 * The K items most similar to `item`: by the item embeddings of a model (similarItems), or by the
 * item factors of a Scorer that has them (ALS, MF); UNSUPPORTED_MODEL naming `what` otherwise.
 */
export function neighboursOf(source: tf.LayersModel | object, item: number, k: number, what: string): Recommendation[] {
  if (source instanceof tf.LayersModel) return similarItems(source, item, { k });
  const factors = factorsOf(source);
  if (factors === null) throw new RecsysError('UNSUPPORTED_MODEL', `similar needs item embeddings or item factors; this Recommender serves ${what} with none`);
  return similarByFactors(factors, item, k);
}
