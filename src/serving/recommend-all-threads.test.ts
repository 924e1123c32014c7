import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../test/helpers/backends.js';
import { randomNcf } from '../../test/helpers/random-ncf.js';
import { tableScorer } from '../../test/helpers/table-scorer.js';
import { isRecsysError } from '../errors.js';
import { IdMap } from '../data/index.js';
import type { Interactions } from '../data/interactions.js';
import { createScorer, liveScoreWorkers, type ModelScorer } from '../scoring/index.js';
import { recommendAll, type RecommendAllBatch, type RecommendAllOptions } from './recommend-all.js';
import { Recommender } from './recommender.js';
import { setRankWhileWorkersStart } from './recommend-all-threads.js';

beforeAll(async () => {
  await useBackend('cpu');
  // these tiny calls would finish on the calling thread before the workers start: wait for them
  setRankWhileWorkersStart(false);
});
afterAll(() => setRankWhileWorkersStart(true));

const NUM_USERS = 60;
const NUM_ITEMS = 45;

async function collect<T>(batches: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** Every user's seen items: a few per user, some users with none, one with all but two. */
function seenData(): Interactions {
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < NUM_USERS; u++) {
    const count = u === 5 ? NUM_ITEMS - 2 : (u * 7) % 6;
    for (let j = 0; j < count; j++) {
      users.push(u);
      items.push(u === 5 ? j : (u * 13 + j * 11) % NUM_ITEMS);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), numUsers: NUM_USERS, numItems: NUM_ITEMS };
}

async function noWorkersLeft(): Promise<void> {
  await vi.waitFor(() => expect(liveScoreWorkers()).toBe(0), { timeout: 5000 });
}

const scorers: Record<string, ModelScorer> = {};
afterAll(() => Object.values(scorers).forEach((s) => s.dispose()));

function scorerOf(kind: string): ModelScorer {
  scorers[kind] ??= createScorer(randomNcf({ kind, numUsers: NUM_USERS, numItems: NUM_ITEMS, factors: 6, layers: [16, 8, 4], seed: 11 }));
  return scorers[kind];
}

describe('recommendAll on worker threads', () => {
  const exclude = seenData();
  const cases: [string, Omit<RecommendAllOptions, 'threads'>][] = [
    ['every user, seen excluded', { k: 7, exclude, batchUsers: 7 }],
    ['a user list with repeats, candidates and exclusion', { k: 4, exclude, batchUsers: 3, users: Int32Array.of(5, 9, 9, 0, 59, 33, 5, 12, 40, 41, 1), candidates: Int32Array.of(44, 0, 3, 3, 17, 29, 1, 2, 30) }],
  ];
  for (const kind of ['gmf', 'mlp', 'neumf']) {
    for (const [name, options] of cases) {
      it(`${kind}, ${name}: the same batches, items and scores as one thread`, async () => {
        const scorer = scorerOf(kind);
        const one = await collect(recommendAll(scorer, { ...options, threads: 1 }));
        const stream = recommendAll(scorer, { ...options, threads: 2 });
        const two = await collect(stream);
        expect(stream.threads).toBe(2);
        expect(stream.fallbackReason).toBeUndefined();
        expect(two.length).toBe(one.length);
        two.forEach((b, n) => {
          expect(b.users).toEqual(one[n].users);
          expect(b.counts).toEqual(one[n].counts);
          expect(b.items).toEqual(one[n].items);
          expect(b.scores).toEqual(one[n].scores);
        });
        expect(one.some((b) => b.counts.some((c) => c < b.k))).toBe(true); // user 5 has few unseen items: a short row
        await noWorkersLeft();
      });
    }
  }

  it('reports progress in order, and an abort stops the workers at once', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const stream = recommendAll(scorerOf('neumf'), {
      k: 3,
      batchUsers: 2,
      threads: 2,
      signal: controller.signal,
      onProgress: (done, total) => {
        progress.push(done);
        expect(total).toBe(NUM_USERS);
        if (done === 6) controller.abort();
      },
    });
    const batches: RecommendAllBatch[] = await collect(stream);
    expect(progress).toEqual([2, 4, 6]);
    expect(batches.map((b) => Array.from(b.users))).toEqual([[0, 1], [2, 3], [4, 5]]);
    await noWorkersLeft();
    expect(await collect(recommendAll(scorerOf('neumf'), { k: 3, threads: 2, batchUsers: 2, signal: AbortSignal.abort() }))).toEqual([]);
    await noWorkersLeft();
  });

  it('stops the workers when the loop breaks early or the consumer throws', async () => {
    for await (const batch of recommendAll(scorerOf('mlp'), { k: 3, batchUsers: 4, threads: 2 })) {
      expect(batch.users[0]).toBe(0);
      break;
    }
    await noWorkersLeft();
    const failing = recommendAll(scorerOf('mlp'), {
      k: 3,
      batchUsers: 4,
      threads: 2,
      onProgress: (done) => {
        if (done === 8) throw new Error('the feed store is down');
      },
    });
    await expect(collect(failing)).rejects.toThrow('the feed store is down');
    await noWorkersLeft();
  });

  it('stays on one thread, saying why, for a scorer that cannot go to a worker or a single batch', async () => {
    const table = Array.from({ length: 9 }, (_, u) => Array.from({ length: 5 }, (_, i) => ((u * 3 + i * 7) % 10) / 10));
    const stream = recommendAll(tableScorer(table), { k: 2, batchUsers: 2, threads: 2 });
    const batches = await collect(stream);
    expect(stream.threads).toBe(1);
    expect(stream.fallbackReason).toMatch(/only the fast scorer .* worker threads/);
    expect(batches.length).toBe(5);
    const single = recommendAll(scorerOf('gmf'), { k: 2, threads: 'auto' });
    await collect(single);
    expect(single.threads).toBe(1);
    // 'auto' on this machine: more than one core means a reason (one batch), one core means none asked for
    if (single.fallbackReason !== undefined) expect(single.fallbackReason).toMatch(/fit in one batch/);
    expect(liveScoreWorkers()).toBe(0);
  });

  it('ranks on the calling thread while the workers start: a short call never waits for them, and says so', async () => {
    setRankWhileWorkersStart(true);
    try {
      const options = { k: 5, exclude, batchUsers: 4 };
      const one = await collect(recommendAll(scorerOf('neumf'), { ...options, threads: 1 }));
      const stream = recommendAll(scorerOf('neumf'), { ...options, threads: 2 });
      const started = performance.now();
      const two = await collect(stream);
      const seconds = (performance.now() - started) / 1000;
      expect(two).toEqual(one);
      // 15 tiny batches take milliseconds; the workers (from the TypeScript sources) take far longer to start
      if (stream.threads === 1) expect(stream.fallbackReason).toMatch(/ranked all 15 batches before the score workers had started/);
      else expect(seconds).toBeGreaterThan(0.05);
    } finally {
      setRankWhileWorkersStart(false);
    }
    // the workers that were starting are stopped as soon as they are up
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await noWorkersLeft();
  });

  it('rejects a bad threads value before the first batch', () => {
    for (const threads of [0, 1.5, -2, 'all', null]) {
      let caught: unknown;
      try {
        recommendAll(scorerOf('gmf'), { threads: threads as number });
      } catch (e) {
        caught = e;
      }
      expect(isRecsysError(caught), `threads ${String(threads)}`).toBe(true);
      expect((caught as Error).message).toContain('threads');
    }
  });

  it('Recommender.recommendAll: the same lists by id on two threads, unknown users in place', async () => {
    const model = randomNcf({ kind: 'neumf', numUsers: NUM_USERS, numItems: NUM_ITEMS, factors: 4, layers: [8, 4], seed: 5 });
    const users = IdMap.fromIds(Array.from({ length: NUM_USERS }, (_, u) => `u${u}`));
    const items = IdMap.fromIds(Array.from({ length: NUM_ITEMS }, (_, i) => `i${i}`));
    const rec = Recommender.from({ model, users, items, seen: exclude });
    const asked = ['u3', 'nobody', 'u59', 'u0', 'u5', 'u17', 'u3', 'u44', 'u21', 'u8'];
    const one = await collect(rec.recommendAll({ k: 5, users: asked, batchUsers: 3, threads: 1 }));
    const stream = rec.recommendAll({ k: 5, users: asked, batchUsers: 3, threads: 2 });
    const two = await collect(stream);
    expect(stream.threads).toBe(2);
    expect(two).toEqual(one);
    expect(two.flat().map((r) => r.user)).toEqual(asked);
    await noWorkersLeft();
    rec.dispose();
  });
});
