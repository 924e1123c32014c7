import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../test/helpers/backends.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import { IdMap, interactionsFrom } from '../data/index.js';
import { GMF, NeuMF } from '../models/index.js';
import { mulberry32 } from '../_lib/random.js';
import { Recommender } from './recommender.js';

// Planted taste: even users like the items a0..a14, odd users the items b0..b14; each user has
// seen about 30% of their group's items and nothing of the other group.
const NUM_ITEMS = 30;
function plantedRows(numUsers = 100, seed = 1): { user: string; item: string }[] {
  const random = mulberry32(seed);
  const rows: { user: string; item: string }[] = [];
  for (let u = 0; u < numUsers; u++) {
    const group = u % 2 === 0 ? 'a' : 'b';
    for (let i = 0; i < NUM_ITEMS / 2; i++) if (random() < 0.3 || i === u % (NUM_ITEMS / 2)) rows.push({ user: `u${u}`, item: `${group}${i}` });
  }
  return rows;
}

const groupOf = (id: string | number) => String(id)[0];

async function expectCode(work: () => unknown, code: RecsysErrorCode, mentions?: string): Promise<void> {
  let caught: unknown;
  try {
    await work();
  } catch (e) {
    caught = e;
  }
  expect(isRecsysError(caught, code), `expected RecsysError ${code}, got ${String(caught)}`).toBe(true);
  if (mentions !== undefined) expect((caught as Error).message).toContain(mentions);
}

const FIT = { epochs: 10, batchSize: 64, factors: 8, layers: [16, 8], learningRate: 0.01, seed: 7 } as const;

describe('Recommender', () => {
  const rows = plantedRows();
  let rec: Recommender<string, string>;

  beforeAll(async () => {
    await useBackend('cpu');
    rec = await Recommender.fit<string, string>(rows, FIT);
  });
  afterAll(() => rec?.dispose());

  it("recommends unseen items of the user's own planted group", () => {
    let wrongGroup = 0;
    for (let u = 0; u < 100; u++) {
      const user = `u${u}`;
      const top = rec.recommend(user, { k: 3 });
      const seen = new Set(rec.seenBy(user));
      expect(top).toHaveLength(3);
      for (const r of top) {
        expect(r.source).toBe('model');
        expect(seen.has(r.id)).toBe(false);
        if (groupOf(r.id) !== (u % 2 === 0 ? 'a' : 'b')) wrongGroup++;
      }
      const scores = top.map((r) => r.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
    // popularity would put about half of them in the wrong group
    expect(wrongGroup).toBeLessThanOrEqual(6);
  });

  it('keeps seen items only with excludeSeen: false', () => {
    const seen = new Set(rec.seenBy('u0'));
    const all = rec.recommend('u0', { k: NUM_ITEMS, excludeSeen: false });
    expect(all).toHaveLength(NUM_ITEMS);
    expect(all.filter((r) => seen.has(r.id))).toHaveLength(seen.size);
    const unseen = rec.recommend('u0', { k: NUM_ITEMS });
    expect(unseen).toHaveLength(NUM_ITEMS - seen.size);
    expect(unseen.some((r) => seen.has(r.id))).toBe(false);
  });

  it('gives an unknown user the most popular items, marked as popularity', () => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
    const expected = [...counts.entries()].sort((a, b) => b[1] - a[1] || rec.items.index(a[0])! - rec.items.index(b[0])!).slice(0, 4);
    const top = rec.recommend('a-new-visitor', { k: 4 });
    expect(top.map((r) => r.id)).toEqual(expected.map(([id]) => id));
    expect(top.map((r) => r.score)).toEqual(expected.map(([, c]) => c / rows.length));
    expect(top.every((r) => r.source === 'popularity')).toBe(true);
  });

  it("throws UNKNOWN_USER naming the id with unknownUser: 'error'", async () => {
    await expectCode(() => rec.recommend('ghost', { unknownUser: 'error' }), 'UNKNOWN_USER', '"ghost"');
    const strict = Recommender.from({ model: NeuMF({ numUsers: 1, numItems: 2, factors: 2, layers: [4, 2] }), users: IdMap.fromIds(['x']), items: IdMap.fromIds(['p', 'q']), unknownUser: 'error' });
    await expectCode(() => strict.recommend('y', { k: 1 }), 'UNKNOWN_USER', '"y"');
    expect(strict.recommend('y', { unknownUser: 'popular', k: 1 })[0].source).toBe('popularity');
    strict.dispose();
  });

  it('recommendAll streams, for every user asked for (unknown ones too), what recommend gives each', async () => {
    const asked = ['u3', 'ghost', 'u0', 'u3', 'u99', 'also-new'];
    const progress: number[] = [];
    const got: { user: string; ids: string[]; sources: string[] }[] = [];
    let batches = 0;
    for await (const batch of rec.recommendAll({ k: 3, users: asked, batchUsers: 2, onProgress: (done) => progress.push(done) })) {
      batches++;
      for (const { user, items } of batch) got.push({ user, ids: items.map((r) => r.id), sources: items.map((r) => r.source) });
    }
    expect(got.map((g) => g.user)).toEqual(asked);
    for (const g of got) {
      const one = rec.recommend(g.user, { k: 3 });
      expect(g.ids).toEqual(one.map((r) => r.id));
      expect(g.sources).toEqual(one.map((r) => r.source));
    }
    expect(progress[progress.length - 1]).toBe(asked.length);
    expect(batches).toBeGreaterThanOrEqual(2);
    // every known user by default, in index order; excludeSeen: false keeps seen items
    let count = 0;
    for await (const batch of rec.recommendAll({ k: 2, excludeSeen: false })) {
      for (const { user, items } of batch) {
        expect(user).toBe(rec.users.id(count++));
        expect(items.map((r) => r.id)).toEqual(rec.recommend(user, { k: 2, excludeSeen: false }).map((r) => r.id));
      }
    }
    expect(count).toBe(rec.users.size);
  });

  it("recommendAll checks ids before the first batch: UNKNOWN_USER with unknownUser 'error', INVALID_K", async () => {
    await expectCode(() => rec.recommendAll({ users: ['u1', 'ghost'], unknownUser: 'error' }), 'UNKNOWN_USER', '"ghost"');
    await expectCode(() => rec.recommendAll({ k: NUM_ITEMS + 1 }), 'INVALID_K');
    await expectCode(() => rec.recommendAll({ users: 'u1' as unknown as string[] }), 'INVALID_ARGUMENT', 'iterable');
  });

  it('warm() builds the caches up front and changes no result', () => {
    const before = rec.recommend('u5', { k: 4 });
    const near = rec.similar('a3', { k: 3 });
    expect(rec.warm()).toBe(rec);
    expect(rec.recommend('u5', { k: 4 })).toEqual(before);
    expect(rec.similar('a3', { k: 3 })).toEqual(near);
    const model = NeuMF({ numUsers: 1, numItems: 2, factors: 2, layers: [4, 2] });
    const gone = Recommender.from({ model, users: IdMap.fromIds(['x']), items: IdMap.fromIds(['p', 'q']) });
    gone.dispose();
    expect(() => gone.warm()).toThrow(/disposed/);
  });

  it('recommend ranks only the candidates and the items a filter keeps, for known and unknown users', async () => {
    const stock = ['a1', 'a2', 'b1', 'a2', 'b7'];
    const top = rec.recommend('u0', { k: 10, candidates: stock, excludeSeen: false });
    expect(top.map((r) => r.id).sort()).toEqual(['a1', 'a2', 'b1', 'b7']);
    const all = rec.recommend('u0', { k: NUM_ITEMS, excludeSeen: false });
    expect(top.map((r) => r.id)).toEqual(all.filter((r) => stock.includes(r.id)).map((r) => r.id));
    const onlyB = rec.recommend('u0', { k: 3, filter: (id) => id.startsWith('b') });
    expect(onlyB).toHaveLength(3);
    expect(onlyB.every((r) => r.id.startsWith('b'))).toBe(true);
    expect(rec.recommend('u0', { k: 2, candidates: ['a1', 'b1', 'b2'], filter: (id) => id !== 'b1', excludeSeen: false }).map((r) => r.id).sort()).toEqual(['a1', 'b2']);
    expect(rec.recommend('u0', { k: 2, filter: () => false })).toEqual([]);
    const popular = rec.recommend('a-new-visitor', { k: 2, filter: (id) => id.startsWith('b') });
    expect(popular.map((r) => r.source)).toEqual(['popularity', 'popularity']);
    expect(popular.every((r) => r.id.startsWith('b'))).toBe(true);
    await expectCode(() => rec.recommend('u0', { candidates: ['a1', 'zz'] }), 'UNKNOWN_ITEM', '"zz"');
    await expectCode(() => rec.recommend('u0', { candidates: 'a1' as unknown as string[] }), 'INVALID_ARGUMENT', 'iterable');
    await expectCode(() => rec.recommend('u0', { filter: 'b' as unknown as () => boolean }), 'INVALID_ARGUMENT', 'filter');
  });

  it('refuses an id of the wrong type (7 where the ids are strings, or the reverse) instead of falling back to popularity', async () => {
    const model = NeuMF({ numUsers: 2, numItems: 2, factors: 2, layers: [4, 2] });
    const byString = Recommender.from({ model, users: IdMap.fromIds(['7', 'x']), items: IdMap.fromIds([1, 2]) });
    await expectCode(() => byString.recommend(7 as unknown as string, { k: 1 }), 'ID_TYPE_MISMATCH', `pass "7"`);
    expect(byString.recommend('8' as string, { k: 1 })[0].source).toBe('popularity'); // unknown in either type: the fallback
    await expectCode(() => byString.similar('1' as unknown as number, { k: 1 }), 'ID_TYPE_MISMATCH', 'pass 1');
    await expectCode(() => byString.recommend('7', { k: 1, candidates: ['2' as unknown as number] }), 'ID_TYPE_MISMATCH', 'pass 2');
    await expectCode(() => byString.foldIn(7 as unknown as string, [1]), 'ID_TYPE_MISMATCH');
    byString.dispose();
  });

  it('finds similar items within the planted group, by external id', () => {
    const near = rec.similar('a3', { k: 4 });
    expect(near).toHaveLength(4);
    expect(near.map((r) => r.id)).not.toContain('a3');
    expect(near.filter((r) => groupOf(r.id) === 'a').length).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad arguments with stable codes', async () => {
    await expectCode(() => rec.recommend('u0', { k: 0 }), 'INVALID_K', '0');
    await expectCode(() => rec.recommend('u0', { k: NUM_ITEMS + 1 }), 'INVALID_K', `${NUM_ITEMS + 1}`);
    await expectCode(() => rec.recommend('ghost', { k: 1.5 }), 'INVALID_K', '1.5');
    await expectCode(() => rec.recommend(NaN as unknown as string), 'INVALID_ID', 'NaN');
    await expectCode(() => rec.recommend('u0', { excludeSeen: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT', '"yes"');
    await expectCode(() => rec.recommend('u0', { unknownUser: 'guess' as 'error' }), 'INVALID_ARGUMENT', '"guess"');
    await expectCode(() => rec.similar('zz'), 'UNKNOWN_ITEM', '"zz"');
    await expectCode(() => Recommender.fit([], FIT), 'EMPTY_INPUT');
    await expectCode(() => Recommender.fit(rows, { ...FIT, model: 'svd' as 'gmf' }), 'INVALID_ARGUMENT', '"svd"');
    const model = GMF({ numUsers: 3, numItems: 4, factors: 2 });
    await expectCode(() => Recommender.from({ model, users: IdMap.fromIds(['a', 'b']), items: IdMap.fromIds([1, 2, 3, 4]) }), 'SHAPE_MISMATCH', '2 users');
    await expectCode(
      () => Recommender.from({ model, users: IdMap.fromIds(['a', 'b', 'c']), items: IdMap.fromIds([1, 2, 3, 4]), popularity: [1, 2, NaN, 0] }),
      'NOT_FINITE',
      'popularity[2]',
    );
    await expectCode(
      () => Recommender.from({ model, users: IdMap.fromIds(['a', 'b', 'c']), items: IdMap.fromIds([1, 2, 3, 4]), seen: { offsets: Int32Array.of(0, 1, 1, 1), items: Int32Array.of(9) } }),
      'ITEM_OUT_OF_RANGE',
      '9',
    );
    model.dispose();
  });

  it('accepts seen items as Interactions or CSR, to the same effect', () => {
    const { data, users, items } = interactionsFrom(rows, { user: 'user', item: 'item' });
    const build = (seen: 'interactions' | 'csr') =>
      Recommender.from({
        model: GMF({ numUsers: users.size, numItems: items.size, factors: 2, seed: 1 }),
        users,
        items,
        seen: seen === 'interactions' ? data : rec.seen,
      });
    const a = build('interactions');
    const b = build('csr');
    expect(Array.from(a.seen.offsets)).toEqual(Array.from(b.seen.offsets));
    expect(Array.from(a.seen.items)).toEqual(Array.from(b.seen.items));
    expect(Array.from(a.popularity)).toEqual(Array.from(rec.popularity));
    a.dispose();
    b.dispose();
  });

  it('leaks no tensors while recommending', () => {
    rec.recommend('u0');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      rec.recommend(`u${i}`, { k: 5 });
      rec.recommend('nobody');
      rec.similar('b1', { k: 2 });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Recommender.foldIn', () => {
  let rec: Recommender<string, string>;

  beforeAll(async () => {
    await useBackend('cpu');
    rec = await Recommender.fit<string, string>(plantedRows(), FIT);
  });
  afterAll(() => rec?.dispose());

  const itemSideLayers = ['mf_embedding_item', 'mlp_embedding_item', 'mlp_layer1', 'prediction'];
  const snapshot = (model: tf.LayersModel, names: string[]) =>
    names.map((name) => model.getLayer(name).getWeights().map((w) => Array.from(w.dataSync())));

  it('gives a new user who likes one planted group recommendations from that group', async () => {
    const tensors = tf.memory().numTensors;
    const itemSide = snapshot(rec.model, itemSideLayers);
    const oldModel = rec.model;
    const userRowsBefore = tf.tidy(() => rec.model.getLayer('mf_embedding_user').getWeights()[0].arraySync() as number[][]);
    const usersBefore = rec.users.size;

    const result = await rec.foldIn('newcomer', ['b0', 'b2', 'b4']);

    expect(result).toMatchObject({ user: usersBefore, added: true, positives: 3, steps: 50 });
    expect(Number.isFinite(result.loss)).toBe(true);
    expect(rec.users.size).toBe(usersBefore + 1);
    expect(rec.users.id(result.user)).toBe('newcomer');
    expect(rec.model).not.toBe(oldModel);
    expect(rec.architecture?.numUsers).toBe(usersBefore + 1);
    expect(rec.seenBy('newcomer').sort()).toEqual(['b0', 'b2', 'b4']);

    const top = rec.recommend('newcomer', { k: 5 });
    expect(top.every((r) => r.source === 'model')).toBe(true);
    expect(top.map((r) => r.id).filter((id) => groupOf(id) === 'b').length).toBeGreaterThanOrEqual(4);
    expect(top.map((r) => r.id)).not.toContain('b0');

    // the item side and every other user are exactly as before
    expect(snapshot(rec.model, itemSideLayers)).toEqual(itemSide);
    const userRowsAfter = tf.tidy(() => rec.model.getLayer('mf_embedding_user').getWeights()[0].arraySync() as number[][]);
    expect(userRowsAfter.slice(0, usersBefore)).toEqual(userRowsBefore);
    // the grown model replaced the old one, which was released
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('re-learns a known user from their old and new items, changing only their rows', async () => {
    const tensors = tf.memory().numTensors;
    const model = rec.model;
    const itemSide = snapshot(model, itemSideLayers);
    const user = rec.users.index('u1')!;
    const table = () => tf.tidy(() => model.getLayer('mlp_embedding_user').getWeights()[0].arraySync() as number[][]);
    const before = table();
    const seenBefore = rec.seenBy('u1');

    const result = await rec.foldIn('u1', ['a1', 'a5']);

    expect(result).toMatchObject({ user, added: false, positives: new Set([...seenBefore, 'a1', 'a5']).size });
    expect(rec.model).toBe(model);
    const after = table();
    expect(after[user]).not.toEqual(before[user]);
    after.splice(user, 1);
    before.splice(user, 1);
    expect(after).toEqual(before);
    expect(snapshot(model, itemSideLayers)).toEqual(itemSide);
    expect(rec.seenBy('u1').sort()).toEqual([...new Set([...seenBefore, 'a1', 'a5'])].sort());
    expect(rec.recommend('u1', { k: NUM_ITEMS }).map((r) => r.id)).not.toContain('a5');
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('is deterministic for a seed', async () => {
    const a = await rec.foldIn('twin-1', ['a0', 'a2'], { seed: 3, steps: 10 });
    const b = await rec.foldIn('twin-2', ['a0', 'a2'], { seed: 3, steps: 10 });
    expect(a.loss).toBe(b.loss);
    expect(rec.recommend('twin-1', { k: 3 })).toEqual(rec.recommend('twin-2', { k: 3 }));
  });

  it('rejects bad input with stable codes', async () => {
    await expectCode(() => rec.foldIn('x', ['nope']), 'UNKNOWN_ITEM', '"nope"');
    await expectCode(() => rec.foldIn('x', []), 'EMPTY_INPUT', '"x"');
    await expectCode(() => rec.foldIn('', ['a1']), 'INVALID_ID');
    await expectCode(() => rec.foldIn('x', 'a1' as unknown as string[]), 'INVALID_ARGUMENT');
    await expectCode(() => rec.foldIn('x', ['a1'], { steps: 0 }), 'INVALID_ARGUMENT', 'steps');
    await expectCode(() => rec.foldIn('x', ['a1'], { learningRate: NaN }), 'NOT_FINITE', 'NaN');
    await expectCode(() => rec.foldIn('x', ['a1'], { negatives: -1 }), 'INVALID_ARGUMENT', '-1');
    const everything = rec.items.ids();
    await expectCode(() => rec.foldIn('greedy', everything, { steps: 1 }), 'NO_NEGATIVES', `${everything.length}`);
    expect(rec.users.has('x')).toBe(false);
    expect(rec.users.has('greedy')).toBe(false);
  });

  it('cannot be used after dispose', async () => {
    const small = Recommender.from({ model: GMF({ numUsers: 2, numItems: 3, factors: 2 }), users: IdMap.fromIds(['a', 'b']), items: IdMap.fromIds(['x', 'y', 'z']) });
    const tensors = tf.memory().numTensors;
    small.dispose();
    expect(tf.memory().numTensors).toBe(tensors - 4);
    await expectCode(() => small.recommend('a'), 'INVALID_ARGUMENT', 'disposed');
    await expectCode(() => small.foldIn('a', ['x']), 'INVALID_ARGUMENT', 'disposed');
  });
});
