// loadModel / loadLayersModel: read a bundle, verify it before anything uses it, then build the
// model (and the Recommender). Checks, in order: the files exist (BUNDLE_NOT_FOUND), the manifest
// parses and its format version is supported (BUNDLE_CORRUPT, BUNDLE_VERSION), the weights have the
// recorded size and CRC-32 and agree with model.json (BUNDLE_CORRUPT), the architecture in the
// manifest matches the weight shapes and the loaded model (BUNDLE_MISMATCH), recommender.bin has
// its recorded size and CRC-32 and decodes (BUNDLE_CORRUPT), and the id maps, seen items and
// popularity fit the model (BUNDLE_MISMATCH / BUNDLE_CORRUPT). Format-1 bundles, which keep those
// parts in the manifest, load through the same checks.
import * as tf from '@tensorflow/tfjs';
import { RecsysError, isRecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { IdMap } from '../data/index.js';
import { inspectModel, registerFeaturePool } from '../models/index.js';
import type { NcfArchitecture } from '../ncf/index.js';
import { Recommender, type ExternalId } from '../serving/index.js';
import { createScorer } from '../scoring/index.js';
import { isBaselineBundle, loadBaselineRecommender } from './baseline-bundle.js';
import { parseBundleUrl } from './bundle-url.js';
import { crc32 } from './checksum.js';
import { base64ToFloat64, base64ToInt32 } from './encoding.js';
import { keyValueStore } from './key-value-stores.js';
import { BUNDLE_FILES, checkWeightSpecs, parseManifest, type BundleManifest, type BundleWeightsInfo } from './manifest.js';
import { decodeRecommenderPart, idMapsOf, type RecommenderPart } from './recommender-part.js';
import { locateDirectoryBundle, readBundleFile } from './node-files.js';

/** A bundle read from its store, not yet verified. */
interface RawBundle {
  readonly where: string;
  readonly manifest: BundleManifest;
  readonly modelTopology: unknown;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  /** recommender.bin (format 2 with a Recommender), else null. */
  readonly data: Uint8Array | null;
}

const decoder = new TextDecoder();

function parseJson(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new RecsysError('BUNDLE_CORRUPT', `${where} is not valid JSON (${(e as Error).message})`, { where });
  }
}

/** Reads the weight files listed by model.json, refusing paths that leave the bundle. */
async function readWeightFiles(modelJson: tf.io.ModelJSON, where: string, read: (name: string) => Promise<Uint8Array>): Promise<ArrayBuffer> {
  const groups = modelJson.weightsManifest;
  if (!Array.isArray(groups)) throw new RecsysError('BUNDLE_CORRUPT', `${where}: model.json has no weightsManifest`, { where });
  const parts: Uint8Array[] = [];
  for (const group of groups) {
    for (const name of group.paths ?? []) {
      if (typeof name !== 'string' || name.length === 0 || /[\\/]/.test(name) || name === '.' || name === '..') {
        throw new RecsysError('BUNDLE_CORRUPT', `${where}: model.json names the weight file ${show(name)}, which is not a plain file name in the bundle`, {
          where,
        });
      }
      parts.push(await read(name));
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out.buffer;
}

async function readDirectory(where: string, read: (name: string) => Promise<Uint8Array>): Promise<RawBundle> {
  const manifest = parseManifest(decoder.decode(await read(BUNDLE_FILES.manifest)), `${where}/${BUNDLE_FILES.manifest}`);
  const modelJson = parseJson(await read(BUNDLE_FILES.model), `${where}/${BUNDLE_FILES.model}`) as tf.io.ModelJSON;
  if (modelJson === null || typeof modelJson !== 'object' || typeof modelJson.modelTopology !== 'object' || modelJson.modelTopology === null) {
    throw new RecsysError('BUNDLE_CORRUPT', `${where}/${BUNDLE_FILES.model} has no modelTopology`, { where });
  }
  const weightData = await readWeightFiles(modelJson, where, read);
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights ?? []);
  const data = manifest.recommender?.data === undefined ? null : await read(BUNDLE_FILES.recommender);
  return { where, manifest, modelTopology: modelJson.modelTopology, weightSpecs, weightData, data };
}

/** A bundle directory on this machine's file system (already located). */
function readLocalDirectory(dir: string): Promise<RawBundle> {
  return readDirectory(dir, (name) => readBundleFile(dir, name));
}

async function fetchBytes(base: string, name: string): Promise<Uint8Array> {
  const url = new URL(name, base.endsWith('/') ? base : `${base}/`).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new RecsysError('BUNDLE_NOT_FOUND', `could not fetch bundle file ${show(url)} (${(e as Error).message})`, { url });
  }
  if (!response.ok) throw new RecsysError('BUNDLE_NOT_FOUND', `bundle file ${show(url)} answered HTTP ${response.status}`, { url, status: response.status });
  return new Uint8Array(await response.arrayBuffer());
}

async function readRaw(url: string): Promise<RawBundle> {
  const location = parseBundleUrl(url, 'load');
  if (location.kind === 'file') {
    return readLocalDirectory(await locateDirectoryBundle(location.url));
  }
  if (location.kind === 'http') return readDirectory(location.url, (name) => fetchBytes(location.url, name));
  const store = keyValueStore(location.scheme);
  const text = await store.getManifest(location.name);
  if (text === null) {
    throw new RecsysError('BUNDLE_NOT_FOUND', `no bundle named ${show(location.name)} in ${location.scheme}:// (its manifest is missing)`, { url });
  }
  const manifest = parseManifest(text, url);
  if (manifest.modelKey === undefined) throw new RecsysError('BUNDLE_CORRUPT', `${url}: the manifest names no model key`, { url });
  const artifacts = await store.getModel(manifest.modelKey);
  if (artifacts === null) {
    throw new RecsysError('BUNDLE_NOT_FOUND', `${url}: the model ${show(manifest.modelKey)} named by the manifest is missing`, { url });
  }
  if (typeof artifacts.modelTopology !== 'object' || artifacts.modelTopology === null || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new RecsysError('BUNDLE_CORRUPT', `${url}: the stored model has no JSON topology`, { url });
  }
  let data: Uint8Array | null = null;
  if (manifest.recommender?.data !== undefined) {
    data = await store.getData(manifest.modelKey);
    if (data === null) {
      throw new RecsysError('BUNDLE_NOT_FOUND', `${url}: the binary part (id maps, seen items) of ${show(manifest.modelKey)} named by the manifest is missing`, { url });
    }
  }
  return {
    where: url,
    manifest,
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs ?? [],
    weightData: artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData),
    data,
  };
}

function sameArchitecture(a: NcfArchitecture, b: NcfArchitecture): boolean {
  return (
    a.kind === b.kind &&
    a.numUsers === b.numUsers &&
    a.numItems === b.numItems &&
    a.factors === b.factors &&
    a.layers.length === b.layers.length &&
    a.layers.every((n, i) => n === b.layers[i]) &&
    JSON.stringify(a.features ?? null) === JSON.stringify(b.features ?? null)
  );
}

function describe(a: NcfArchitecture | null): string {
  return a === null
    ? 'a custom model'
    : `a ${a.kind} (numUsers=${a.numUsers}, numItems=${a.numItems}, factors=${a.factors}, layers=[${a.layers.join(', ')}]` +
        `${a.features === undefined ? '' : `, features=${JSON.stringify(a.features)}`})`;
}

/** Checks bytes against the size and CRC-32 the manifest recorded for them (BUNDLE_CORRUPT). */
function verifyBytes(bytes: ArrayBuffer | Uint8Array, recorded: BundleWeightsInfo, what: string, where: string): void {
  if (bytes.byteLength !== recorded.byteLength) {
    throw new RecsysError(
      'BUNDLE_CORRUPT',
      `${where}: ${what} hold ${bytes.byteLength} bytes but the manifest recorded ${recorded.byteLength}` + (bytes.byteLength < recorded.byteLength ? ' (truncated)' : ''),
      { where, byteLength: bytes.byteLength, expected: recorded.byteLength },
    );
  }
  const checksum = crc32(bytes);
  if (checksum !== recorded.crc32) {
    throw new RecsysError('BUNDLE_CORRUPT', `${where}: the CRC-32 of ${what} is ${checksum} but the manifest recorded ${recorded.crc32}`, {
      where,
      crc32: checksum,
      expected: recorded.crc32,
    });
  }
}

/** Verifies the weights and builds the model. */
async function buildModel(raw: RawBundle): Promise<tf.LayersModel> {
  const { where, manifest, weightData } = raw;
  verifyBytes(weightData, manifest.weights, 'the weights', where);
  checkWeightSpecs(raw.weightSpecs, weightData.byteLength, manifest.architecture, where);
  let model: tf.LayersModel;
  registerFeaturePool();
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: raw.modelTopology as object, weightSpecs: raw.weightSpecs, weightData }),
    );
  } catch (e) {
    throw new RecsysError('BUNDLE_CORRUPT', `${where}: tfjs could not build the model (${(e as Error).message})`, { where });
  }
  const actual = inspectModel(model);
  if (manifest.architecture !== null && (actual === null || !sameArchitecture(actual, manifest.architecture))) {
    model.dispose();
    throw new RecsysError('BUNDLE_MISMATCH', `${where}: the manifest describes ${describe(manifest.architecture)} but model.json builds ${describe(actual)}`, {
      where,
    });
  }
  return model;
}

function modelSize(model: tf.LayersModel, arch: NcfArchitecture | null, where: string): { numUsers: number; numItems: number } {
  if (arch !== null) return arch;
  try {
    const scorer = createScorer(model);
    scorer.dispose();
    return { numUsers: scorer.numUsers, numItems: scorer.numItems };
  } catch (e) {
    if (!isRecsysError(e)) throw e;
    throw new RecsysError('UNSUPPORTED_MODEL', `${where}: cannot tell how many users and items the model has (${e.message}); use loadLayersModel`, { where });
  }
}

function buildRecommender(raw: RawBundle, model: tf.LayersModel): Recommender {
  const { where, manifest } = raw;
  const size = modelSize(model, inspectModel(model), where);
  const part = manifest.recommender;
  if (part === null) {
    // a bare model: its indices are its ids
    const users = IdMap.fromIds(Array.from({ length: size.numUsers }, (_, i) => i), { kind: 'user' });
    const items = IdMap.fromIds(Array.from({ length: size.numItems }, (_, i) => i), { kind: 'item' });
    return Recommender.from({ model, users, items });
  }
  let stored: RecommenderPart;
  if (part.data !== undefined) {
    const file = `${where}/${BUNDLE_FILES.recommender}`;
    if (raw.data === null) throw new RecsysError('BUNDLE_NOT_FOUND', `${file} is missing`, { where });
    verifyBytes(raw.data, part.data, BUNDLE_FILES.recommender, where);
    stored = decodeRecommenderPart(raw.data, file);
  } else {
    stored = {
      users: part.users as never,
      items: part.items as never,
      seen: {
        offsets: base64ToInt32(part.seen?.offsets, `${where}: recommender.seen.offsets`),
        items: base64ToInt32(part.seen?.items, `${where}: recommender.seen.items`),
      },
      popularity: base64ToFloat64(part.popularity, `${where}: recommender.popularity`),
    };
  }
  const { users, items } = idMapsOf(stored, where);
  if (users.size !== size.numUsers || items.size !== size.numItems) {
    throw new RecsysError(
      'BUNDLE_MISMATCH',
      `${where}: the id maps hold ${users.size} users and ${items.size} items but the model has ${size.numUsers} users and ${size.numItems} items`,
      { where },
    );
  }
  try {
    return Recommender.from({ model, users, items, seen: stored.seen, popularity: stored.popularity, unknownUser: part.unknownUser });
  } catch (e) {
    if (!isRecsysError(e)) throw e;
    throw new RecsysError('BUNDLE_CORRUPT', `${where}: the seen items or popularity are damaged (${e.message})`, { where });
  }
}

/**
 * Loads a bundle written by {@link saveModel} as a {@link Recommender}, after verifying it: every
 * file present (`BUNDLE_NOT_FOUND`, naming the path), a supported format version
 * (`BUNDLE_VERSION`, naming both versions), the weights' size and CRC-32 (`BUNDLE_CORRUPT`), and
 * the architecture against the weights (`BUNDLE_MISMATCH`). Scores are identical to the saved
 * model's. A bundle saved from a bare model loads with identity id maps (ids are the indices
 * `0..n-1`, numbers) and no seen items; it must be a model whose user and item counts can be read
 * (any standard NCF model), else use {@link loadLayersModel}.
 *
 * Besides the schemes {@link saveModel} writes, `http://` and `https://` load a bundle directory
 * served over HTTP (its `recsys.json`, `model.json` and weight files).
 *
 * @typeParam UserId - the type of the saved user ids (a convenience for TypeScript; not checked)
 * @typeParam ItemId - the type of the saved item ids (likewise)
 * @param url - the bundle's folder: `file://...` (or, in Node, a plain path such as `'./models/movies'`),
 *   `indexeddb://...`, `localstorage://...`, `memory://...` or `http(s)://...`
 * @returns the recommender (owning its model: call `dispose()` when done)
 * @example
 * ```ts
 * const rec = await loadModel('file://./models/movies');
 * rec.recommend('alice', { k: 1 }); //=> [{ id: 'Heat', score: 0.93, source: 'model' }]
 * ```
 */
export async function loadModel<UserId extends ExternalId = ExternalId, ItemId extends ExternalId = ExternalId>(
  url: string,
): Promise<Recommender<UserId, ItemId>> {
  const location = parseBundleUrl(url, 'load');
  let raw: RawBundle;
  if (location.kind === 'file') {
    const dir = await locateDirectoryBundle(location.url);
    // a Recommender around a fitted baseline (saveModel(rec) of one)
    if (await isBaselineBundle(dir)) return (await loadBaselineRecommender(dir)) as Recommender<UserId, ItemId>;
    raw = await readLocalDirectory(dir);
  } else {
    raw = await readRaw(url);
  }
  const model = await buildModel(raw);
  try {
    // caches built now: the first request after loading is as fast as the next ones
    return (buildRecommender(raw, model) as Recommender<UserId, ItemId>).warm();
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Loads only the `tf.LayersModel` of a bundle (any model, standard or custom), with the same
 * verification as {@link loadModel}. Use it for bundles saved from a bare model, or to fine-tune.
 *
 * @param url - as for {@link loadModel}
 * @returns the model (dispose it when done)
 * @example
 * ```ts
 * const model = await loadLayersModel('file://./models/movies');
 * inspectModel(model)?.kind; //=> 'neumf'
 * ```
 */
export async function loadLayersModel(url: string): Promise<tf.LayersModel> {
  return buildModel(await readRaw(url));
}

/**
 * Reads and checks only the manifest of a bundle (cheap: no weights are read), e.g. to show what a
 * saved bundle holds or which library version wrote it.
 *
 * @param url - as for {@link loadModel}
 * @returns the manifest
 * @example
 * ```ts
 * (await readManifest('file://./models/movies')).libraryVersion; //=> '0.1.0'
 * ```
 */
export async function readManifest(url: string): Promise<BundleManifest> {
  const location = parseBundleUrl(url, 'load');
  if (location.kind === 'file') {
    const dir = await locateDirectoryBundle(location.url);
    return parseManifest(decoder.decode(await readBundleFile(dir, BUNDLE_FILES.manifest)), `${dir}/${BUNDLE_FILES.manifest}`);
  }
  if (location.kind === 'http') return parseManifest(decoder.decode(await fetchBytes(location.url, BUNDLE_FILES.manifest)), location.url);
  const text = await keyValueStore(location.scheme).getManifest(location.name);
  if (text === null) throw new RecsysError('BUNDLE_NOT_FOUND', `no bundle named ${show(location.name)} in ${location.scheme}://`, { url });
  return parseManifest(text, url);
}
