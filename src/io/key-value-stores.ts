// Bundles in key-value stores: memory:// (this process), indexeddb:// and localstorage://
// (browsers, through tfjs's own IO handlers for the model).
//
// These stores have no rename, so saves are made atomic by generations: the model is written
// under a fresh key `<name>~<stamp>`, then the manifest, which names that key, is written under
// `<name>` in one put: that put is the commit. A crash before it leaves the previous manifest,
// which still names the previous (untouched) model; after it, the new one. The previous
// generation, and any generation a crashed save left behind, is removed after the commit.
// The cost: while saving, the store briefly holds two copies of the model (mind localStorage's
// quota of a few megabytes). One writer per name at a time. A Recommender's binary part
// (recommender.bin of a file bundle) is stored under the same generation key as its model: in
// IndexedDB in the manifests' object store (generation keys hold '~', which names never do), in
// localStorage as base64 under `neural-recsys/bundle-data/<key>`.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { base64ToBytes, bytesToBase64 } from './encoding.js';

/** The schemes served by a {@link KeyValueStore}. */
export type KeyValueScheme = 'memory' | 'indexeddb' | 'localstorage';

/** What the generation protocol needs from a store. */
export interface KeyValueStore {
  readonly scheme: KeyValueScheme;
  /** Writes a model's artifacts under `key` (topology, weight specs and weight data). */
  putModel(key: string, artifacts: tf.io.ModelArtifacts): Promise<void>;
  /** Reads a model's artifacts, or null when there is none under `key`. */
  getModel(key: string): Promise<tf.io.ModelArtifacts | null>;
  /** Removes a model; a missing one is not an error. */
  removeModel(key: string): Promise<void>;
  /** Keys of all models in the store (best effort: [] when the store cannot list). */
  listModels(): Promise<string[]>;
  /** The manifest text stored under `name`, or null. */
  getManifest(name: string): Promise<string | null>;
  /** Stores the manifest text under `name` in one atomic write. */
  putManifest(name: string, text: string): Promise<void>;
  /** Writes a generation's binary part (a Recommender's recommender.bin) under `key`. */
  putData(key: string, bytes: Uint8Array): Promise<void>;
  /** Reads a generation's binary part, or null when there is none under `key`. */
  getData(key: string): Promise<Uint8Array | null>;
  /** Removes a generation's binary part; a missing one is not an error. */
  removeData(key: string): Promise<void>;
}

/** The separator between a bundle name and its generation stamp. */
export const GENERATION_SEPARATOR = '~';

// ---------------------------------------------------------------------------------------- memory

const memoryModels = new Map<string, tf.io.ModelArtifacts>();
const memoryManifests = new Map<string, string>();
const memoryData = new Map<string, Uint8Array>();

function copyArtifacts(a: tf.io.ModelArtifacts): tf.io.ModelArtifacts {
  const data = a.weightData === undefined ? undefined : tf.io.CompositeArrayBuffer.join(a.weightData).slice(0);
  return {
    ...a,
    modelTopology: a.modelTopology === undefined ? undefined : structuredClone(a.modelTopology),
    weightSpecs: a.weightSpecs === undefined ? undefined : structuredClone(a.weightSpecs),
    weightData: data,
  };
}

/** memory:// bundles: kept in this process (copied on the way in and out), lost when it exits. */
export const memoryStore: KeyValueStore & {
  /** Test hook: the raw stored artifacts of a model key, to damage them on purpose. */
  rawModel(key: string): tf.io.ModelArtifacts | undefined;
  /** Test hook: overwrites a stored manifest. */
  rawManifest(name: string, text?: string): string | undefined;
  /** Test hook: the stored binary part of a generation (the store's own copy, to damage it on purpose). */
  rawData(key: string): Uint8Array | undefined;
  /** Forgets every memory bundle. */
  clear(): void;
} = {
  scheme: 'memory',
  async putModel(key, artifacts) {
    memoryModels.set(key, copyArtifacts(artifacts));
  },
  async getModel(key) {
    const a = memoryModels.get(key);
    return a === undefined ? null : copyArtifacts(a);
  },
  async removeModel(key) {
    memoryModels.delete(key);
  },
  async listModels() {
    return [...memoryModels.keys()];
  },
  async getManifest(name) {
    return memoryManifests.get(name) ?? null;
  },
  async putManifest(name, text) {
    memoryManifests.set(name, text);
  },
  async putData(key, bytes) {
    memoryData.set(key, bytes.slice());
  },
  async getData(key) {
    return memoryData.get(key)?.slice() ?? null;
  },
  async removeData(key) {
    memoryData.delete(key);
  },
  rawData(key) {
    return memoryData.get(key);
  },
  rawModel(key) {
    return memoryModels.get(key);
  },
  rawManifest(name, text) {
    if (text !== undefined) memoryManifests.set(name, text);
    return memoryManifests.get(name);
  },
  clear() {
    memoryModels.clear();
    memoryManifests.clear();
    memoryData.clear();
  },
};

// -------------------------------------------------------------------------------------- browsers

const MANIFEST_DB = 'neural-recsys';
const MANIFEST_STORE = 'bundles';
const LOCAL_STORAGE_PREFIX = 'neural-recsys/bundles/';
const LOCAL_STORAGE_DATA_PREFIX = 'neural-recsys/bundle-data/';

function unsupported(scheme: KeyValueScheme, why: string): RecsysError {
  return new RecsysError('UNSUPPORTED_RUNTIME', `${scheme}:// bundles need a browser with ${why}; in Node use file://`, { scheme });
}

function localStorageOrThrow(): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (ls === undefined || ls === null) throw unsupported('localstorage', 'localStorage');
  return ls;
}

function indexedDbOrThrow(): IDBFactory {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (idb === undefined || idb === null) throw unsupported('indexeddb', 'IndexedDB');
  return idb;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withManifestDb<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const open = indexedDbOrThrow().open(MANIFEST_DB, 1);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(MANIFEST_STORE)) open.result.createObjectStore(MANIFEST_STORE);
  };
  const db = await request(open);
  try {
    const tx = db.transaction(MANIFEST_STORE, mode);
    const result = request(work(tx.objectStore(MANIFEST_STORE)));
    // a readwrite put is durable only once its transaction completes
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return (await result) as T;
  } finally {
    db.close();
  }
}

function tfjsStore(scheme: 'indexeddb' | 'localstorage'): KeyValueStore {
  const url = (key: string) => `${scheme}://${key}`;
  return {
    scheme,
    async putModel(key, artifacts) {
      const handlers = tf.io.getSaveHandlers(url(key));
      const save = handlers[0]?.save?.bind(handlers[0]);
      if (save === undefined) throw unsupported(scheme, scheme === 'indexeddb' ? 'IndexedDB' : 'localStorage');
      await save(artifacts);
    },
    async getModel(key) {
      const handlers = tf.io.getLoadHandlers(url(key));
      const load = handlers[0]?.load?.bind(handlers[0]);
      if (load === undefined) throw unsupported(scheme, scheme === 'indexeddb' ? 'IndexedDB' : 'localStorage');
      try {
        return await load();
      } catch {
        // tfjs reports a missing model with a plain Error; any failure here means "not readable"
        return null;
      }
    },
    async removeModel(key) {
      try {
        await tf.io.removeModel(url(key));
      } catch {
        // already gone, or no model manager in this runtime: leftovers are removed by a later save
      }
    },
    async listModels() {
      try {
        const prefix = `${scheme}://`;
        return Object.keys(await tf.io.listModels())
          .filter((k) => k.startsWith(prefix))
          .map((k) => k.slice(prefix.length));
      } catch {
        return [];
      }
    },
    async getManifest(name) {
      if (scheme === 'localstorage') return localStorageOrThrow().getItem(LOCAL_STORAGE_PREFIX + name);
      const value = await withManifestDb<unknown>('readonly', (store) => store.get(name));
      return typeof value === 'string' ? value : null;
    },
    async putManifest(name, text) {
      if (scheme === 'localstorage') {
        localStorageOrThrow().setItem(LOCAL_STORAGE_PREFIX + name, text);
        return;
      }
      await withManifestDb<unknown>('readwrite', (store) => store.put(text, name));
    },
    async putData(key, bytes) {
      if (scheme === 'localstorage') {
        localStorageOrThrow().setItem(LOCAL_STORAGE_DATA_PREFIX + key, bytesToBase64(bytes));
        return;
      }
      await withManifestDb<unknown>('readwrite', (store) => store.put(bytes.slice(), key));
    },
    async getData(key) {
      if (scheme === 'localstorage') {
        const text = localStorageOrThrow().getItem(LOCAL_STORAGE_DATA_PREFIX + key);
        return text === null ? null : base64ToBytes(text, `localstorage://${key} (binary part)`);
      }
      const value = await withManifestDb<unknown>('readonly', (store) => store.get(key));
      return value instanceof Uint8Array ? value : value instanceof ArrayBuffer ? new Uint8Array(value) : null;
    },
    async removeData(key) {
      if (scheme === 'localstorage') {
        localStorageOrThrow().removeItem(LOCAL_STORAGE_DATA_PREFIX + key);
        return;
      }
      await withManifestDb<unknown>('readwrite', (store) => store.delete(key)).catch(() => undefined);
    },
  };
}

/**
 * The store for a scheme.
 *
 * @param scheme - memory, indexeddb or localstorage
 * @returns the store
 */
export function keyValueStore(scheme: KeyValueScheme): KeyValueStore {
  return scheme === 'memory' ? memoryStore : tfjsStore(scheme);
}

/** Checks a bundle name for a key-value store. */
export function assertBundleName(scheme: KeyValueScheme, name: string): void {
  if (name.length === 0 || name.includes(GENERATION_SEPARATOR)) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `a ${scheme}:// bundle needs a non-empty name without '${GENERATION_SEPARATOR}', got ${show(name)}`,
      { name },
    );
  }
}
