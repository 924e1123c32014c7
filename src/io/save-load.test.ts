import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useBackend } from '../../test/helpers/backends.js';
import { inspectModel } from '../models/index.js';
import { VERSION } from '../version.js';
import { saveModel } from './save.js';
import { loadLayersModel, loadModel, readManifest } from './load.js';
import { memoryStore } from './key-value-stores.js';
import { BUNDLE_FORMAT_VERSION } from './manifest.js';
import { crc32 } from './checksum.js';
import { decodeRecommenderPart } from './recommender-part.js';
import { TRICKY_ITEMS, TRICKY_USERS, allScores, bareModel, trickyRecommender } from '../../test/helpers/io-fixtures.js';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  memoryStore.clear();
});

describe.each([
  ['file://', () => `file://${join(root, 'bundle-a')}`],
  ['file:// (a file URL from pathToFileURL)', () => pathToFileURL(join(root, 'dir with space', 'bundle b')).href],
  ['memory://', () => 'memory://round-trip'],
])('saveModel + loadModel over %s', (_scheme, urlOf) => {
  it('round-trips a Recommender: identical scores, id maps (prototype names too), seen items, popularity', async () => {
    const rec = trickyRecommender(1);
    const url = urlOf();
    const beforeSave = tf.memory().numTensors;
    const { manifest } = await saveModel(rec, url);
    expect(tf.memory().numTensors).toBe(beforeSave);
    expect(manifest).toMatchObject({ formatVersion: BUNDLE_FORMAT_VERSION, libraryVersion: VERSION, architecture: inspectModel(rec.model) });

    const tensors = tf.memory().numTensors;
    const again = await loadModel(url);
    expect(allScores(again.model, rec.users.size, rec.items.size)).toEqual(allScores(rec.model, rec.users.size, rec.items.size));
    expect(again.users.ids()).toEqual(TRICKY_USERS);
    expect(again.items.ids()).toEqual(TRICKY_ITEMS);
    expect(again.users.index(42)).toBe(2);
    expect(again.users.index('42')).toBe(3);
    expect(again.users.index('__proto__')).toBe(0);
    expect(Array.from(again.seen.offsets)).toEqual(Array.from(rec.seen.offsets));
    expect(Array.from(again.seen.items)).toEqual(Array.from(rec.seen.items));
    expect(Array.from(again.popularity)).toEqual(Array.from(rec.popularity));
    expect(again.unknownUser).toBe(rec.unknownUser);
    for (const user of TRICKY_USERS) expect(again.recommend(user, { k: 5 })).toEqual(rec.recommend(user, { k: 5 }));
    expect(again.recommend('__proto__', { k: 8 }).map((r) => r.id)).not.toContain('__proto__');
    expect(again.seenBy('__proto__')).toEqual(['__proto__', 'valueOf']);
    again.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    rec.dispose();
  });

  it('replaces an existing bundle', async () => {
    const url = urlOf();
    const first = trickyRecommender(1);
    const second = trickyRecommender(2);
    await saveModel(first, url);
    await saveModel(second, url);
    const again = await loadModel(url);
    expect(allScores(again.model, 6, 8)).toEqual(allScores(second.model, 6, 8));
    expect(allScores(again.model, 6, 8)).not.toEqual(allScores(first.model, 6, 8));
    for (const r of [first, second, again]) r.dispose();
  });
});

describe('bundles of bare models', () => {
  it('loadLayersModel gives back the model with identical scores', async () => {
    const model = bareModel();
    const url = `file://${join(root, 'bare')}`;
    const { manifest } = await saveModel(model, url);
    expect(manifest.recommender).toBeNull();
    // nothing in a bare model's bundle changed since format 1, so it is written as format 1 (older libraries read it)
    expect(manifest.formatVersion).toBe(1);
    const again = await loadLayersModel(url);
    expect(allScores(again, 5, 6)).toEqual(allScores(model, 5, 6));
    expect(inspectModel(again)).toEqual(inspectModel(model));
    again.dispose();
    model.dispose();
  });

  it('loadModel wraps a bare standard model with identity id maps', async () => {
    const model = bareModel();
    await saveModel(model, 'memory://bare');
    const rec = await loadModel('memory://bare');
    expect(rec.users.ids()).toEqual([0, 1, 2, 3, 4]);
    expect(rec.items.ids()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rec.seenBy(0)).toEqual([]);
    const scores = allScores(model, 5, 6).slice(6, 12);
    const best = scores.indexOf(Math.max(...scores));
    // the fast scorer sums in float32, model.predict in float64: the same to about 1e-7
    expect(rec.recommend(1, { k: 1 })[0]).toEqual({ id: best, score: expect.closeTo(scores[best], 6), source: 'model' });
    rec.dispose();
    model.dispose();
  });
});

describe('the file:// bundle layout', () => {
  it('is plain files: a standard tfjs model.json, weights.bin, recommender.bin and the recsys.json manifest', async () => {
    const rec = trickyRecommender(1);
    const dir = join(root, 'layout');
    await saveModel(rec, `file://${dir}`);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'recommender.bin', 'recsys.json', 'weights.bin']);
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(modelJson.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('mf_embedding_user/embeddings');
    const weights = await readFile(join(dir, 'weights.bin'));
    const manifest = await readManifest(`file://${dir}`);
    expect(manifest.weights.byteLength).toBe(weights.length);
    // format 2: the id maps and seen items live in recommender.bin, whose size and CRC-32 the manifest records
    const part = await readFile(join(dir, 'recommender.bin'));
    expect(manifest.formatVersion).toBe(2);
    expect(manifest.recommender).toEqual({ unknownUser: 'popular', data: { byteLength: part.length, crc32: crc32(part) } });
    const decoded = decodeRecommenderPart(new Uint8Array(part), 'test');
    expect(decoded.users).toEqual({ ids: TRICKY_USERS, kind: 'user' });
    expect(decoded.items).toEqual({ ids: TRICKY_ITEMS, kind: 'item' });
    expect(Array.from(decoded.seen.offsets)).toEqual(Array.from(rec.seen.offsets));
    expect(Array.from(decoded.seen.items)).toEqual(Array.from(rec.seen.items));
    expect(Array.from(decoded.popularity)).toEqual(Array.from(rec.popularity));
    // tfjs's own loader reads the same model.json
    const viaTfjs = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
    );
    expect(allScores(viaTfjs, 6, 8)).toEqual(allScores(rec.model, 6, 8));
    viaTfjs.dispose();
    rec.dispose();
  });

  it('reports every step of a save to onProgress, in order', async () => {
    const steps: string[] = [];
    const model = bareModel();
    const url = `file://${join(root, 'steps')}`;
    await saveModel(model, url, { onProgress: (step) => void steps.push(step) });
    await saveModel(model, url, { onProgress: async (step) => void steps.push(step) });
    // no old bundle to move aside the first time
    expect(steps).toEqual(['write', 'commit', 'cleanup', 'done', 'write', 'commit', 'swap', 'cleanup', 'done']);
    steps.length = 0;
    await saveModel(model, 'memory://steps', { onProgress: (step) => void steps.push(step) });
    expect(steps).toEqual(['write', 'commit', 'cleanup', 'done']);
    model.dispose();
  });
});

describe('a fold-in survives a round trip', () => {
  it('keeps the grown model, the new user and their seen items', async () => {
    const rec = trickyRecommender(1);
    await rec.foldIn('newcomer', ['Heat', 'Up'], { steps: 5 });
    await saveModel(rec, 'memory://folded');
    const again = await loadModel('memory://folded');
    expect(again.users.index('newcomer')).toBe(TRICKY_USERS.length);
    expect(again.seenBy('newcomer')).toEqual(['Heat', 'Up']);
    expect(again.recommend('newcomer', { k: 3 })).toEqual(rec.recommend('newcomer', { k: 3 }));
    again.dispose();
    rec.dispose();
  });
});

describe('loading over http(s)://', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // serves the files of the bundles under root, and nothing else
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      readFile(join(root, path.replace(/\.\./g, '')))
        .then((bytes) => res.end(bytes))
        .catch(() => {
          res.statusCode = 404;
          res.end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a bundle directory served over HTTP, with identical scores', async () => {
    const rec = trickyRecommender(5);
    await saveModel(rec, `file://${join(root, 'served')}`);
    const again = await loadModel(`${base}/served`);
    expect(allScores(again.model, 6, 8)).toEqual(allScores(rec.model, 6, 8));
    expect(again.users.ids()).toEqual(TRICKY_USERS);
    again.dispose();
    rec.dispose();
    await expect(loadModel(`${base}/not-there/`)).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND', message: expect.stringContaining('404') });
  });
});

describe('saving while folding in', () => {
  it('captures the recommender between fold-ins, so model, ids and seen items agree', async () => {
    const rec = trickyRecommender(6);
    const foldIns = [rec.foldIn('n1', ['Heat'], { steps: 3 }), rec.foldIn('n2', ['Up'], { steps: 3 })];
    const saved = saveModel(rec, 'memory://busy');
    const later = rec.foldIn('n3', ['Ronin'], { steps: 3 });
    await Promise.all([...foldIns, saved, later]);
    const again = await loadModel('memory://busy');
    expect(again.users.size).toBe(TRICKY_USERS.length + 2);
    expect(again.architecture?.numUsers).toBe(TRICKY_USERS.length + 2);
    expect(again.seenBy('n2')).toEqual(['Up']);
    again.dispose();
    rec.dispose();
  });
});
