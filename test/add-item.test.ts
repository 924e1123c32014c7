// Recommender.addItem on a model with item features: a brand-new item (no interactions) is scored
// from its features, through recommend and through a saved and loaded bundle; bad inputs name
// themselves. Planted data: users 0-19 like genre g0 (items 0-9), users 20-39 like g1 (items
// 10-19); items 20-29 are g2, which nobody interacts with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './helpers/backends.js';
import { thrown } from './helpers/recsys-error.js';
import { allScores } from './helpers/io-fixtures.js';
import { GMF, IdMap, NeuMF, Recommender, featuresFrom, loadModel, saveModel, train } from '../src/index.js';
import { RecsysError } from '../src/errors.js';

let root: string;
let rec: Recommender<string, string>;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-add-item-'));
  rec = await plantedRecommender();
});
afterAll(async () => {
  rec.dispose();
  await rm(root, { recursive: true, force: true });
});

/** The planted interactions (6 per user, within the user's genre). */
function planted(): { users: Int32Array; items: Int32Array; numUsers: number; numItems: number } {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < 40; u++) {
    for (let j = 0; j < 6; j++) {
      users.push(u);
      items.push((u < 20 ? 0 : 10) + ((u * 7 + j * 3) % 10));
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 40, numItems: 30 };
}

/** A GMF with one item field (genre), trained on the planted data; item ids are '0'..'29'. */
async function plantedRecommender(): Promise<Recommender<string, string>> {
  const ids = IdMap.fromIds(Array.from({ length: 30 }, (_, i) => String(i)), { kind: 'item' });
  const table = featuresFrom(
    Array.from({ length: 30 }, (_, i) => ({ id: String(i), genre: `g${Math.floor(i / 10)}` })),
    { fields: ['genre'], ids },
  );
  const data = planted();
  const model = GMF({ numUsers: 40, numItems: 30, factors: 4, itemFeatures: table, seed: 3 });
  await train(model, data, { epochs: 15, batchSize: 32, learningRate: 0.02, seed: 2 });
  const users = IdMap.fromIds(Array.from({ length: 40 }, (_, u) => `u${u}`), { kind: 'user' });
  return Recommender.from<string, string>({ model, users, items: ids, seen: data });
}

/** sigmoid(w · (user row ⊙ mean of the genre rows) + b): the GMF score of an item whose id row is zero. */
function handScore(model: tf.LayersModel, user: number, genreRows: number[]): number {
  const userRow = Array.from(model.getLayer('mf_embedding_user').getWeights()[0].arraySync() as number[][])[user];
  const genre = model.getLayer('mf_item_feature0').getWeights()[0].arraySync() as number[][];
  const [kernel, bias] = model.getLayer('prediction').getWeights().map((w) => w.dataSync());
  let z = bias[0];
  for (let f = 0; f < userRow.length; f++) {
    const pooled = genreRows.reduce((s, r) => s + genre[r][f], 0) / genreRows.length;
    z += kernel[f] * userRow[f] * pooled;
  }
  return 1 / (1 + Math.exp(-z));
}

describe('Recommender.addItem', () => {
  it('a new item with the trait a user likes outranks one with another trait; old items keep their scores', async () => {
    const before = allScores(rec.model, 40, 30);
    expect(await rec.addItem('new-g0', { genre: 'g0' })).toBe(30);
    expect(await rec.addItem('new-g1', { genre: ['g1'] })).toBe(31);
    expect(rec.items.size).toBe(32);
    expect(rec.architecture?.numItems).toBe(32);
    expect(Array.from(rec.popularity.subarray(30))).toEqual([0, 0]);
    const after = allScores(rec.model, 40, 32);
    for (let u = 0; u < 40; u++) expect(after.slice(u * 32, u * 32 + 30)).toEqual(before.slice(u * 30, u * 30 + 30));
    for (let u = 0; u < 40; u++) {
      const top = rec.recommend(`u${u}`, { k: 2, candidates: ['new-g0', 'new-g1'] });
      expect(top.map((r) => r.id)).toEqual(u < 20 ? ['new-g0', 'new-g1'] : ['new-g1', 'new-g0']);
      expect(top.every((r) => r.source === 'model')).toBe(true);
    }
    // nobody has seen them: the whole catalogue (k = 32) includes them for a user who saw 6 items
    expect(rec.recommend('u0', { k: 26 }).map((r) => r.id)).toContain('new-g1');
  });

  it("the new item's score is model.predict's on the grown model (to float32 rounding) and the hand-computed pooled-feature score", async () => {
    const g0 = rec.items.index('new-g0')!;
    const [u] = [3];
    const [{ score }] = rec.recommend(`u${u}`, { k: 1, candidates: ['new-g0'] });
    const predicted = tf.tidy(() =>
      (rec.model.predict([tf.tensor2d([[u]], [1, 1], 'int32'), tf.tensor2d([[g0]], [1, 1], 'int32')]) as tf.Tensor).dataSync()[0],
    );
    // the Recommender's fast scorer pools the fields in double precision, predict in float32
    expect(Math.abs(score - predicted)).toBeLessThan(1e-6);
    const genreRow = 1; // g0 was the first value seen: row 1 (row 0 is "unknown")
    expect(score).toBeCloseTo(handScore(rec.model, u, [genreRow]), 6);
    // several values, one the model never saw (row 0): the index widens from 1 to 3 columns
    const before = allScores(rec.model, 40, rec.items.size);
    const multi = await rec.addItem('multi', { genre: ['g0', 'g1', 'never-seen'] });
    expect(rec.architecture?.features?.item?.[0].maxValues).toBe(3);
    const [{ score: multiScore }] = rec.recommend(`u${u}`, { k: 1, candidates: ['multi'] });
    expect(multiScore).toBeCloseTo(handScore(rec.model, u, [1, 2, 0]), 6);
    const after = allScores(rec.model, 40, rec.items.size);
    for (let v = 0; v < 40; v++) expect(after.slice(v * (multi + 1), v * (multi + 1) + multi)).toEqual(before.slice(v * multi, (v + 1) * multi));
  });

  it('addItem then saveModel / loadModel: identical scores, ids and popularity', async () => {
    await rec.addItem('saved', { genre: 'g1' });
    const url = `file://${join(root, 'bundle')}`;
    await saveModel(rec, url);
    const again = await loadModel<string, string>(url);
    try {
      expect(again.items.ids()).toEqual(rec.items.ids());
      expect(Array.from(again.popularity)).toEqual(Array.from(rec.popularity));
      expect(allScores(again.model, 40, again.items.size)).toEqual(allScores(rec.model, 40, rec.items.size));
      expect(again.recommend('u25', { k: 3, candidates: ['saved', 'new-g0', 'new-g1'] })).toEqual(
        rec.recommend('u25', { k: 3, candidates: ['saved', 'new-g0', 'new-g1'] }),
      );
      // the loaded Recommender grows too
      expect(await again.addItem('after-load', { genre: 'g0' })).toBe(rec.items.size);
    } finally {
      again.dispose();
    }
  });

  it('NeuMF (GMF and MLP item tables and pools): old scores kept, the same features give the same scores; queued with saveModel', async () => {
    const ids = IdMap.fromIds(['a', 'b', 'c', 'd'], { kind: 'item' });
    const table = featuresFrom(
      [
        { id: 'a', genre: ['x', 'y'] },
        { id: 'b', genre: 'y' },
        { id: 'c', genre: 'z' },
        { id: 'd', genre: [] },
      ],
      { fields: ['genre'], ids },
    );
    const model = NeuMF({ numUsers: 3, numItems: 4, factors: 2, layers: [4, 2], itemFeatures: table, seed: 5 });
    const neumf = Recommender.from<string, string>({ model, users: IdMap.fromIds(['u', 'v', 'w'], { kind: 'user' }), items: ids });
    try {
      const before = allScores(neumf.model, 3, 4);
      // not awaited: saveModel waits in the same queue, so the bundle holds both new items
      const added = [neumf.addItem('p', { genre: ['z', 'x'] }), neumf.addItem('q', { genre: ['x', 'z'] })];
      const url = `file://${join(root, 'neumf')}`;
      await saveModel(neumf, url);
      expect(await Promise.all(added)).toEqual([4, 5]);
      const after = allScores(neumf.model, 3, 6);
      for (let u = 0; u < 3; u++) {
        expect(after.slice(u * 6, u * 6 + 4)).toEqual(before.slice(u * 4, u * 4 + 4));
        expect(after[u * 6 + 4]).toBe(after[u * 6 + 5]);
      }
      const again = await loadModel<string, string>(url);
      expect(again.items.ids()).toEqual(['a', 'b', 'c', 'd', 'p', 'q']);
      expect(allScores(again.model, 3, 6)).toEqual(after);
      again.dispose();
    } finally {
      neumf.dispose();
    }
  });

  it('bad inputs: a known id, a field the model lacks, bad ids, a model of ids only', async () => {
    const size = rec.items.size;
    const known = (await thrown(() => rec.addItem('new-g0', { genre: 'g0' }))) as RecsysError;
    expect([known.code, known.message]).toEqual(['INVALID_ARGUMENT', expect.stringContaining('"new-g0" is already in the catalogue')]);
    const field = (await thrown(() => rec.addItem('x', { genre: 'g0', colour: 'red' }))) as RecsysError;
    expect([field.code, field.message]).toEqual(['INVALID_ARGUMENT', expect.stringContaining('no item feature field "colour"; its fields are "genre"')]);
    const notObject = (await thrown(() => rec.addItem('x', 'g0' as never))) as RecsysError;
    expect(notObject.code).toBe('INVALID_ARGUMENT');
    expect(((await thrown(() => rec.addItem('', { genre: 'g0' }))) as RecsysError).code).toBe('INVALID_ID');
    expect(((await thrown(() => rec.addItem(NaN as never, { genre: 'g0' }))) as RecsysError).code).toBe('INVALID_ID');
    const twin = (await thrown(() => rec.addItem(7 as never, { genre: 'g0' }))) as RecsysError;
    expect([twin.code, twin.message]).toEqual(['ID_TYPE_MISMATCH', expect.stringContaining('pass "7"')]);
    expect(rec.items.size).toBe(size);

    const plain = Recommender.from({
      model: NeuMF({ numUsers: 2, numItems: 3, factors: 2, layers: [4, 2] }),
      users: IdMap.fromIds(['a', 'b']),
      items: IdMap.fromIds(['x', 'y', 'z']),
    });
    const ids = (await thrown(() => plain.addItem('w', { genre: 'g0' }))) as RecsysError;
    expect([ids.code, ids.message]).toEqual(['UNSUPPORTED_MODEL', expect.stringContaining('addItem needs a model with item features')]);
    plain.dispose();
  });
});

describe('Recommender.addItems', () => {
  it('adds many items in one rebuild with the scores addItem gives one at a time; all or nothing on a bad entry', async () => {
    const [batch, single] = [await plantedRecommender(), await plantedRecommender()];
    const entries = [
      { id: 'b-g0', features: { genre: 'g0' } },
      { id: 'b-multi', features: { genre: ['g1', 'g2', 'never-seen'] } },
      { id: 'b-none', features: {} },
    ];
    expect(await batch.addItems(entries)).toEqual([30, 31, 32]);
    for (const { id, features } of entries) await single.addItem(id, features);
    expect(batch.architecture).toEqual(single.architecture);
    expect(allScores(batch.model, 40, 33)).toEqual(allScores(single.model, 40, 33));
    const [top] = batch.recommend('u3', { k: 1, candidates: ['b-g0', 'b-multi', 'b-none'] });
    expect(top.id).toBe('b-g0'); // a g0 fan

    const size = batch.items.size;
    const known = (await thrown(() => batch.addItems([{ id: 'fresh', features: { genre: 'g0' } }, { id: 'b-g0', features: {} }]))) as RecsysError;
    expect([known.code, known.message]).toEqual(['INVALID_ARGUMENT', expect.stringContaining('"b-g0" is already in the catalogue')]);
    const twice = (await thrown(() => batch.addItems([{ id: 'x', features: {} }, { id: 'x', features: {} }]))) as RecsysError;
    expect([twice.code, twice.message]).toEqual(['INVALID_ARGUMENT', expect.stringContaining('"x" is listed twice')]);
    const field = (await thrown(() => batch.addItems([{ id: 'y', features: { genre: 'g0' } }, { id: 'z', features: { colour: 'red' } }]))) as RecsysError;
    expect(field.code).toBe('INVALID_ARGUMENT');
    expect(((await thrown(() => batch.addItems([]))) as RecsysError).code).toBe('EMPTY_INPUT');
    expect(((await thrown(() => batch.addItems('abc' as never))) as RecsysError).code).toBe('INVALID_ARGUMENT');
    expect(batch.items.size).toBe(size);
    expect(batch.items.index('fresh')).toBeUndefined();
    batch.dispose();
    single.dispose();
  });
});
