import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from '../../test/helpers/backends.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import { saveModel } from './save.js';
import { loadLayersModel, loadModel, readManifest } from './load.js';
import { memoryStore } from './key-value-stores.js';
import { allScores, bareModel, trickyRecommender } from '../../test/helpers/io-fixtures.js';
import { parseBundleUrl } from './bundle-url.js';
import { BUNDLE_FORMAT_VERSION } from './manifest.js';
import { crc32 } from './checksum.js';
import { decodeRecommenderPart, encodeRecommenderPart } from './recommender-part.js';
import { IdMap } from '../data/index.js';

async function expectCode(work: () => Promise<unknown>, code: RecsysErrorCode, ...mentions: string[]): Promise<void> {
  let caught: unknown;
  try {
    await work();
  } catch (e) {
    caught = e;
  }
  expect(isRecsysError(caught, code), `expected RecsysError ${code}, got ${String(caught)}`).toBe(true);
  for (const text of mentions) expect((caught as Error).message).toContain(text);
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'bundles-0.1');

let root: string;
let dir: string;
let url: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary manifest fields
async function editJson(file: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(join(dir, file), 'utf8'));
  edit(json);
  await writeFile(join(dir, file), JSON.stringify(json));
}

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-verify-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  memoryStore.clear();
});

let counter = 0;
beforeEach(async () => {
  dir = join(root, `bundle-${counter++}`);
  url = `file://${dir}`;
  const rec = trickyRecommender(1);
  await saveModel(rec, url);
  rec.dispose();
});

describe('loadModel verifies a file:// bundle before using it', () => {
  it('loads the untouched bundle (the control case)', async () => {
    (await loadModel(url)).dispose();
  });

  it('BUNDLE_NOT_FOUND naming the path for a missing directory or file', async () => {
    await expectCode(() => loadModel(`file://${join(root, 'nowhere')}`), 'BUNDLE_NOT_FOUND', join(root, 'nowhere'));
    for (const file of ['recsys.json', 'model.json', 'weights.bin', 'recommender.bin']) {
      const bytes = await readFile(join(dir, file));
      await unlink(join(dir, file));
      await expectCode(() => loadModel(url), 'BUNDLE_NOT_FOUND', join(dir, file));
      await writeFile(join(dir, file), bytes);
    }
  });

  it('BUNDLE_CORRUPT for truncated, padded or altered weights', async () => {
    const weights = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, weights.length - 10));
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', `${weights.length - 10} bytes`, `${weights.length}`, 'truncated');
    await writeFile(join(dir, 'weights.bin'), Buffer.concat([weights, Buffer.from([0])]));
    await expectCode(() => loadLayersModel(url), 'BUNDLE_CORRUPT', `${weights.length + 1} bytes`);
    const flipped = Buffer.from(weights);
    flipped[flipped.length >> 1] ^= 0x10;
    await writeFile(join(dir, 'weights.bin'), flipped);
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'CRC-32');
  });

  it('BUNDLE_CORRUPT for a manifest or model.json that is not valid JSON', async () => {
    const manifest = await readFile(join(dir, 'recsys.json'), 'utf8');
    await writeFile(join(dir, 'recsys.json'), manifest.slice(0, manifest.length / 2));
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'recsys.json', 'JSON');
    await writeFile(join(dir, 'recsys.json'), manifest);
    await writeFile(join(dir, 'model.json'), '{"modelTopology": ');
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'model.json');
  });

  it('BUNDLE_VERSION naming both versions for a bundle from a newer format', async () => {
    await editJson('recsys.json', (m) => {
      m.formatVersion = 99;
      m.libraryVersion = '7.0.0';
    });
    await expectCode(() => loadModel(url), 'BUNDLE_VERSION', 'version 99', `version ${BUNDLE_FORMAT_VERSION}`, '7.0.0');
    await expectCode(() => readManifest(url), 'BUNDLE_VERSION', '99');
  });

  it('BUNDLE_MISMATCH when the config does not match the weight shapes', async () => {
    await editJson('recsys.json', (m) => {
      m.architecture.factors = 6;
    });
    await expectCode(() => loadModel(url), 'BUNDLE_MISMATCH', 'mf_embedding_user', '[6, 6]', '[6, 4]');
  });

  /** Rewrites recommender.bin (decoded, edited, encoded) and records its new size and CRC-32, so only the content is wrong. */
  async function rewritePart(edit: (part: { users: IdMap; items: IdMap; seen: { offsets: Int32Array; items: Int32Array }; popularity: Float64Array }) => void): Promise<void> {
    const decoded = decodeRecommenderPart(new Uint8Array(await readFile(join(dir, 'recommender.bin'))), 'test');
    const part = { users: IdMap.fromJSON(decoded.users), items: IdMap.fromJSON(decoded.items), seen: decoded.seen, popularity: decoded.popularity };
    edit(part);
    await writeBytes(encodeRecommenderPart(part));
  }
  async function writeBytes(bytes: Uint8Array): Promise<void> {
    await writeFile(join(dir, 'recommender.bin'), bytes);
    await editJson('recsys.json', (m) => {
      m.recommender.data = { byteLength: bytes.length, crc32: crc32(bytes) };
    });
  }

  it('BUNDLE_MISMATCH when the id maps do not fit the model, leaking no tensors', async () => {
    await rewritePart((part) => {
      part.users = IdMap.fromIds(part.users.ids().slice(0, 5), { kind: 'user' });
      part.seen = { offsets: part.seen.offsets.slice(0, 6), items: part.seen.items.slice(0, part.seen.offsets[5]) };
    });
    const tensors = tf.memory().numTensors;
    await expectCode(() => loadModel(url), 'BUNDLE_MISMATCH', '5 users', '6 users');
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('BUNDLE_CORRUPT for a truncated, altered or malformed recommender.bin, leaking no tensors', async () => {
    const bytes = new Uint8Array(await readFile(join(dir, 'recommender.bin')));
    await writeFile(join(dir, 'recommender.bin'), bytes.subarray(0, bytes.length - 3));
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'recommender.bin', `${bytes.length - 3} bytes`, 'truncated');
    const flipped = bytes.slice();
    flipped[flipped.length >> 1] ^= 0x01;
    await writeFile(join(dir, 'recommender.bin'), flipped);
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'CRC-32 of recommender.bin');
    // damaged content under a matching checksum: the decoder names the file and the byte
    const tensors = tf.memory().numTensors;
    await writeBytes(bytes.subarray(0, bytes.length - 3));
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'recommender.bin', 'the file ends inside the popularity');
    await writeBytes(Uint8Array.of(...bytes, 0));
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', '1 bytes follow the popularity');
    await writeBytes(Uint8Array.of(0x4e, 0x52, 0x52, 0x39, ...bytes.subarray(4)));
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', "'NRR1'");
    expect(tf.memory().numTensors).toBe(tensors);
    // a valid encoding of ids that repeat: the id map's own checks
    await writeBytes(bytes);
    await rewritePart((part) => {
      const ids = part.users.ids();
      part.users = { ids: () => [ids[0], ...ids.slice(0, -1)], kind: 'user' } as unknown as IdMap;
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'id maps', 'repeats');
    // the manifest must record the part's size and checksum
    await editJson('recsys.json', (m) => {
      delete m.recommender.data;
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'recommender.data', 'recommender.bin');
  });

  it('format-1 bundles (id maps and seen items in the manifest) are checked as before', async () => {
    await rm(dir, { recursive: true });
    await cp(join(FIXTURES, 'recommender'), dir, { recursive: true });
    (await loadModel(url)).dispose();
    const original = await readFile(join(dir, 'recsys.json'), 'utf8');
    await editJson('recsys.json', (m) => {
      m.recommender.users.ids.pop();
    });
    const tensors = tf.memory().numTensors;
    await expectCode(() => loadModel(url), 'BUNDLE_MISMATCH', '4 users', '5 users');
    expect(tf.memory().numTensors).toBe(tensors);
    await writeFile(join(dir, 'recsys.json'), original);
    await editJson('recsys.json', (m) => {
      m.recommender.seen.offsets = 'AAAA!';
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'seen.offsets');
    await editJson('recsys.json', (m) => {
      m.recommender.seen.offsets = 'AAAAAAAAAAA='; // 8 bytes: two offsets, but 5 users need 6
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'seen');
    expect(tf.memory().numTensors).toBe(tensors);
    await writeFile(join(dir, 'recsys.json'), original);
    await editJson('recsys.json', (m) => {
      m.recommender.users.ids[1] = m.recommender.users.ids[0];
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'id maps');
    await editJson('recsys.json', (m) => {
      delete m.recommender.popularity;
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', 'base64');
  });

  it('never reads a weight file outside the bundle', async () => {
    await editJson('model.json', (m) => {
      m.weightsManifest[0].paths = ['../../etc/passwd'];
    });
    await expectCode(() => loadModel(url), 'BUNDLE_CORRUPT', '"../../etc/passwd"');
  });
});

describe('loadModel verifies a memory:// bundle too', () => {
  it('BUNDLE_NOT_FOUND, BUNDLE_CORRUPT and BUNDLE_VERSION', async () => {
    const model = bareModel();
    await saveModel(model, 'memory://verify');
    await expectCode(() => loadModel('memory://absent'), 'BUNDLE_NOT_FOUND', '"absent"');
    const manifest = JSON.parse(memoryStore.rawManifest('verify')!);
    const stored = memoryStore.rawModel(manifest.modelKey)!;
    const weights = stored.weightData as ArrayBuffer;
    stored.weightData = weights.slice(0, weights.byteLength - 4);
    await expectCode(() => loadLayersModel('memory://verify'), 'BUNDLE_CORRUPT', 'truncated');
    stored.weightData = weights;
    (await loadLayersModel('memory://verify')).dispose();
    memoryStore.rawManifest('verify', JSON.stringify({ ...manifest, formatVersion: BUNDLE_FORMAT_VERSION + 1 }));
    await expectCode(() => loadModel('memory://verify'), 'BUNDLE_VERSION', `version ${BUNDLE_FORMAT_VERSION + 1}`);
    memoryStore.rawManifest('verify', JSON.stringify({ ...manifest, modelKey: 'verify~gone' }));
    await expectCode(() => loadModel('memory://verify'), 'BUNDLE_NOT_FOUND', 'verify~gone');
    model.dispose();
  });

  it("a Recommender's binary part: missing is BUNDLE_NOT_FOUND, altered is BUNDLE_CORRUPT", async () => {
    const rec = trickyRecommender(2);
    await saveModel(rec, 'memory://part');
    rec.dispose();
    const { modelKey } = JSON.parse(memoryStore.rawManifest('part')!);
    const stored = memoryStore.rawData(modelKey)!;
    stored[5] ^= 0x40;
    await expectCode(() => loadModel('memory://part'), 'BUNDLE_CORRUPT', 'CRC-32 of recommender.bin');
    stored[5] ^= 0x40;
    (await loadModel('memory://part')).dispose();
    await memoryStore.removeData(modelKey);
    await expectCode(() => loadModel('memory://part'), 'BUNDLE_NOT_FOUND', 'binary part', modelKey);
  });
});

describe('bad arguments', () => {
  it('get stable codes naming the value', async () => {
    const model = bareModel();
    await expectCode(() => loadModel('ftp://host/model'), 'INVALID_ARGUMENT', '"ftp://host/model"', 'file://');
    await expectCode(() => loadModel(42 as unknown as string), 'INVALID_ARGUMENT', '42');
    await expectCode(() => saveModel(model, 'https://example.com/m'), 'INVALID_ARGUMENT', 'read-only');
    await expectCode(() => saveModel({} as tf.LayersModel, 'memory://x'), 'INVALID_ARGUMENT', 'Recommender or a tf.LayersModel');
    await expectCode(() => saveModel(model, 'memory://a~b'), 'INVALID_ARGUMENT', '"a~b"');
    await expectCode(() => saveModel(model, 'memory://'), 'INVALID_ARGUMENT');
    await expectCode(() => saveModel(model, 'memory://x', { onProgress: 1 as never }), 'INVALID_ARGUMENT', 'onProgress');
    // the browser stores need a browser
    await expectCode(() => saveModel(model, 'indexeddb://movies'), 'UNSUPPORTED_RUNTIME', 'indexeddb://');
    await expectCode(() => loadModel('localstorage://movies'), 'UNSUPPORTED_RUNTIME', 'localstorage://');
    model.dispose();
  });

  it('a URL naming a file inside a bundle is refused with the folder to pass', async () => {
    const model = bareModel();
    await expectCode(() => loadModel('file://./models/x/model.json'), 'INVALID_ARGUMENT', '"file://./models/x/model.json" names model.json', 'folder, "file://./models/x"');
    await expectCode(() => loadModel('https://cdn.example/m/recsys.json'), 'INVALID_ARGUMENT', 'recsys.json', '"https://cdn.example/m"');
    await expectCode(() => loadModel('./models/x/weights.bin'), 'INVALID_ARGUMENT', 'weights.bin', '"./models/x"');
    await expectCode(() => saveModel(model, 'file:///tmp/m/model.json/'), 'INVALID_ARGUMENT', 'model.json', '"file:///tmp/m"');
    model.dispose();
  });

  it('a plain path: a folder in Node; elsewhere refused, naming the schemes', async () => {
    const model = bareModel();
    const plain = join(dir, 'plain path %41');
    await saveModel(model, plain);
    const loaded = await loadLayersModel(plain);
    expect(allScores(loaded, 5, 6)).toEqual(allScores(model, 5, 6));
    // the same directory through file:// (the '%' of a plain path is not percent-decoding)
    expect((await readManifest(`file://${encodeURI(plain)}`)).weights).toEqual((await readManifest(plain)).weights);
    loaded.dispose();
    model.dispose();
    await expectCode(() => loadModel(join(dir, 'nothing-here')), 'BUNDLE_NOT_FOUND', 'nothing-here');
    expect(parseBundleUrl('models/movies', 'load', true)).toEqual({ kind: 'file', url: 'models/movies' });
    expect(parseBundleUrl('C:\\models\\movies', 'load', true).kind).toBe('file');
    for (const [url, node] of [['models/movies', false], ['indexdb://movies', true]] as const) {
      let caught: unknown;
      try {
        parseBundleUrl(url, 'load', node);
      } catch (e) {
        caught = e;
      }
      expect(isRecsysError(caught, 'INVALID_ARGUMENT')).toBe(true);
      expect((caught as Error).message).toContain(`"${url}" must start with one of file://`);
      if (!node) expect((caught as Error).message).toContain('in a browser use indexeddb://models/movies');
    }
  });
});
