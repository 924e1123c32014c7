// A Recommender around a fitted baseline: the same facade (ids, seen items, popularity fallback,
// recommendAll, saving) with a Scorer instead of a tfjs model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useBackend } from './helpers/backends.js';
import { IdMap, interactionsFrom, recommend, Recommender, loadModel, saveModel, isRecsysError } from '../src/index.js';
import { fitALS, fitEASE, fitItemKNN, fitPopularity } from '../src/baselines/index.js';
import { mulberry32 } from '../src/_lib/random.js';

function rows(): { user: string; item: string }[] {
  const random = mulberry32(3);
  const out: { user: string; item: string }[] = [];
  for (let u = 0; u < 60; u++) {
    const group = u % 2 === 0 ? 'a' : 'b';
    for (let i = 0; i < 12; i++) if (random() < 0.4 || i === u % 12) out.push({ user: `u${u}`, item: `${group}${i}` });
  }
  return out;
}

function expectCode(work: () => unknown, code: string, mentions: string): void {
  let caught: unknown;
  try {
    work();
  } catch (e) {
    caught = e;
  }
  expect(isRecsysError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  expect((caught as Error).message).toContain(mentions);
}

describe('Recommender around a baseline', () => {
  const { data, users, items } = interactionsFrom(rows(), { user: 'user', item: 'item' });
  let dir: string;
  beforeAll(async () => {
    await useBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'rec-baseline-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('recommends by id what the baseline ranks by index, seen items left out, unknown users popular', async () => {
    const ease = fitEASE(data, { lambda: 10 });
    const rec = Recommender.from({ model: ease, users, items, seen: data });
    expect(rec.scorer).toBe(ease);
    for (const id of ['u0', 'u7', 'u31']) {
      const u = users.indexOf(id);
      const byIndex = recommend(ease, u, { k: 4, exclude: data }).map((r) => items.id(r.item));
      expect(rec.recommend(id, { k: 4 }).map((r) => r.id)).toEqual(byIndex);
    }
    expect(rec.recommend('new-visitor', { k: 2 }).every((r) => r.source === 'popularity')).toBe(true);
    let n = 0;
    for await (const batch of rec.recommendAll({ k: 3, batchUsers: 16 })) {
      for (const { user, items: top } of batch) expect(top.map((r) => r.id)).toEqual(rec.recommend(user, { k: 3 }).map((r) => r.id));
      n += batch.length;
    }
    expect(n).toBe(users.size);
    expectCode(() => rec.model, 'UNSUPPORTED_MODEL', 'rec.scorer');
    expectCode(() => rec.similar('a1'), 'UNSUPPORTED_MODEL', 'a fitted ease baseline');
    await expect(rec.foldIn('u0', ['a1'])).rejects.toThrow(/refit it on the new data/);
    rec.dispose();
    expect(() => ease.scoreAllItems(Int32Array.of(0))).toThrow(/disposed/);
  });

  it('finds similar items by cosine of the item factors of ALS', () => {
    const als = fitALS(data, { factors: 8, iterations: 5, seed: 1 });
    const rec = Recommender.from({ model: als, users, items, seen: data }).warm();
    const near = rec.similar('a3', { k: 4 });
    expect(near).toHaveLength(4);
    expect(near.map((r) => r.id)).not.toContain('a3');
    // by hand: cosine of the factor rows
    const f = als.itemFactors.length / items.size;
    const row = (i: number) => Array.from(als.itemFactors.subarray(i * f, (i + 1) * f));
    const cos = (a: number[], b: number[]) => a.reduce((s, x, t) => s + x * b[t], 0) / Math.hypot(...a) / Math.hypot(...b);
    const q = row(items.indexOf('a3'));
    for (const r of near) expect(r.score).toBeCloseTo(cos(q, row(items.indexOf(r.id))), 5);
    const scores = near.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    rec.dispose();
  });

  it('saves and loads (file://) with identical recommendations, for every baseline kind', async () => {
    const fitted = [fitPopularity(data), fitItemKNN(data, { neighbours: 5 }), fitEASE(data, { lambda: 10 }), fitALS(data, { factors: 4, iterations: 3, seed: 2 })];
    for (const baseline of fitted) {
      const rec = Recommender.from({ model: baseline, users, items, seen: data, unknownUser: 'error' });
      const url = pathToFileURL(join(dir, baseline.kind)).href;
      await saveModel(rec, url);
      const back = await loadModel<string, string>(url);
      expect(back.unknownUser).toBe('error');
      expect((back.scorer as { kind?: string }).kind).toBe(baseline.kind);
      for (const id of ['u0', 'u1', 'u59']) expect(back.recommend(id, { k: 5 })).toEqual(rec.recommend(id, { k: 5 }));
      expect(back.seenBy('u3')).toEqual(rec.seenBy('u3'));
      back.dispose();
      rec.dispose();
    }
  });

  it('loadModel of a bare baseline bundle (saveBaseline, no id maps) points to loadBaseline', async () => {
    const { saveBaseline } = await import('../src/index.js');
    const url = pathToFileURL(join(dir, 'bare')).href;
    await saveBaseline(fitPopularity(data), url);
    await expect(loadModel(url)).rejects.toThrow(/bare popularity baseline .*load it with loadBaseline/);
  });

  it('refuses a scorer whose sizes differ from the id maps', () => {
    const pop = fitPopularity(data);
    expectCode(() => Recommender.from({ model: pop, users: IdMap.fromIds(['x']), items }), 'SHAPE_MISMATCH', '1 users');
  });
});
