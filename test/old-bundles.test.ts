// Bundles written by neural-recsys 0.1.0 (bundle format 1: id maps and seen items inside
// recsys.json) still load, and score and recommend exactly as they did when they were saved
// (test/fixtures/bundles-0.1/expected.json was recorded by the same script that wrote them).
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from './helpers/backends.js';
import { loadLayersModel, loadModel, readManifest, saveModel, type Recommender } from '../src/index.js';
import { memoryStore } from '../src/io/key-value-stores.js';
import { allScores } from './helpers/io-fixtures.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/bundles-0.1/', import.meta.url));

interface Expected {
  numUsers: number;
  numItems: number;
  scores: number[];
  recommendations?: Record<string, unknown[]>;
  seen?: Record<string, unknown[]>;
  popular?: unknown[];
}
let expected: Record<string, Expected>;
let root: string;

beforeAll(async () => {
  await useBackend('cpu');
  expected = JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8'));
  root = await mkdtemp(join(tmpdir(), 'recsys-old-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  memoryStore.clear();
});

/**
 * The same recommendations: ids, order and sources exactly; scores to 1e-6, because the fast
 * scorer's SIMD kernel sums in float32 where the scorer that recorded them summed in float64 (the
 * model's own scores, through model.predict, are still compared exactly).
 */
function expectSameList(actual: Array<{ score: number }>, expected: unknown[]): void {
  const wanted = expected as Array<{ score: number }>;
  expect(actual.map(({ score: _, ...rest }) => rest)).toEqual(wanted.map(({ score: _, ...rest }) => rest));
  actual.forEach((r, t) => expect(Math.abs(r.score - wanted[t].score)).toBeLessThan(1e-6));
}

function expectSame(rec: Recommender, e: Expected): void {
  expect(allScores(rec.model, e.numUsers, e.numItems)).toEqual(e.scores);
  if (e.recommendations === undefined) return;
  for (const [user, list] of Object.entries(e.recommendations)) expectSameList(rec.recommend(user, { k: 3 }), list);
  for (const [user, items] of Object.entries(e.seen!)) expect(rec.seenBy(user)).toEqual(items);
  expect(rec.recommend('someone-new', { k: 3 })).toEqual(e.popular);
}

describe('format-1 bundles from neural-recsys 0.1.0', () => {
  it.each(['gmf', 'mlp', 'neumf', 'recommender'])('%s loads and scores exactly as when it was saved', async (name) => {
    const url = `file://${join(FIXTURES, name)}`;
    expect((await readManifest(url)).formatVersion).toBe(1);
    const rec = await loadModel(url);
    try {
      expectSame(rec, expected[name]);
    } finally {
      rec.dispose();
    }
    const model = await loadLayersModel(url);
    expect(allScores(model, expected[name].numUsers, expected[name].numItems)).toEqual(expected[name].scores);
    model.dispose();
  });

  it('a loaded format-1 Recommender saves as format 2 (recommender.bin) and loads back the same', async () => {
    const old = await loadModel(`file://${join(FIXTURES, 'recommender')}`);
    const dir = join(root, 'resaved');
    const { manifest } = await saveModel(old, dir);
    old.dispose();
    expect(manifest.formatVersion).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'recommender.bin', 'recsys.json', 'weights.bin']);
    const again = await loadModel(dir);
    try {
      expectSame(again, expected.recommender);
      expect(again.users.ids()).toEqual(['alice', 'bob', 'user-42', '__proto__', '7']);
    } finally {
      again.dispose();
    }
  });

  it('a format-1 Recommender in a key-value store (memory://, as in IndexedDB) loads too', async () => {
    const dir = join(FIXTURES, 'recommender');
    const manifest = JSON.parse(await readFile(join(dir, 'recsys.json'), 'utf8'));
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const weights = new Uint8Array(await readFile(join(dir, 'weights.bin')));
    await memoryStore.putModel('old~1', {
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    });
    await memoryStore.putManifest('old', JSON.stringify({ ...manifest, modelKey: 'old~1' }));
    const rec = await loadModel('memory://old');
    try {
      expectSame(rec, expected.recommender);
    } finally {
      rec.dispose();
    }
  });
});
