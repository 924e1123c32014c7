// Models with side features across the library: training (the fused engine, held to the tfjs
// engine's losses), the fast scorer (fields pooled into the id tables), bundles (save/load, value
// maps, manifest shapes) and the Recommender (recommend, foldIn with the user's features).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from './helpers/backends.js';
import { thrown } from './helpers/recsys-error.js';
import { allScores } from './helpers/io-fixtures.js';
import { randomizeWeights } from './helpers/fused-kernel.js';
import {
  IdMap,
  NeuMF,
  GMF,
  Recommender,
  createScorer,
  featuresFrom,
  featureValueMaps,
  inspectModel,
  loadLayersModel,
  loadModel,
  readManifest,
  saveModel,
  similarItems,
  syntheticInteractions,
  train,
} from '../src/index.js';
import { expectedWeightShapes } from '../src/io/manifest.js';
import type { FeatureTable } from '../src/data/features.js';
import { RecsysError } from '../src/errors.js';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'recsys-features-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Synthetic interactions and an item table whose one field is each item's planted trait group. */
function plantedData(seed: number): { data: ReturnType<typeof syntheticInteractions>; items: FeatureTable } {
  const data = syntheticInteractions({ numUsers: 60, numItems: 40, seed });
  const ids = IdMap.fromIds(Array.from({ length: data.numItems }, (_, i) => i), { kind: 'item' });
  const items = featuresFrom(
    Array.from({ length: data.numItems }, (_, i) => ({ id: i, trait: `t${data.truth.itemTraits[i]}` })),
    { fields: ['trait'], ids },
  );
  return { data, items };
}

/** Every (user, item) score of users 0..numUsers-1 over all items, through model.predict. */
function scores(model: tf.LayersModel, numUsers: number, numItems: number): Float32Array {
  return Float32Array.from(allScores(model, numUsers, numItems));
}

describe('side features across the library', () => {
  it("train(engine: 'auto') trains a feature model on the fused engine: the tfjs engine's losses on one thread, and on 2 worker threads", async () => {
    const { data, items } = plantedData(3);
    const userIds = IdMap.fromIds(Array.from({ length: data.numUsers }, (_, u) => u), { kind: 'user' });
    const groups = featuresFrom(
      Array.from({ length: data.numUsers }, (_, u) => ({ id: u, group: u % 3 === 0 ? [] : [`g${u % 4}`, `h${u % 2}`] })),
      { fields: ['group'], ids: userIds },
    );
    const run = async (engine: 'auto' | 'tfjs', threads: number) => {
      const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], itemFeatures: items, userFeatures: groups, seed: 2 });
      const history = await train(model, data, { engine, threads, epochs: 4, batchSize: 64, learningRate: 0.01, seed: 1 });
      model.dispose();
      return history;
    };
    const fused = await run('auto', 1);
    expect(fused.engine).toBe('fused');
    expect(fused.engineReason).toMatch(/^fused: standard neumf/);
    const tfjs = await run('tfjs', 1);
    // the same batches: measured equal to about 1e-6 per epoch (float32 vs double rounding)
    fused.epochs.forEach((e, k) => expect(Math.abs(e.loss - tfjs.epochs[k].loss)).toBeLessThan(1e-3));
    const losses = fused.epochs.map((e) => e.loss);
    expect(losses[3]).toBeLessThan(losses[0]);
    const two = await run('auto', 2);
    expect(two.engine).toBe('fused');
    expect(two.threads).toBe(2);
    // Hogwild: not the same bits, the same descent
    expect(Math.abs(two.epochs[3].loss - tfjs.epochs[3].loss)).toBeLessThan(0.05);
  });

  it('the fast scorer scores feature models (id rows + pooled fields) as model.predict does, on both sides', () => {
    const { data, items } = plantedData(4);
    const userIds = IdMap.fromIds(Array.from({ length: data.numUsers }, (_, u) => u), { kind: 'user' });
    const groups = featuresFrom(
      Array.from({ length: data.numUsers }, (_, u) => ({ id: u, group: u % 3 === 0 ? [] : [`g${u % 4}`, `h${u % 2}`] })),
      { fields: ['group'], ids: userIds },
    );
    for (const model of [
      GMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, itemFeatures: items, seed: 5 }),
      NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, layers: [8, 4], itemFeatures: items, userFeatures: groups, seed: 6 }),
    ]) {
      // trained-looking weights: the feature rows matter as much as the id rows
      randomizeWeights(model, 8);
      const scorer = createScorer(model);
      expect(scorer.method).toBe('fast');
      const all = scores(model, 6, data.numItems);
      const fast = scorer.scoreAllItems(Int32Array.from({ length: 6 }, (_, u) => u));
      let worst = 0;
      all.forEach((p, k) => (worst = Math.max(worst, Math.abs(p - fast[k]))));
      expect(worst).toBeLessThan(1e-5);
      scorer.dispose();
      model.dispose();
    }
  });

  it('save/load round trip: same architecture, same scores, same value maps (unknown values -> row 0)', async () => {
    const { data, items } = plantedData(5);
    const users = IdMap.fromIds(Array.from({ length: data.numUsers }, (_, u) => u), { kind: 'user' });
    const ages = featuresFrom(
      Array.from({ length: data.numUsers }, (_, u) => ({ id: u, age: 20 + (u % 5) * 10 })),
      { fields: [{ name: 'age', bucket: 10 }], ids: users },
    );
    const model = NeuMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 3, layers: [6, 3], itemFeatures: items, userFeatures: ages, seed: 9 });
    const url = `file://${join(root, 'neumf')}`;
    await saveModel(model, url);
    const manifest = await readManifest(url);
    expect(manifest.architecture).toEqual(inspectModel(model));
    expect(expectedWeightShapes(manifest.architecture!).get('mlp_user_feature0')).toEqual([
      [6, 3],
      [data.numUsers, 1],
    ]);
    const loaded = await loadLayersModel(url);
    expect(inspectModel(loaded)).toEqual(inspectModel(model));
    expect(Array.from(scores(loaded, 3, data.numItems))).toEqual(Array.from(scores(model, 3, data.numItems)));
    const maps = featureValueMaps(loaded, 'user')!;
    expect(Array.from(maps.encode('age', [33, 999, 'x', null]))).toEqual([ages.encode('age', 33)[0], 0, 0, 0]);
    expect(ages.encode('age', 33)[0]).toBeGreaterThan(0);
    expect(Array.from(featureValueMaps(loaded, 'item')!.encode('trait', ['t0', 'never-seen']))).toEqual([items.encode('trait', 't0')[0], 0]);
    expect(featureValueMaps(GMF({ numUsers: 2, numItems: 2 }), 'item')).toBeNull();
    model.dispose();
    loaded.dispose();
  });

  it('a Recommender serves a feature model and saves it; foldIn learns a known user of a feature model again', async () => {
    const { data, items } = plantedData(6);
    const model = GMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, itemFeatures: items, seed: 1 });
    await train(model, data, { epochs: 3, batchSize: 64, learningRate: 0.02, seed: 1 });
    const rec = Recommender.from({
      model,
      users: IdMap.fromIds(Array.from({ length: data.numUsers }, (_, u) => `u${u}`), { kind: 'user' }),
      items: IdMap.fromIds(Array.from({ length: data.numItems }, (_, i) => `i${i}`), { kind: 'item' }),
      seen: data,
    });
    const top = await rec.recommend('u0', { k: 3 });
    expect(top.length).toBe(3);
    const url = `file://${join(root, 'recommender')}`;
    await saveModel(rec, url);
    const again = await loadModel(url);
    expect(await again.recommend('u0', { k: 3 })).toEqual(top);
    again.dispose();
    const result = await rec.foldIn('u0', ['i1', 'i2']);
    expect(result.added).toBe(false);
    expect(Number.isFinite(result.loss)).toBe(true);
    const error = await thrown(() => rec.foldIn('stranger', ['i1'], { features: { trait: 't0' } }));
    expect((error as RecsysError).code).toBe('UNSUPPORTED_MODEL');
    expect((error as RecsysError).message).toMatch(/foldIn with features needs a model with user features/);
    rec.dispose();
  });

  it('foldIn of a new user with user features: learns their id rows with their fields pooled in, grows the user index, and their taste shows', async () => {
    // users 0-29 like trait t0 items, 30-59 trait t1 items; the user field says which ("fan: a|b")
    const items = IdMap.fromIds(Array.from({ length: 40 }, (_, i) => `i${i}`), { kind: 'item' });
    const traits = featuresFrom(Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, trait: i < 20 ? 't0' : 't1' })), { fields: ['trait'], ids: items });
    const users = IdMap.fromIds(Array.from({ length: 60 }, (_, u) => `u${u}`), { kind: 'user' });
    const fans = featuresFrom(Array.from({ length: 60 }, (_, u) => ({ id: `u${u}`, fan: u < 30 ? 'a' : 'b' })), { fields: ['fan'], ids: users, kind: 'user' });
    const us: number[] = [];
    const is: number[] = [];
    for (let u = 0; u < 60; u++) {
      for (let j = 0; j < 6; j++) {
        us.push(u);
        is.push((u < 30 ? 0 : 20) + ((u * 7 + j * 3) % 20));
      }
    }
    const data = { users: Int32Array.from(us), items: Int32Array.from(is), numUsers: 60, numItems: 40 };
    const model = NeuMF({ numUsers: 60, numItems: 40, factors: 4, layers: [8, 4], itemFeatures: traits, userFeatures: fans, seed: 4 });
    await train(model, data, { epochs: 12, batchSize: 32, learningRate: 0.02, seed: 3 });
    const rec = Recommender.from({ model, users, items, seen: data });

    // a new "b" fan who liked one t1 item: their recommendations are t1 items
    const result = await rec.foldIn('newcomer', ['i21'], { features: { fan: 'b' } });
    expect(result).toMatchObject({ added: true, user: 60, positives: 1 });
    const grown = rec.model!;
    expect(inspectModel(grown)?.numUsers).toBe(61);
    const index = grown.getLayer('mf_user_feature0').getWeights()[1].arraySync() as number[][];
    expect(index[60]).toEqual(index[45]); // the same value row as every other "b" fan
    const top = await rec.recommend('newcomer', { k: 5 });
    expect(top.filter((r) => Number(String(r.id).slice(1)) >= 20).length).toBeGreaterThanOrEqual(4);
    // the Recommender scores them with the grown model: the fast scorer and predict agree
    const row = scores(grown, 61, 40).subarray(60 * 40, 61 * 40);
    const scorer = createScorer(grown);
    expect(scorer.method).toBe('fast');
    const fast = scorer.scoreAllItems(Int32Array.of(60));
    row.forEach((p, i) => expect(Math.abs(p - fast[i])).toBeLessThan(1e-5));
    scorer.dispose();

    // the loss fold-in minimises is the grown model's: one step of a negligible learning rate on the
    // positive and one sampled negative j reports -(log p(i22) + log(1 - p(j))) / 2 under the grown
    // model (with the pooled "b" row in it), for the j it drew
    const probe = await rec.foldIn('probe', ['i22'], { features: { fan: 'b' }, steps: 1, learningRate: 1e-9, negatives: 1 });
    const p = scores(rec.model!, probe.user + 1, 40).subarray(probe.user * 40);
    const candidates = Array.from({ length: 40 }, (_, j) => j).filter((j) => j !== 22);
    const closest = Math.min(...candidates.map((j) => Math.abs(probe.loss + (Math.log(p[22]) + Math.log(1 - p[j])) / 2)));
    expect(closest).toBeLessThan(1e-5);

    // bad inputs: features for a known user, an unknown field, not an object
    expect(((await thrown(() => rec.foldIn('u1', ['i1'], { features: { fan: 'a' } }))) as RecsysError).code).toBe('INVALID_ARGUMENT');
    expect(((await thrown(() => rec.foldIn('other', ['i1'], { features: { country: 'fr' } }))) as RecsysError).message).toMatch(/no user feature field "country"/);
    expect(((await thrown(() => rec.foldIn('other', ['i1'], { features: 'fan' as never }))) as RecsysError).code).toBe('INVALID_ARGUMENT');
    // a new user without features: every field empty, the model still grows
    expect((await rec.foldIn('quiet', ['i3'])).added).toBe(true);
    rec.dispose();
  });

  it('similarItems on a feature model compares what the model feeds forward: id row + pooled feature rows', () => {
    const { data, items } = plantedData(5);
    const model = GMF({ numUsers: data.numUsers, numItems: data.numItems, factors: 4, itemFeatures: items, seed: 3 });
    const id = model.getLayer('mf_embedding_item').getWeights()[0].arraySync() as number[][];
    const [table, index] = model.getLayer('mf_item_feature0').getWeights().map((w) => w.arraySync() as number[][]);
    const vector = (i: number): number[] => {
      const rows = index[i].filter((r) => r >= 0);
      return id[i].map((x, d) => x + rows.reduce((sum, r) => sum + table[r][d], 0) / Math.max(1, rows.length));
    };
    const cosine = (a: number[], b: number[]): number => {
      const dot = a.reduce((s, x, d) => s + x * b[d], 0);
      return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
    };
    for (const item of [0, 7, 23]) {
      const found = similarItems(model, item, { k: 5 });
      expect(found).toHaveLength(5);
      for (const { item: other, score } of found) expect(score).toBeCloseTo(cosine(vector(item), vector(other)), 5);
    }
    model.dispose();
  });

  it('items with features but no interactions are scored from their features (planted genres)', async () => {
    // users 0-19 like genre g0, users 20-39 like g1; items 0-9 are g0, 10-19 g1, 20-29 g2; two new
    // items (no interactions) appended by the feature table: 'new-g0' (a g0 item) and 'new-gX' (a
    // genre no trained item has)
    const known = IdMap.fromIds(Array.from({ length: 30 }, (_, i) => `i${i}`), { kind: 'item' });
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: `i${i}`, genre: `g${Math.floor(i / 10)}` }));
    const table = featuresFrom([...rows, { id: 'new-g0', genre: 'g0' }, { id: 'new-gX', genre: 'gX' }], { fields: ['genre'], ids: known });
    expect(table.numEntities).toBe(32);
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < 40; u++) {
      const base = u < 20 ? 0 : 10;
      for (let j = 0; j < 6; j++) {
        users.push(u);
        items.push(base + ((u * 7 + j * 3) % 10));
      }
    }
    const data = { users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 40, numItems: 32 };
    const model = GMF({ numUsers: 40, numItems: 32, factors: 4, itemFeatures: table, seed: 3 });
    await train(model, data, { epochs: 15, batchSize: 32, learningRate: 0.02, seed: 2 });
    const all = scores(model, 40, 32);
    const [a, b] = [table.ids.index('new-g0')!, table.ids.index('new-gX')!];
    let wins = 0;
    for (let u = 0; u < 20; u++) if (all[u * 32 + a] > all[u * 32 + b]) wins++;
    expect(wins).toBe(20);
    // and for the g1 fans, the new g0 item is no better than the g1 items they have not seen
    const g1Fan = 25;
    const unseenG1 = Array.from({ length: 10 }, (_, j) => 10 + j).filter((i) => !items.some((it, k) => users[k] === g1Fan && it === i));
    const meanUnseenG1 = unseenG1.reduce((s, i) => s + all[g1Fan * 32 + i], 0) / unseenG1.length;
    expect(all[g1Fan * 32 + a]).toBeLessThan(meanUnseenG1);
    model.dispose();
  });
});

describe('side features: text survives model.json', () => {
  it('field names and values with capitals, underscores, spaces and non-ASCII round-trip through save/load and addItem', async () => {
    const ids = IdMap.fromIds(['a', 'b', 'c'], { kind: 'item' });
    const rows = [
      { id: 'a', Release_Year: 1999, genre: ['Sci-Fi', 'Film-Noir'] },
      { id: 'b', Release_Year: 2004, genre: ['Comedy', "Children's"] },
      { id: 'c', Release_Year: 2004, genre: ['Drama', 'Événement_spécial'] },
    ];
    const table = featuresFrom(rows, { fields: ['genre', 'Release_Year'], ids });
    const model = GMF({ numUsers: 2, numItems: 3, factors: 2, itemFeatures: table, seed: 1 });
    const url = `file://${join(root, 'text')}`;
    await saveModel(model, url);
    const loaded = await loadLayersModel(url);
    const maps = featureValueMaps(loaded, 'item')!;
    expect(maps.fields.map((f) => f.name)).toEqual(['genre', 'Release_Year']);
    expect(maps.field('genre').values.ids()).toEqual(table.field('genre').values.ids());
    expect(Array.from(maps.encode('genre', ['Comedy', 'Événement_spécial', 'comedy']))).toEqual([...table.encode('genre', ['Comedy', 'Événement_spécial']), 0]);
    expect(Array.from(maps.encode('Release_Year', 2004))).toEqual(Array.from(table.encode('Release_Year', 2004)));
    expect(inspectModel(loaded)).toEqual(inspectModel(model));
    // addItem rebuilds from the topology JSON: a second new item still finds its values
    const rec = Recommender.from({ model: loaded, users: IdMap.fromIds(['u', 'v'], { kind: 'user' }), items: ids, seen: { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 2, numItems: 3 } });
    await rec.addItem('d', { genre: 'Comedy' });
    await rec.addItem('e', { genre: 'Drama' });
    expect(Array.from(featureValueMaps(rec.model!, 'item')!.encode('genre', ['Comedy', 'Drama']))).toEqual(Array.from(table.encode('genre', ['Comedy', 'Drama'])));
    const index = rec.model!.getLayer('mf_item_feature0').getWeights()[1].arraySync() as number[][];
    expect(index[4][0]).toBe(table.encode('genre', 'Drama')[0]);
    rec.dispose();
    model.dispose();
  });
});

describe('Recommender.fit with side features (rows keyed by id)', () => {
  it('builds a feature model, trains it on the fused engine, and adds catalogue items without interactions, scored from their features', async () => {
    // users u0-u29 like genre "drama" items, u30-u59 "comedy" items; two catalogue items have no
    // interaction yet: a drama and a comedy
    const events: { user: string; item: string }[] = [];
    for (let u = 0; u < 60; u++) for (let j = 0; j < 6; j++) events.push({ user: `u${u}`, item: `${u < 30 ? 'd' : 'c'}${(u * 7 + j * 3) % 20}` });
    const itemRows = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `d${i}`, genre: 'Drama', decade: 1990 + (i % 3) * 10 })),
      ...Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, genre: ['Comedy'], decade: 2000 })),
      { id: 'new-drama', genre: 'Drama', decade: 2020 },
      { id: 'new-comedy', genre: 'Comedy', decade: 2020 },
    ];
    const userRows = Array.from({ length: 60 }, (_, u) => ({ id: `u${u}`, country: u % 2 === 0 ? 'fr' : 'de' }));
    const rec = await Recommender.fit(events, {
      model: 'gmf',
      factors: 4,
      itemFeatures: itemRows,
      itemFields: ['genre', { name: 'decade', bucket: 10 }],
      userFeatures: [...userRows, { id: 'never-active', country: 'it' }],
      epochs: 12,
      batchSize: 32,
      learningRate: 0.02,
      seed: 2,
    });
    expect(rec.history?.engine).toBe('fused');
    expect(rec.architecture?.features?.item?.map((f) => f.name)).toEqual(['genre', 'decade']);
    expect(rec.architecture?.features?.user?.map((f) => f.name)).toEqual(['country']);
    expect(rec.items.size).toBe(42);
    expect(rec.users.size).toBe(60); // a user row without interactions is not a user of the model
    let dramaWins = 0;
    for (let u = 0; u < 30; u++) {
      const [top] = await rec.recommend(`u${u}`, { k: 1, candidates: ['new-drama', 'new-comedy'] });
      if (top.id === 'new-drama') dramaWins++;
    }
    expect(dramaWins).toBe(30);
    // bad inputs name the option
    await expect(Recommender.fit(events, { itemFeatures: 7 as never })).rejects.toThrow(/itemFeatures must be an iterable of rows keyed by id/);
    await expect(Recommender.fit(events, { itemFields: ['genre'] })).rejects.toThrow(/itemFields needs itemFeatures/);
    rec.dispose();
  });
});
