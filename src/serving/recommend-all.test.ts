import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { useBackend } from '../../test/helpers/backends.js';
import { tableScorer } from '../../test/helpers/table-scorer.js';
import { isRecsysError, type RecsysErrorCode } from '../errors.js';
import type { Interactions } from '../data/interactions.js';
import { seenItems } from '../data/seen-items.js';
import { GMF } from '../models/index.js';
import { createScorer } from '../scoring/index.js';
import { recommend } from './recommend.js';
import { recommendAll, type RecommendAllBatch, type RecommendAllOptions } from './recommend-all.js';

beforeAll(() => useBackend('cpu'));

async function collect(batches: AsyncIterable<RecommendAllBatch>): Promise<RecommendAllBatch[]> {
  const out: RecommendAllBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** Each user's list, flattened out of the batches, as recommend() returns it. */
function lists(batches: RecommendAllBatch[]): { user: number; top: { item: number; score: number }[] }[] {
  const out: { user: number; top: { item: number; score: number }[] }[] = [];
  for (const b of batches) {
    for (let r = 0; r < b.users.length; r++) {
      const top: { item: number; score: number }[] = [];
      for (let t = 0; t < b.counts[r]; t++) top.push({ item: b.items[r * b.k + t], score: b.scores[r * b.k + t] });
      for (let t = b.counts[r]; t < b.k; t++) {
        expect(b.items[r * b.k + t]).toBe(-1);
        expect(b.scores[r * b.k + t]).toBeNaN();
      }
      out.push({ user: b.users[r], top });
    }
  }
  return out;
}

function expectCode(work: () => unknown, code: RecsysErrorCode, mentions?: string): void {
  let caught: unknown;
  try {
    work();
  } catch (e) {
    caught = e;
  }
  expect(isRecsysError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true);
  if (mentions !== undefined) expect((caught as Error).message).toContain(mentions);
}

describe('recommendAll', () => {
  const table = [
    [0.1, 0.9, 0.5, 0.9, 0.3, 0.7],
    [0.6, 0.2, 0.8, 0.4, 0.9, 0.1],
    [0.3, 0.3, 0.3, 0.2, 0.1, 0.0],
  ];
  const train: Interactions = { users: Int32Array.of(0, 1, 0, 2, 2, 2, 2, 2), items: Int32Array.of(1, 4, 5, 0, 1, 2, 3, 4), numUsers: 3, numItems: 6 };

  it('gives every user, in order and in batches, what recommend gives one user (hand-checked)', async () => {
    const batches = await collect(recommendAll(tableScorer(table), { k: 3, exclude: train, batchUsers: 2 }));
    expect(batches.map((b) => Array.from(b.users))).toEqual([[0, 1], [2]]);
    const got = lists(batches);
    expect(got.map((g) => g.top.map((t) => t.item))).toEqual([[3, 2, 4], [2, 0, 3], [5]]); // user 2 has one unseen item
    expect(batches[1].counts[0]).toBe(1);
  });

  it('matches recommend() for random tables, exclusions, candidates, user lists and batch sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }).chain((numUsers) =>
          fc.integer({ min: 1, max: 12 }).chain((numItems) =>
            fc.record({
              table: fc.array(fc.array(fc.integer({ min: 0, max: 5 }).map((v) => v / 5), { minLength: numItems, maxLength: numItems }), { minLength: numUsers, maxLength: numUsers }),
              seen: fc.array(fc.tuple(fc.nat(numUsers - 1), fc.nat(numItems - 1)), { maxLength: 20 }),
              users: fc.option(fc.array(fc.nat(numUsers - 1), { maxLength: 10 }), { nil: undefined }),
              candidates: fc.option(fc.array(fc.nat(numItems - 1), { minLength: 1, maxLength: 8 }), { nil: undefined }),
              k: fc.integer({ min: 1, max: numItems }),
              batchUsers: fc.integer({ min: 1, max: 4 }),
              asIndex: fc.boolean(),
            }),
          ),
        ),
        async ({ table, seen, users, candidates, k, batchUsers, asIndex }) => {
          const scorer = tableScorer(table, { pairs: false });
          const exclude: Interactions = {
            users: Int32Array.from(seen.map((p) => p[0])),
            items: Int32Array.from(seen.map((p) => p[1])),
            numUsers: table.length,
            numItems: table[0].length,
          };
          const options: RecommendAllOptions = { k, batchUsers, exclude: asIndex ? seenItems(exclude) : exclude };
          if (users !== undefined) options.users = Int32Array.from(users);
          if (candidates !== undefined) options.candidates = Int32Array.from(candidates);
          const batches = await collect(recommendAll(scorer, options));
          for (const b of batches) expect(b.users.length).toBeLessThanOrEqual(batchUsers);
          const got = lists(batches);
          const expectedUsers = users ?? table.map((_, u) => u);
          expect(got.map((g) => g.user)).toEqual(expectedUsers);
          for (const g of got) {
            const one = recommend(scorer, g.user, { k, exclude, ...(candidates === undefined ? {} : { candidates: Int32Array.from(candidates) }) });
            expect(g.top).toEqual(one);
          }
        },
      ),
    );
  });

  it('equals recommend() on a model, and disposes the scorer it made', async () => {
    const model = GMF({ numUsers: 5, numItems: 9, factors: 4, seed: 3 });
    const train5: Interactions = { users: Int32Array.of(0, 0, 3), items: Int32Array.of(2, 7, 1), numUsers: 5, numItems: 9 };
    const got = lists(await collect(recommendAll(model, { k: 4, exclude: train5 })));
    const scorer = createScorer(model);
    for (const g of got) expect(g.top).toEqual(recommend(scorer, g.user, { k: 4, exclude: train5 }));
    scorer.dispose();
    model.dispose();
  });

  it('checks everything before the first batch', () => {
    const scorer = tableScorer(table);
    expectCode(() => recommendAll(scorer, { k: 7 }), 'INVALID_K', '7');
    expectCode(() => recommendAll(scorer, { k: 2, users: Int32Array.of(0, 3) }), 'USER_OUT_OF_RANGE', '3');
    expectCode(() => recommendAll(scorer, { k: 2, users: [0] as unknown as Int32Array }), 'INVALID_ARGUMENT', 'Int32Array');
    expectCode(() => recommendAll(scorer, { k: 2, candidates: new Int32Array(0) }), 'EMPTY_INPUT');
    expectCode(() => recommendAll(scorer, { k: 2, candidates: Int32Array.of(6) }), 'ITEM_OUT_OF_RANGE', '6');
    expectCode(() => recommendAll(scorer, { k: 2, batchUsers: 0 }), 'INVALID_SIZE', '0');
    expectCode(() => recommendAll(scorer, { k: 2, signal: {} as AbortSignal }), 'INVALID_ARGUMENT', 'AbortSignal');
    expectCode(() => recommendAll(scorer, { k: 2, exclude: { ...train, items: Int32Array.of(1, 4, 5, 0, 1, 2, 3, 6), numItems: 7 } }), 'ITEM_OUT_OF_RANGE', '6');
  });

  it('stops at the next batch boundary when the signal aborts, and reports progress', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const batches = await collect(
      recommendAll(tableScorer(table), {
        k: 2,
        batchUsers: 1,
        signal: controller.signal,
        onProgress: (done, total) => {
          progress.push(done);
          expect(total).toBe(3);
          if (done === 2) controller.abort();
        },
      }),
    );
    expect(batches.map((b) => b.users[0])).toEqual([0, 1]);
    expect(progress).toEqual([1, 2]);
    expect(await collect(recommendAll(tableScorer(table), { k: 2, signal: AbortSignal.abort() }))).toEqual([]);
  });

  it('lets a timer abort it between batches (the event loop runs between batches)', async () => {
    const controller = new AbortController();
    const big = Array.from({ length: 400 }, (_, u) => Array.from({ length: 5 }, (_, i) => ((u * 7 + i * 3) % 11) / 11));
    setTimeout(() => controller.abort(), 0);
    let seen = 0;
    for await (const b of recommendAll(tableScorer(big), { k: 2, batchUsers: 1, signal: controller.signal })) seen += b.users.length;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(400);
  });
});
