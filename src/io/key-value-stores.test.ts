import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { saveModel } from './save.js';
import { loadModel } from './load.js';
import { memoryStore } from './key-value-stores.js';
import { allScores, bareModel, trickyRecommender } from '../../test/helpers/io-fixtures.js';

beforeAll(() => useBackend('cpu'));
afterAll(() => memoryStore.clear());

const generations = async (name: string) => (await memoryStore.listModels()).filter((key) => key.startsWith(`${name}~`));

async function scoresAt(url: string): Promise<number[]> {
  const rec = await loadModel(url);
  try {
    return allScores(rec.model, 5, 6);
  } finally {
    rec.dispose();
  }
}

describe('memory:// saves are atomic by generations', () => {
  const a = bareModel(1);
  const b = bareModel(2);
  afterAll(() => {
    a.dispose();
    b.dispose();
  });

  it('keeps exactly one generation per bundle', async () => {
    await saveModel(a, 'memory://gen');
    await saveModel(b, 'memory://gen');
    await saveModel(a, 'memory://gen');
    expect(await generations('gen')).toHaveLength(1);
    expect(await scoresAt('memory://gen')).toEqual(allScores(a, 5, 6));
  });

  it("removes a replaced generation's binary part with its model", async () => {
    const rec = trickyRecommender(5);
    await saveModel(rec, 'memory://parts');
    const first = JSON.parse(memoryStore.rawManifest('parts')!).modelKey;
    expect(memoryStore.rawData(first)).toBeInstanceOf(Uint8Array);
    await saveModel(rec, 'memory://parts');
    const second = JSON.parse(memoryStore.rawManifest('parts')!).modelKey;
    expect(memoryStore.rawData(first)).toBeUndefined();
    expect(memoryStore.rawData(second)).toBeInstanceOf(Uint8Array);
    rec.dispose();
  });

  it('a save that dies before its manifest is written leaves the previous bundle, cleared by the next save', async () => {
    await saveModel(a, 'memory://crash');
    await saveModel(b, 'memory://crash', {
      onProgress: (step) => {
        if (step === 'commit') throw new Error('tab closed');
      },
    }).catch(() => undefined);
    expect(await scoresAt('memory://crash')).toEqual(allScores(a, 5, 6));
    expect(await generations('crash')).toHaveLength(2);
    await saveModel(b, 'memory://crash');
    expect(await scoresAt('memory://crash')).toEqual(allScores(b, 5, 6));
    expect(await generations('crash')).toHaveLength(1);
  });

  it('a save that dies after its manifest is written leaves the new bundle', async () => {
    await saveModel(a, 'memory://late');
    await saveModel(b, 'memory://late', {
      onProgress: (step) => {
        if (step === 'cleanup') throw new Error('tab closed');
      },
    }).catch(() => undefined);
    expect(await scoresAt('memory://late')).toEqual(allScores(b, 5, 6));
  });

  it('stores copies: changing the saved model afterwards does not change the bundle', async () => {
    const model = bareModel(4);
    await saveModel(model, 'memory://copy');
    const before = allScores(model, 5, 6);
    model.getLayer('prediction').setWeights(model.getLayer('prediction').getWeights().map((w) => tf.zerosLike(w)));
    expect(await scoresAt('memory://copy')).toEqual(before);
    model.dispose();
  });
});

describe('localstorage:// through tfjs\'s own handler', () => {
  // A browser-like environment for this test only: tfjs checks IS_BROWSER and window.localStorage.
  const items = new Map<string, string>();
  const storage = {
    get length() {
      return items.size;
    },
    key: (i: number) => [...items.keys()][i] ?? null,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
    clear: () => items.clear(),
  };
  const g = globalThis as Record<string, unknown>;
  let wasBrowser: boolean;
  beforeAll(() => {
    wasBrowser = tf.env().getBool('IS_BROWSER');
    tf.env().set('IS_BROWSER', true);
    g.window = { localStorage: storage };
    g.localStorage = storage;
  });
  afterAll(() => {
    tf.env().set('IS_BROWSER', wasBrowser);
    delete g.window;
    delete g.localStorage;
  });

  it('round-trips a Recommender with identical scores, the manifest under its own key', async () => {
    const rec = trickyRecommender(3);
    await saveModel(rec, 'localstorage://movies');
    expect(items.has('neural-recsys/bundles/movies')).toBe(true);
    const manifest = JSON.parse(items.get('neural-recsys/bundles/movies')!);
    expect(manifest.modelKey).toMatch(/^movies~/);
    expect([...items.keys()].some((k) => k.startsWith(`tensorflowjs_models/${manifest.modelKey}/`))).toBe(true);

    // the binary part (id maps, seen items) sits beside the model, under the same generation key
    expect(items.has(`neural-recsys/bundle-data/${manifest.modelKey}`)).toBe(true);
    expect(manifest.recommender.users).toBeUndefined();

    const again = await loadModel('localstorage://movies');
    expect(allScores(again.model, 6, 8)).toEqual(allScores(rec.model, 6, 8));
    expect(again.users.ids()).toEqual(rec.users.ids());
    expect(again.recommend('alice', { k: 3 })).toEqual(rec.recommend('alice', { k: 3 }));
    again.dispose();
    // a second save replaces both the model and the binary part of the first generation
    await saveModel(rec, 'localstorage://movies');
    const data = [...items.keys()].filter((k) => k.startsWith('neural-recsys/bundle-data/movies~'));
    expect(data).toEqual([`neural-recsys/bundle-data/${JSON.parse(items.get('neural-recsys/bundles/movies')!).modelKey}`]);
    rec.dispose();
  });

  it('reports truncated weights as BUNDLE_CORRUPT', async () => {
    const model = bareModel(1);
    await saveModel(model, 'localstorage://cut');
    const { modelKey } = JSON.parse(items.get('neural-recsys/bundles/cut')!);
    const key = `tensorflowjs_models/${modelKey}/weight_data`;
    items.set(key, items.get(key)!.slice(0, -8));
    await expect(loadModel('localstorage://cut')).rejects.toMatchObject({ code: 'BUNDLE_CORRUPT' });
    model.dispose();
  });
});
