// saveModel: a Recommender (or a bare tf.LayersModel) to a versioned bundle. The model's tfjs
// artifacts are captured once in memory, a Recommender's id maps, seen items and popularity are
// encoded into one binary part (recommender-part.ts), the manifest (format and library version,
// architecture, sizes and CRC-32s of the weights and of the binary part) is built from them, and
// the store writes everything atomically (see node-files.ts and key-value-stores.ts).
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { inspectModel } from '../models/index.js';
import { Recommender, runExclusive } from '../serving/index.js';
import { VERSION } from '../version.js';
import { parseBundleUrl } from './bundle-url.js';
import { crc32 } from './checksum.js';
import { encodeRecommenderPart } from './recommender-part.js';
import { saveBaselineRecommender } from './baseline-bundle.js';
import { GENERATION_SEPARATOR, keyValueStore, type KeyValueStore } from './key-value-stores.js';
import { BUNDLE_FILES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, parseManifest, type BundleManifest } from './manifest.js';
import { writeDirectoryBundle, type SaveStep, type StepHook } from './node-files.js';

export type { SaveStep };

/** Options of {@link saveModel}. @category Persistence */
export interface SaveOptions {
  /**
   * Awaited before each step of the save, so a caller can log progress (or a test can pause a
   * save at a given step). Steps: `'write'` (writing the new copy aside), `'commit'` (it is
   * complete; about to make it current), `'swap'` (file:// only: the old bundle has been moved
   * aside and the new one is about to take its name), `'cleanup'` (the new bundle is current;
   * removing the old one), `'done'`.
   */
  onProgress?: (step: SaveStep) => void | Promise<void>;
}

/** What {@link saveModel} reports. @category Persistence */
export interface SaveResult {
  /** The URL saved to. */
  readonly url: string;
  /** For file:// the absolute bundle directory; otherwise the bundle name. */
  readonly location: string;
  /** The manifest written (also in recsys.json). */
  readonly manifest: BundleManifest;
}

/** A new unique stamp for a generation key. */
function generationStamp(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 0x7fffffff).toString(36)}`;
}

/** The model's tfjs artifacts, captured in memory (weights as one ArrayBuffer). */
async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts & { weightData: ArrayBuffer }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (captured === undefined || captured.modelTopology === undefined || captured.weightSpecs === undefined) {
    throw new RecsysError('UNSUPPORTED_MODEL', 'the model produced no topology or weights to save');
  }
  const weightData = captured.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(captured.weightData);
  return {
    modelTopology: captured.modelTopology,
    weightSpecs: captured.weightSpecs,
    weightData,
    format: captured.format ?? 'layers-model',
    generatedBy: captured.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: captured.convertedBy ?? null,
  };
}

async function saveKeyValue(
  store: KeyValueStore,
  name: string,
  artifacts: tf.io.ModelArtifacts,
  data: Uint8Array | null,
  manifest: BundleManifest,
  hook: StepHook,
): Promise<BundleManifest> {
  const previous = await store.getManifest(name);
  let previousKey: string | undefined;
  try {
    previousKey = previous === null ? undefined : parseManifest(previous, name).modelKey;
  } catch {
    // an unreadable previous manifest is simply replaced
  }
  const key = `${name}${GENERATION_SEPARATOR}${generationStamp()}`;
  const committed: BundleManifest = { ...manifest, modelKey: key };
  await hook('write');
  await store.putModel(key, artifacts);
  if (data !== null) await store.putData(key, data);
  await hook('commit');
  await store.putManifest(name, JSON.stringify(committed));
  await hook('cleanup');
  const stale = (await store.listModels()).filter((k) => k !== key && k.startsWith(name + GENERATION_SEPARATOR));
  for (const k of new Set([...(previousKey !== undefined && previousKey !== key ? [previousKey] : []), ...stale])) {
    await store.removeModel(k);
    await store.removeData(k);
  }
  await hook('done');
  return committed;
}

/**
 * Saves a {@link Recommender} (model, id maps, seen items, popularity) or a bare `tf.LayersModel`
 * as a versioned bundle, atomically: a crash at any moment leaves either the previous bundle or
 * the new one loadable, never a mix.
 *
 * - `file://dir` or a plain path `dir` (Node): the directory gets `model.json` (standard tfjs
 *   format, readable by `tf.loadLayersModel` and TensorFlow's converter), `weights.bin`, for a
 *   Recommender `recommender.bin` (id maps, seen items and popularity in binary), and
 *   `recsys.json` (the manifest). Written into a temporary sibling directory, fsynced, then
 *   renamed into place; no native add-on. An existing directory is replaced only if it holds
 *   nothing but a bundle.
 * - `indexeddb://name`, `localstorage://name` (browsers): the model through tfjs's own IO handlers
 *   under a generation key `name~<stamp>`, the manifest under `name` (a `neural-recsys` IndexedDB
 *   database, or the localStorage key `neural-recsys/bundles/name`); writing the manifest commits.
 * - `memory://name`: the same protocol in this process's memory (tests, cloning).
 *
 * @param target - a Recommender, or a bare model (its bundle then has no id maps)
 * @param url - where to save: `file://...` (or, in Node, a plain path), `indexeddb://...`, `localstorage://...` or `memory://...`
 * @param options - `onProgress`, awaited before each step
 * @returns the URL, the resolved location and the manifest written
 * @example
 * ```ts
 * const { manifest } = await saveModel(rec, 'file://./models/movies');
 * manifest.weights; //=> { byteLength: 245736, crc32: '9a3c01fe' }
 * ```
 */
export async function saveModel(target: Recommender | tf.LayersModel, url: string, options: SaveOptions = {}): Promise<SaveResult> {
  const isRecommender = target instanceof Recommender;
  if (!isRecommender && !(target instanceof tf.LayersModel)) {
    throw new RecsysError('INVALID_ARGUMENT', `target must be a Recommender or a tf.LayersModel, got ${show(target)}`);
  }
  const location = parseBundleUrl(url, 'save');
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  const { onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `onProgress must be a function, got ${show(onProgress)}`);
  }
  const hook: StepHook = async (step) => {
    await onProgress?.(step);
  };
  if (isRecommender && !target.hasModel) {
    // a Recommender around a fitted baseline: the baseline bundle plus the recommender part
    if (location.kind !== 'file') {
      throw new RecsysError('INVALID_ARGUMENT', `a Recommender around a baseline is saved to a file:// directory for now; got ${show(url)}`, { value: url });
    }
    const written = await saveBaselineRecommender(target, location.url);
    return { url, location: written.location, manifest: written.manifest as unknown as BundleManifest };
  }

  // A Recommender is read between fold-ins, so the weights, id maps and seen items agree.
  const capture = async () => {
    const model = isRecommender ? target.model : target;
    const artifacts = await captureArtifacts(model);
    const weightBytes = new Uint8Array(artifacts.weightData);
    const data = isRecommender ? encodeRecommenderPart(target) : null;
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      // a bare model's bundle is unchanged since format 1, so older libraries still read it
      formatVersion: data === null ? 1 : BUNDLE_FORMAT_VERSION,
      libraryVersion: VERSION,
      createdAt: new Date().toISOString(),
      architecture: inspectModel(model),
      weights: { byteLength: weightBytes.length, crc32: crc32(weightBytes) },
      recommender: isRecommender ? { unknownUser: target.unknownUser, data: { byteLength: data!.length, crc32: crc32(data!) } } : null,
    };
    return { artifacts, weightBytes, data, manifest };
  };
  const { artifacts, weightBytes, data, manifest } = isRecommender ? await runExclusive(target, capture) : await capture();

  if (location.kind === 'key-value') {
    const written = await saveKeyValue(keyValueStore(location.scheme), location.name, artifacts, data, manifest, hook);
    return { url, location: location.name, manifest: written };
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [BUNDLE_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
  };
  const encoder = new TextEncoder();
  const files = new Map<string, Uint8Array>([
    [BUNDLE_FILES.model, encoder.encode(JSON.stringify(modelJson))],
    [BUNDLE_FILES.weights, weightBytes],
    ...(data === null ? [] : [[BUNDLE_FILES.recommender, data] as const]),
    [BUNDLE_FILES.manifest, encoder.encode(JSON.stringify(manifest))],
  ]);
  const dir = await writeDirectoryBundle(location.url, files, hook);
  return { url, location: dir, manifest };
}
