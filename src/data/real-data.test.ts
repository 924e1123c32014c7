// The readers on the real research files in ../shared/data (never copied into the repository).
// Skips with a message when they are absent, e.g. in a clean clone elsewhere.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readNcf } from './ncf.js';
import { readMovieLens, readMovieLensTitles } from './movielens.js';
import { leaveOneOut } from './splits.js';

// computed here rather than taken from test/helpers/backends.ts, which imports TensorFlow.js
const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const ML1M_NCF = join(SHARED_DATA, 'ml-1m-ncf');
const ML100K = join(SHARED_DATA, 'ml-100k');
const hasNcf = existsSync(join(ML1M_NCF, 'ml-1m.train.rating'));
const has100k = existsSync(join(ML100K, 'u.data'));
if (!hasNcf) console.warn(`skipping the ML-1M NCF reader test: ${ML1M_NCF} not found`);
if (!has100k) console.warn(`skipping the ML-100K reader test: ${ML100K}/u.data not found`);

describe('real data', () => {
  it.skipIf(!hasNcf)('reads the NCF ML-1M split: 994,169 train, 6,040 test, 156 self-negatives dropped', async () => {
    const ncf = await readNcf(ML1M_NCF);
    expect(ncf.train.users.length).toBe(994_169);
    expect(ncf.test.users.length).toBe(6_040);
    expect(ncf.duplicates).toBe(0);
    expect(ncf.skippedNonPositive).toBe(0);
    expect(ncf.droppedSelfNegatives).toBe(156);
    expect([ncf.numUsers, ncf.numItems]).toEqual([6_040, 3_706]);
    expect(Array.from(ncf.test.users)).toEqual(Array.from({ length: 6_040 }, (_, u) => u));
    const lengths = new Map<number, number>();
    for (let k = 0; k < 6_040; k++) {
      const negatives = ncf.testNegatives![k];
      lengths.set(negatives.length, (lengths.get(negatives.length) ?? 0) + 1);
      expect(negatives.includes(ncf.test.items[k])).toBe(false);
    }
    expect(lengths).toEqual(new Map([[99, 6_040 - 156], [98, 156]]));
    expect(ncf.test.items[0]).toBe(25);
    expect(ncf.test.timestamps![0]).toBe(978824351);
  });

  it.skipIf(!has100k)('reads ML-100K u.data: 100,000 ratings, 943 users, 1,682 movies', async () => {
    const { data, users, items, duplicates } = await readMovieLens(join(ML100K, 'u.data'));
    expect(data.users.length).toBe(100_000);
    expect([data.numUsers, data.numItems, duplicates]).toEqual([943, 1_682, 0]);
    expect(users.ids()).toEqual(Array.from({ length: 943 }, (_, i) => i + 1));
    expect(items.id(1_681)).toBe(1_682);
    expect(Math.min(...data.timestamps!)).toBe(874724710);
    expect(Math.max(...data.timestamps!)).toBe(893286638);
    // u.data line 1 is "196\t242\t3\t881250949"
    expect([users.id(data.users[0]), items.id(data.items[0]), data.weights![0]]).toEqual([196, 242, 3]);
    expect((await readMovieLens(join(ML100K, 'u.data'), { minRating: 4 })).skipped).toBe(44_625);
    const { test } = leaveOneOut(data, { by: 'time' });
    expect(test.users.length).toBe(943);
    const titles = await readMovieLensTitles(join(ML100K, 'u.item'));
    expect(titles.size).toBe(1_682);
    expect(titles.get(1)).toBe('Toy Story (1995)');
  });
});
