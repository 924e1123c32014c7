// The bundle manifest (recsys.json): what a saved model is, which library wrote it, how big its
// weights are and their checksum, and, for a Recommender, the size and checksum of its binary part
// (recommender.bin: id maps, seen items, popularity; format 2) or, in format-1 bundles, those parts
// themselves as JSON and base64. Parsing checks every field, so a damaged manifest is reported as
// BUNDLE_CORRUPT instead of surfacing later as a wrong recommendation.
import type * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { ncfSpec, type NcfArchitecture, type NcfFeatureField, type NcfFeatures, type NcfKind } from '../ncf/index.js';
import { show } from '../_lib/validate.js';
import { VERSION } from '../version.js';

/**
 * The value of the manifest's `format` field.
 *
 * @example
 * ```ts
 * (await readManifest('file://./models/movies')).format === BUNDLE_FORMAT; //=> true
 * ```
 * @category Persistence
 */
export const BUNDLE_FORMAT = 'neural-recsys-bundle';

/**
 * The newest bundle format version this library reads and writes. A bundle with a higher version
 * was written by a newer library and is refused (`BUNDLE_VERSION`); every lower version stays
 * readable. Version 2 keeps a Recommender's id maps, seen items and popularity in the binary
 * `recommender.bin` instead of the manifest; a bundle of a bare model is still written as version
 * 1, which older libraries read too.
 *
 * @example
 * ```ts
 * BUNDLE_FORMAT_VERSION; //=> 2
 * ```
 * @category Persistence
 */
export const BUNDLE_FORMAT_VERSION = 2;

/**
 * The file names of a bundle directory (`file://`, `http(s)://`).
 *
 * @example
 * ```ts
 * BUNDLE_FILES.manifest; //=> 'recsys.json'
 * ```
 * @category Persistence
 */
export const BUNDLE_FILES: {
  /** The standard tfjs layers-model file (topology and weight specs). */
  readonly model: 'model.json';
  /** The weight bytes. */
  readonly weights: 'weights.bin';
  /** A Recommender's id maps, seen items and popularity in binary (format 2; absent for a bare model). */
  readonly recommender: 'recommender.bin';
  /** The manifest, written last. */
  readonly manifest: 'recsys.json';
} = { model: 'model.json', weights: 'weights.bin', recommender: 'recommender.bin', manifest: 'recsys.json' };

/** Size and checksum of a bundle's weight bytes (all weight files concatenated in model.json order), or of recommender.bin. @category Persistence */
export interface BundleWeightsInfo {
  /** Number of bytes. */
  readonly byteLength: number;
  /** CRC-32 (IEEE) of the bytes, 8 lowercase hex digits. */
  readonly crc32: string;
}

/** The seen items of a format-1 Recommender bundle: its `SeenItems` CSR arrays, each as base64 of little-endian int32. @category Persistence */
export interface SeenItemsManifest {
  /** `numUsers + 1` offsets into `items`. */
  readonly offsets: string;
  /** Item indices grouped by user. */
  readonly items: string;
}

/**
 * The Recommender part of a manifest (absent for a bundle saved from a bare model). Format 2
 * records the size and CRC-32 of `recommender.bin` (which holds the id maps, seen items and
 * popularity) in `data`; format 1 held those parts here, in `users`, `items`, `seen` and
 * `popularity`. Exactly one of the two forms is present.
 * @category Persistence
 */
export interface RecommenderManifest {
  /** What `recommend` does for an unknown user. */
  readonly unknownUser: 'popular' | 'error';
  /** Format 2: size and CRC-32 of the binary part (`recommender.bin`, or its entry in a browser store). */
  readonly data?: BundleWeightsInfo;
  /** Format 1: `IdMap.toJSON()` of the users (external ids in index order). */
  readonly users?: unknown;
  /** Format 1: `IdMap.toJSON()` of the items. */
  readonly items?: unknown;
  /** Format 1: items seen per user in CSR form. */
  readonly seen?: SeenItemsManifest;
  /** Format 1: interactions per item (base64 of little-endian float64). */
  readonly popularity?: string;
}

/**
 * The manifest of a saved bundle (`recsys.json` next to `model.json` and `weights.bin`).
 * Every field is written by `saveModel` and checked by `loadModel`.
 *
 * @example
 * ```ts
 * const manifest = await readManifest('file://./models/movies');
 * manifest.architecture; //=> { kind: 'neumf', numUsers: 6040, numItems: 3706, factors: 8, layers: [64, 32, 16, 8] }
 * ```
 * @category Persistence
 */
export interface BundleManifest {
  /** Always `'neural-recsys-bundle'`. */
  readonly format: typeof BUNDLE_FORMAT;
  /** Version of the bundle layout (see {@link BUNDLE_FORMAT_VERSION}). */
  readonly formatVersion: number;
  /** Version of neural-recsys that wrote the bundle. */
  readonly libraryVersion: string;
  /** When the bundle was written (ISO 8601). */
  readonly createdAt: string;
  /** The recognised NCF architecture, or null for a custom model. */
  readonly architecture: NcfArchitecture | null;
  /** Size and CRC-32 of the weight bytes. */
  readonly weights: BundleWeightsInfo;
  /** Browser and memory stores: the key under which this generation's model is stored. */
  readonly modelKey?: string;
  /** Present when a Recommender was saved. */
  readonly recommender: RecommenderManifest | null;
}

const KINDS: readonly NcfKind[] = ['gmf', 'mlp', 'neumf'];

function corrupt(where: string, message: string): RecsysError {
  return new RecsysError('BUNDLE_CORRUPT', `${where}: ${message}`, { where });
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function parseArchitecture(value: unknown, where: string): NcfArchitecture | null {
  if (value === null) return null;
  const a = value as Partial<Record<keyof NcfArchitecture, unknown>>;
  if (typeof value !== 'object' || !KINDS.includes(a.kind as NcfKind)) {
    throw corrupt(where, `architecture.kind must be one of ${KINDS.join(', ')}, got ${show(a?.kind)}`);
  }
  for (const key of ['numUsers', 'numItems'] as const) {
    if (!isPositiveInteger(a[key])) throw corrupt(where, `architecture.${key} must be a positive integer, got ${show(a[key])}`);
  }
  if (!(typeof a.factors === 'number' && Number.isInteger(a.factors) && a.factors >= 0)) {
    throw corrupt(where, `architecture.factors must be a non-negative integer, got ${show(a.factors)}`);
  }
  if (!Array.isArray(a.layers) || !a.layers.every(isPositiveInteger)) {
    throw corrupt(where, `architecture.layers must be an array of positive integers, got ${show(a.layers)}`);
  }
  const features = a.features === undefined ? undefined : parseFeatures(a.features, where);
  return {
    kind: a.kind as NcfKind,
    numUsers: a.numUsers as number,
    numItems: a.numItems as number,
    factors: a.factors,
    layers: [...(a.layers as number[])],
    ...(features === undefined ? {} : { features }),
  };
}

/** `architecture.features` (side-feature fields, absent in bundles of models without them). */
function parseFeatures(value: unknown, where: string): NcfFeatures {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw corrupt(where, `architecture.features must be { user?, item? }, got ${show(value)}`);
  }
  const out: { user?: NcfFeatureField[]; item?: NcfFeatureField[] } = {};
  for (const side of ['user', 'item'] as const) {
    const list = (value as Record<string, unknown>)[side];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw corrupt(where, `architecture.features.${side} must be an array, got ${show(list)}`);
    out[side] = list.map((f: Partial<Record<keyof NcfFeatureField, unknown>>, k) => {
      if (f === null || typeof f !== 'object' || typeof f.name !== 'string' || !isPositiveInteger(f.rows) || !isPositiveInteger(f.maxValues)) {
        throw corrupt(where, `architecture.features.${side}[${k}] must be { name, rows, maxValues }, got ${show(f)}`);
      }
      return { name: f.name, rows: f.rows, maxValues: f.maxValues };
    });
  }
  return out;
}

function parseSize(value: unknown, name: string, where: string): BundleWeightsInfo {
  const v = value as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object') throw corrupt(where, `${name} must be an object, got ${show(value)}`);
  if (!(typeof v.byteLength === 'number' && Number.isInteger(v.byteLength) && v.byteLength >= 0)) {
    throw corrupt(where, `${name}.byteLength must be a non-negative integer, got ${show(v.byteLength)}`);
  }
  if (typeof v.crc32 !== 'string' || !/^[0-9a-f]{8}$/.test(v.crc32)) {
    throw corrupt(where, `${name}.crc32 must be 8 hex digits, got ${show(v.crc32)}`);
  }
  return { byteLength: v.byteLength, crc32: v.crc32 };
}

function parseRecommender(value: unknown, formatVersion: number, where: string): RecommenderManifest {
  const r = value as Record<string, unknown>;
  if (typeof r !== 'object' || Array.isArray(r)) throw corrupt(where, `recommender must be an object, got ${show(value)}`);
  if (r.unknownUser !== 'popular' && r.unknownUser !== 'error') {
    throw corrupt(where, `recommender.unknownUser must be 'popular' or 'error', got ${show(r.unknownUser)}`);
  }
  if (formatVersion >= 2) {
    if (r.data === undefined) throw corrupt(where, `recommender.data (the size and CRC-32 of ${BUNDLE_FILES.recommender}) is missing`);
    return { unknownUser: r.unknownUser, data: parseSize(r.data, 'recommender.data', where) };
  }
  // format 1: the parts inline
  const seen = r.seen as Record<string, unknown> | null;
  if (seen === null || typeof seen !== 'object') throw corrupt(where, 'recommender.seen is missing');
  if (typeof seen.offsets !== 'string' || typeof seen.items !== 'string' || typeof r.popularity !== 'string') {
    throw corrupt(where, 'recommender.seen.offsets, recommender.seen.items and recommender.popularity must be base64 strings');
  }
  if (r.users === undefined || r.items === undefined) throw corrupt(where, 'recommender.users and recommender.items are required');
  return {
    users: r.users,
    items: r.items,
    seen: { offsets: seen.offsets, items: seen.items },
    popularity: r.popularity,
    unknownUser: r.unknownUser,
  };
}

/**
 * Parses and checks a manifest's JSON text. Throws BUNDLE_CORRUPT for anything malformed and
 * BUNDLE_VERSION for a bundle from a newer format.
 *
 * @param text - the manifest JSON
 * @param where - the manifest's location, for messages
 */
export function parseManifest(text: string, where: string): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw corrupt(where, `not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw corrupt(where, `expected a JSON object, got ${show(raw)}`);
  const m = raw as Record<string, unknown>;
  if (m.format !== BUNDLE_FORMAT) throw corrupt(where, `format must be '${BUNDLE_FORMAT}', got ${show(m.format)}`);
  if (!isPositiveInteger(m.formatVersion)) throw corrupt(where, `formatVersion must be a positive integer, got ${show(m.formatVersion)}`);
  if (m.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new RecsysError(
      'BUNDLE_VERSION',
      `${where}: bundle format version ${m.formatVersion} (written by neural-recsys ${show(m.libraryVersion)}) is newer than ` +
        `version ${BUNDLE_FORMAT_VERSION}, the newest that neural-recsys ${VERSION} reads; upgrade neural-recsys to load it`,
      { formatVersion: m.formatVersion, supported: BUNDLE_FORMAT_VERSION, libraryVersion: m.libraryVersion, where },
    );
  }
  if (typeof m.libraryVersion !== 'string') throw corrupt(where, `libraryVersion must be a string, got ${show(m.libraryVersion)}`);
  const weights = parseSize(m.weights, 'weights', where);
  if (m.modelKey !== undefined && typeof m.modelKey !== 'string') throw corrupt(where, `modelKey must be a string, got ${show(m.modelKey)}`);
  const architecture = parseArchitecture(m.architecture ?? null, where);
  let recommender: RecommenderManifest | null = null;
  if (m.recommender !== undefined && m.recommender !== null) recommender = parseRecommender(m.recommender, m.formatVersion, where);
  return {
    format: BUNDLE_FORMAT,
    formatVersion: m.formatVersion,
    libraryVersion: m.libraryVersion,
    createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
    architecture,
    weights,
    ...(typeof m.modelKey === 'string' ? { modelKey: m.modelKey } : {}),
    recommender,
  };
}

/**
 * The weight shapes a standard NCF architecture implies, by layer name (kernel/table first), read
 * off the architecture's weight list (ncf/).
 */
export function expectedWeightShapes(arch: NcfArchitecture): Map<string, number[][]> {
  const shapes = new Map<string, number[][]>();
  for (const w of ncfSpec(arch).weights) {
    const list = shapes.get(w.layer) ?? [];
    list[w.index] = [...w.shape];
    shapes.set(w.layer, list);
  }
  return shapes;
}

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2 };

/**
 * Checks that the weight specs of a bundle agree with its weight bytes (BUNDLE_CORRUPT) and with
 * its architecture (BUNDLE_MISMATCH, naming the layer and both shapes).
 *
 * @param specs - `weightsManifest[].weights` of model.json
 * @param byteLength - the size of the weight data
 * @param arch - the manifest's architecture (null skips the shape check)
 * @param where - the bundle's location, for messages
 */
export function checkWeightSpecs(
  specs: readonly tf.io.WeightsManifestEntry[],
  byteLength: number,
  arch: NcfArchitecture | null,
  where: string,
): void {
  let total = 0;
  for (const spec of specs) {
    const per = BYTES_PER_DTYPE[spec.dtype];
    if (per === undefined || spec.quantization !== undefined || !Array.isArray(spec.shape)) {
      throw corrupt(where, `weight ${show(spec.name)} has an unsupported encoding (dtype ${show(spec.dtype)})`);
    }
    total += per * spec.shape.reduce((a, b) => a * b, 1);
  }
  if (total !== byteLength) {
    throw corrupt(where, `model.json describes ${total} bytes of weights but the weights hold ${byteLength}`);
  }
  if (arch === null) return;
  const byLayer = new Map<string, number[][]>();
  for (const spec of specs) {
    const layer = spec.name.split('/')[0];
    const list = byLayer.get(layer) ?? [];
    list.push(spec.shape);
    byLayer.set(layer, list);
  }
  for (const [layer, shapes] of expectedWeightShapes(arch)) {
    const actual = byLayer.get(layer);
    const same =
      actual !== undefined &&
      actual.length === shapes.length &&
      actual.every((shape, i) => shape.length === shapes[i].length && shape.every((d, j) => d === shapes[i][j]));
    if (!same) {
      const fmt = (s: number[][] | undefined) => (s === undefined ? 'no weights' : s.map((x) => `[${x.join(', ')}]`).join(' + '));
      throw new RecsysError(
        'BUNDLE_MISMATCH',
        `${where}: the manifest describes a ${arch.kind} (numUsers=${arch.numUsers}, numItems=${arch.numItems}, ` +
          `factors=${arch.factors}, layers=[${arch.layers.join(', ')}]) whose layer ${layer} needs ${fmt(shapes)}, ` +
          `but the weights have ${fmt(actual)}`,
        { layer, expected: shapes, actual },
      );
    }
  }
}
