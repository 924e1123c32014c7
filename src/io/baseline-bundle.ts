// saveBaseline / loadBaseline: a fitted baseline (popularity, item kNN, ALS, EASE, MF) as a bundle
// directory: recsys.json (a manifest of format 'neural-recsys-baseline': kind, sizes, options, the
// arrays' names, types and places) and weights.bin (the arrays, 8-byte aligned, CRC-32 checked).
// Written with the same atomic directory swap as saveModel. A baseline is no tfjs model, so its
// bundle has no model.json and loadModel refuses it (its format differs).
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { VERSION } from '../version.js';
import type { BaselineKind, BaselineScorer } from '../baselines/scorer.js';
import { baselineParts, restoreBaseline } from '../baselines/restore.js';
import { parseBundleUrl } from './bundle-url.js';
import { crc32 } from './checksum.js';
import { BUNDLE_FILES } from './manifest.js';
import { locateDirectoryBundle, readBundleFile, writeDirectoryBundle } from './node-files.js';
import { decodeRecommenderPart, encodeRecommenderPart, idMapsOf } from './recommender-part.js';
import { Recommender, runExclusive } from '../serving/index.js';
import type { UnknownUserPolicy } from '../serving/index.js';

/** The `format` of a baseline bundle's recsys.json. */
export const BASELINE_BUNDLE_FORMAT = 'neural-recsys-baseline';
const FORMAT_VERSION = 1;
const DTYPES = { int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;
type Dtype = keyof typeof DTYPES;

/** The manifest (recsys.json) of a baseline bundle. */
export interface BaselineManifest {
  /** Always `'neural-recsys-baseline'`. */
  readonly format: typeof BASELINE_BUNDLE_FORMAT;
  /** Layout version, 1. */
  readonly formatVersion: number;
  /** The library version that wrote it. */
  readonly libraryVersion: string;
  /** When it was written (ISO 8601). */
  readonly createdAt: string;
  /** Which baseline. */
  readonly kind: BaselineKind;
  /** Number of users. */
  readonly numUsers: number;
  /** Number of items. */
  readonly numItems: number;
  /** The fit's options, defaults filled in. */
  readonly options: Record<string, unknown>;
  /** Seconds the original fit took. */
  readonly fitSeconds: number;
  /** Each array in weights.bin: name, type, length and byte offset. */
  readonly arrays: readonly {
    /** The array's name (e.g. `'itemFactors'`). */
    name: string;
    /** Its element type. */
    dtype: 'int32' | 'float32' | 'float64';
    /** Its number of elements. */
    length: number;
    /** Where it starts in weights.bin (a multiple of 8). */
    byteOffset: number;
  }[];
  /** Size and CRC-32 of weights.bin. */
  readonly data: {
    /** Bytes in weights.bin. */
    byteLength: number;
    /** CRC-32 of weights.bin, 8 hex digits. */
    crc32: string;
  };
  /**
   * Present when a Recommender around the baseline was saved (`saveModel(rec)`): its unknown-user
   * policy, and the size and CRC-32 of recommender.bin (id maps, seen items, popularity: the same
   * encoding as a model bundle's).
   */
  readonly recommender?: {
    /** What recommend does for an unknown user. */
    unknownUser: UnknownUserPolicy;
    /** Size and CRC-32 of recommender.bin. */
    data: {
      /** Bytes in recommender.bin. */
      byteLength: number;
      /** CRC-32 of recommender.bin, 8 hex digits. */
      crc32: string;
    };
  };
}

/** What {@link saveBaseline} reports. */
export interface SaveBaselineResult {
  /** The absolute bundle directory. */
  readonly location: string;
  /** The manifest written (recsys.json). */
  readonly manifest: BaselineManifest;
}

function dtypeOf(a: ArrayBufferView): Dtype {
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

function fileUrl(url: unknown, purpose: 'save' | 'load'): string {
  const location = parseBundleUrl(url, purpose);
  if (location.kind !== 'file') {
    throw new RecsysError('INVALID_ARGUMENT', `baseline bundles are file:// directories for now; got ${show(url)}`, { value: url });
  }
  return location.url;
}

/**
 * Saves a fitted baseline (from `fitPopularity`, `fitItemKNN`, `fitALS`, `fitEASE` or `fitMF`)
 * to a `file://` bundle directory, atomically (as {@link saveModel}): `recsys.json` (format
 * `'neural-recsys-baseline'`) and `weights.bin`. Reload it with {@link loadBaseline}.
 *
 * @param baseline - the fitted baseline
 * @param url - `file://` URL of the bundle directory
 * @returns the directory and the manifest written
 * @example
 * ```ts
 * const ease = fitEASE(train, { lambda: 1000 });
 * await saveBaseline(ease, 'file://./models/ease');
 * const again = await loadBaseline('file://./models/ease');
 * again.kind; //=> 'ease'
 * ```
 */
export async function saveBaseline(baseline: BaselineScorer, url: string): Promise<SaveBaselineResult> {
  return writeBaselineBundle(baseline, url, null);
}

/**
 * Internal (saveModel of a Recommender around a baseline): the baseline bundle plus recommender.bin,
 * captured between fold-ins like a model Recommender's.
 */
export async function saveBaselineRecommender(rec: Recommender, url: string): Promise<SaveBaselineResult> {
  const { baseline, part } = await runExclusive(rec, async () => {
    const scorer = rec.scorer;
    if (typeof (scorer as Partial<BaselineScorer>).kind !== 'string') {
      throw new RecsysError('UNSUPPORTED_MODEL', 'saveModel saves a Recommender around a tfjs model or a fitted baseline; this one serves another kind of Scorer');
    }
    return { baseline: scorer as BaselineScorer, part: { unknownUser: rec.unknownUser, data: encodeRecommenderPart(rec) } };
  });
  return writeBaselineBundle(baseline, url, part);
}

async function writeBaselineBundle(
  baseline: BaselineScorer,
  url: string,
  recommender: { unknownUser: UnknownUserPolicy; data: Uint8Array } | null,
): Promise<SaveBaselineResult> {
  const target = fileUrl(url, 'save');
  const parts = baselineParts(baseline);
  const entries = Object.entries(parts.arrays);
  let offset = 0;
  const layout = entries.map(([name, a]) => {
    const at = offset;
    offset += Math.ceil(a.byteLength / 8) * 8;
    return { name, dtype: dtypeOf(a), length: a.length, byteOffset: at };
  });
  const bytes = new Uint8Array(offset);
  entries.forEach(([, a], j) => bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), layout[j].byteOffset));
  const manifest: BaselineManifest = {
    format: BASELINE_BUNDLE_FORMAT,
    formatVersion: FORMAT_VERSION,
    libraryVersion: VERSION,
    createdAt: new Date().toISOString(),
    kind: parts.kind,
    numUsers: parts.numUsers,
    numItems: parts.numItems,
    options: parts.options,
    fitSeconds: parts.fitSeconds,
    arrays: layout,
    data: { byteLength: bytes.length, crc32: crc32(bytes) },
    ...(recommender === null
      ? {}
      : { recommender: { unknownUser: recommender.unknownUser, data: { byteLength: recommender.data.length, crc32: crc32(recommender.data) } } }),
  };
  const files = new Map<string, Uint8Array | string>([[BUNDLE_FILES.weights, bytes]]);
  if (recommender !== null) files.set(BUNDLE_FILES.recommender, recommender.data);
  files.set(BUNDLE_FILES.manifest, JSON.stringify(manifest));
  const location = await writeDirectoryBundle(target, files, () => {});
  return { location, manifest };
}

/**
 * Loads a baseline saved by {@link saveBaseline}, checking the format, version, sizes and the
 * CRC-32 of its data (a `RecsysError` BUNDLE_CORRUPT / BUNDLE_VERSION / BUNDLE_NOT_FOUND otherwise).
 *
 * @param url - `file://` URL of the bundle directory
 * @returns the baseline, a Scorer as it was fitted
 * @example
 * ```ts
 * const ease = await loadBaseline('file://./models/ease');
 * recommend(ease, 0, { k: 10 });
 * ```
 */
export async function loadBaseline(url: string): Promise<BaselineScorer> {
  const dir = await locateDirectoryBundle(fileUrl(url, 'load'));
  return (await readBaselineBundle(dir)).baseline;
}

/** Internal: whether the bundle directory `dir` holds a baseline (its recsys.json says so). */
export async function isBaselineBundle(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(new TextDecoder().decode(await readBundleFile(dir, BUNDLE_FILES.manifest))) as { format?: unknown } | null;
    return manifest?.format === BASELINE_BUNDLE_FORMAT;
  } catch {
    return false; // not JSON or missing: loadModel's own checks say what is wrong
  }
}

/**
 * Internal (loadModel): a Recommender around the baseline of bundle directory `dir`, which
 * `saveModel(rec)` wrote. A bundle written by saveBaseline holds no id maps: loadBaseline reads it.
 */
export async function loadBaselineRecommender(dir: string): Promise<Recommender> {
  const { baseline, manifest } = await readBaselineBundle(dir);
  try {
    const part = manifest.recommender;
    if (part === undefined) {
      throw new RecsysError('UNSUPPORTED_MODEL', `${dir} holds a bare ${manifest.kind} baseline (saved by saveBaseline, no id maps): load it with loadBaseline`);
    }
    const file = `${dir}/${BUNDLE_FILES.recommender}`;
    const bytes = await readBundleFile(dir, BUNDLE_FILES.recommender);
    if (part.data?.byteLength !== bytes.length || part.data.crc32 !== crc32(bytes)) {
      throw new RecsysError('BUNDLE_CORRUPT', `${file} does not match its manifest (size or CRC-32 differs): the bundle is damaged`);
    }
    const stored = decodeRecommenderPart(bytes, file);
    const { users, items } = idMapsOf(stored, file);
    return Recommender.from({ model: baseline, users, items, seen: stored.seen, popularity: stored.popularity, unknownUser: part.unknownUser }).warm();
  } catch (e) {
    baseline.dispose();
    throw e;
  }
}

async function readBaselineBundle(dir: string): Promise<{ baseline: BaselineScorer; manifest: BaselineManifest }> {
  const where = `${dir}/${BUNDLE_FILES.manifest}`;
  let manifest: BaselineManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readBundleFile(dir, BUNDLE_FILES.manifest))) as BaselineManifest;
  } catch (e) {
    if (e instanceof RecsysError) throw e;
    throw new RecsysError('BUNDLE_CORRUPT', `${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== BASELINE_BUNDLE_FORMAT) {
    throw new RecsysError('BUNDLE_CORRUPT', `${where} is not a baseline bundle (format ${show((manifest as { format?: unknown } | null)?.format)}; a model bundle loads with loadModel)`);
  }
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new RecsysError('BUNDLE_VERSION', `${where} has baseline format version ${show(manifest.formatVersion)}; this library reads version ${FORMAT_VERSION}`);
  }
  const bytes = await readBundleFile(dir, BUNDLE_FILES.weights);
  if (manifest.data?.byteLength !== bytes.length || manifest.data.crc32 !== crc32(bytes)) {
    throw new RecsysError('BUNDLE_CORRUPT', `${dir}/${BUNDLE_FILES.weights} does not match its manifest (size or CRC-32 differs): the bundle is damaged`);
  }
  if (!Array.isArray(manifest.arrays)) throw new RecsysError('BUNDLE_CORRUPT', `${where} lists no arrays`);
  const arrays: Record<string, Int32Array | Float32Array | Float64Array> = {};
  for (const entry of manifest.arrays as readonly { name: string; dtype: unknown; length: number; byteOffset: number }[]) {
    const Ctor = typeof entry?.dtype === 'string' && Object.hasOwn(DTYPES, entry.dtype) ? DTYPES[entry.dtype as Dtype] : undefined;
    const ok =
      Ctor !== undefined &&
      Number.isInteger(entry.length) &&
      entry.length >= 0 &&
      Number.isInteger(entry.byteOffset) &&
      entry.byteOffset % 8 === 0 &&
      entry.byteOffset + entry.length * Ctor.BYTES_PER_ELEMENT <= bytes.length;
    if (!ok) throw new RecsysError('BUNDLE_CORRUPT', `${where} describes array ${show(entry?.name)} outside weights.bin or with an unknown type`);
    const copy = new Ctor(entry.length);
    new Uint8Array(copy.buffer).set(bytes.subarray(entry.byteOffset, entry.byteOffset + copy.byteLength));
    arrays[entry.name] = copy;
  }
  const baseline = restoreBaseline({ kind: manifest.kind, numUsers: manifest.numUsers, numItems: manifest.numItems, fitSeconds: manifest.fitSeconds, options: manifest.options ?? {}, arrays });
  return { baseline, manifest };
}
