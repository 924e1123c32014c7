import { describe, it, expect } from 'vitest';
import { tune } from './tune.js';
import type { Scorer } from '../scoring/scorer.js';

/** A scorer that ranks item `good` first for every user, with `quality` deciding how often it is right. */
function tableScorer(numUsers: number, numItems: number, score: (u: number, i: number) => number, onDispose: () => void = () => {}): Scorer {
  return {
    numUsers,
    numItems,
    scoreItems: (u, items, out = new Float32Array(items.length)) => {
      items.forEach((i, t) => (out[t] = score(u, i)));
      return out;
    },
    scoreAllItems: (users, out = new Float32Array(users.length * numItems)) => {
      users.forEach((u, r) => {
        for (let i = 0; i < numItems; i++) out[r * numItems + i] = score(u, i);
      });
      return out;
    },
    dispose: onDispose,
  };
}

// 4 users; user u's validation item is u; negatives are items 4..7
const validation = { users: Int32Array.of(0, 1, 2, 3), items: Int32Array.of(0, 1, 2, 3), negatives: Array.from({ length: 4 }, () => Int32Array.of(4, 5, 6, 7)) };
// a candidate with `hits` = h gets users 0..h-1 right (their item scores 1, negatives 0.5); others wrong (0)
const fitOf = ({ hits }: { hits: number; other: number }) => tableScorer(4, 8, (u, i) => (i >= 4 ? 0.5 : i === u && u < hits ? 1 : 0));

describe('tune', () => {
  it('tries the whole grid, sorts trials by the validation metric (ties: earlier first), reports progress', async () => {
    const progress: [number, number][] = [];
    const seen: { hits: number; other: number }[] = [];
    const result = await tune({
      space: { hits: [1, 3, 2], other: [7, 8] },
      fit: (p) => {
        seen.push(p);
        return fitOf(p);
      },
      validation,
      k: 1,
      onTrial: (_t, done, total) => progress.push([done, total]),
    });
    expect(seen).toHaveLength(6);
    expect(progress.map((p) => p[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.trials.map((t) => t.value)).toEqual([0.75, 0.75, 0.5, 0.5, 0.25, 0.25]);
    expect(result.best.params).toEqual({ hits: 3, other: 7 });
    expect(result.metric).toBe('hr');
  });

  it('random search draws distinct combinations, reproducibly by seed; seeds are averaged', async () => {
    const space = { hits: [0, 1, 2, 3, 4], other: [1, 2, 3] };
    const a = await tune({ space, fit: fitOf, validation, search: 'random', trials: 4, seed: 5, k: 1 });
    const b = await tune({ space, fit: fitOf, validation, search: 'random', trials: 4, seed: 5, k: 1 });
    expect(a.trials.map((t) => t.params)).toEqual(b.trials.map((t) => t.params));
    expect(new Set(a.trials.map((t) => JSON.stringify(t.params))).size).toBe(4);
    const seeded = await tune({ space: { hits: [2] }, fit: (_p, { seed }) => fitOf({ hits: seed, other: 0 }), validation, seeds: [1, 3], k: 1 });
    expect(seeded.best.value).toBe(0.5); // mean of 0.25 and 0.75
    expect(seeded.best.runs.map((r) => r.seed)).toEqual([1, 3]);
    expect(seeded.best.spread).toBeCloseTo(Math.sqrt(0.125), 9);
  });

  it('disposes every fitted candidate and accepts async fits', async () => {
    let disposed = 0;
    await tune({ space: { hits: [1, 2] }, fit: async ({ hits }) => tableScorer(4, 8, (u, i) => (i === u && u < hits ? 1 : 0), () => disposed++), validation, k: 1 });
    expect(disposed).toBe(2);
  });

  it('rejects bad options naming them', async () => {
    await expect(tune({ space: { hits: [] }, fit: fitOf as never, validation })).rejects.toThrow(/space.hits must be a non-empty array/);
    await expect(tune({ space: { hits: [1] }, fit: fitOf as never, validation, metric: 'auc' as never })).rejects.toThrow(/metric must be one of/);
    await expect(tune({ space: { hits: [1] }, fit: fitOf as never, validation, search: 'random', trials: 2 })).rejects.toThrow(/trials = 2 but the space has only 1/);
    await expect(tune({ space: { hits: [1] }, fit: fitOf as never, validation, protocol: 'full' })).rejects.toThrow(/needs exclude/);
    await expect(tune({ space: { hits: [1] }, fit: fitOf as never, validation, protocol: 'full', exclude: 'none' })).rejects.toThrow(/'none' applies only to protocol 'sampled'/);
    await expect(tune({ space: { hits: [1] }, fit: fitOf as never, validation, trials: 1 })).rejects.toThrow(/trials applies only/);
  });
});
