import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMovieLens, readMovieLensTitles } from './movielens.js';
import { errorOf } from '../../test/helpers/recsys-error.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/data/movielens/', import.meta.url));


const U_DATA = '10\t7\t5\t881250949\n12\t3\t3\t891717742\n10\t3\t1\t878887116\n11\t9\t2\t880606923\n12\t7\t4\t886397596\n11\t3\t4\t884182806\n';

describe('readMovieLens', () => {
  it('reads u.data: ids in ascending order, ratings as weights, timestamps', async () => {
    const { data, users, items, duplicates, skipped } = await readMovieLens(join(FIXTURES, 'tiny-100k.tsv'));
    expect(users.ids()).toEqual([10, 11, 12]);
    expect(items.ids()).toEqual([3, 7, 9]);
    expect(users.kind).toBe('user');
    expect(Array.from(data.users)).toEqual([0, 2, 0, 1, 2, 1]);
    expect(Array.from(data.items)).toEqual([1, 0, 0, 2, 1, 0]);
    expect(Array.from(data.weights!)).toEqual([5, 3, 1, 2, 4, 4]);
    expect(Array.from(data.timestamps!)).toEqual([881250949, 891717742, 878887116, 880606923, 886397596, 884182806]);
    expect([data.numUsers, data.numItems, duplicates, skipped]).toEqual([3, 3, 0, 0]);
  });

  it('reads ratings.dat (::) to the same structure', async () => {
    const ml100k = await readMovieLens(join(FIXTURES, 'tiny-100k.tsv'));
    const ml1m = await readMovieLens(join(FIXTURES, 'tiny-1m.dat'));
    expect(ml1m.data.users).toEqual(ml100k.data.users);
    expect(ml1m.data.items).toEqual(ml100k.data.items);
    expect(ml1m.data.weights).toEqual(ml100k.data.weights);
    expect(ml1m.data.timestamps![0]).toBe(978300760);
    expect((await readMovieLens(join(FIXTURES, 'tiny-1m.dat'), { format: '1m' })).data.users).toEqual(ml1m.data.users);
    const wrong = await errorOf(readMovieLens(join(FIXTURES, 'tiny-1m.dat'), { format: '100k' }));
    expect(wrong.code).toBe('PARSE_ERROR');
    expect(wrong.message).toContain('tiny-1m.dat:1: expected 4 tab-separated fields');
  });

  it('skips ratings below minRating and counts them', async () => {
    const { data, skipped, users } = await readMovieLens({ text: U_DATA }, { minRating: 4 });
    expect(skipped).toBe(3);
    expect(Array.from(data.weights!)).toEqual([5, 4, 4]);
    expect(users.ids()).toEqual([10, 11, 12]);
    expect((await errorOf(readMovieLens({ text: U_DATA }, { minRating: 6 }))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(readMovieLens({ text: U_DATA }, { minRating: NaN }))).code).toBe('INVALID_ARGUMENT');
  });

  it('handles \\r\\n, a BOM, blank lines and a missing final newline like the clean file', async () => {
    const clean = await readMovieLens({ text: U_DATA });
    const messy = '\ufeff' + U_DATA.trimEnd().replace(/\n/g, '\r\n').replace('\r\n', '\r\n\r\n  \t\r\n') + '';
    const again = await readMovieLens({ text: messy });
    expect(again.data).toEqual(clean.data);
    const trailing = await readMovieLens({ text: U_DATA + '\n\n\r\n' });
    expect(trailing.data).toEqual(clean.data);
  });

  it('collapses a repeated (user, movie): the latest rating wins by default', async () => {
    const text = '1\t2\t3\t100\n1\t2\t5\t300\n1\t2\t4\t200\n';
    const last = await readMovieLens({ text });
    expect(last.duplicates).toBe(2);
    expect(Array.from(last.data.weights!)).toEqual([5]);
    expect(Array.from(last.data.timestamps!)).toEqual([300]);
    expect(Array.from((await readMovieLens({ text }, { duplicates: 'sum' })).data.weights!)).toEqual([12]);
    expect((await readMovieLens({ text }, { duplicates: 'keep' })).data.users.length).toBe(3);
  });

  it('reports the file, the line and the content of a malformed line', async () => {
    const cases: Array<[string, string]> = [
      ['10\t7\t5\t881250949\nx\t3\t3\t891717742\n', 'input:2: the user id is not a non-negative integer: "x\\t3\\t3\\t891717742"'],
      ['10\t7\t5\t881250949\n12\t3\t3\n', 'input:2: expected 4 tab-separated fields (user, movie, rating, timestamp), got 3: "12\\t3\\t3"'],
      ['10\t7\t5\t881250949\n\n\n12\t-3\t3\t1\n', 'input:4: the movie id is not a non-negative integer'],
      ['10\t7\tfive\t881250949\n', 'input:1: the rating is not a number'],
      ['10\t7\t5\t8812509x9\n', 'input:1: the timestamp is not a number'],
      ['10\t7\t5\t881250949\n11\t7\t5\t881250949\t9\n', 'input:2: expected 4 tab-separated fields'],
      ['10 7 5 881250949\n', 'input:1: cannot tell the format'],
      // a truncated last line (no final newline)
      [U_DATA + '13\t4', 'input:7: expected 4 tab-separated fields (user, movie, rating, timestamp), got 2: "13\\t4"'],
    ];
    for (const [text, message] of cases) {
      const error = await errorOf(readMovieLens({ text }));
      expect(error.code).toBe('PARSE_ERROR');
      expect(error.message).toContain(message);
    }
    const long = await errorOf(readMovieLens({ text: `1\t2\t3\t${'x'.repeat(300)}\n` }));
    expect(long.message.length).toBeLessThan(200);
    expect(long.message).toContain('...');
    const named = await errorOf(readMovieLens({ text: '1\t2\n', name: 'mine.tsv' }));
    expect(named.message).toMatch(/^mine\.tsv:1: /);
  });

  it('names the path of a file on disk in errors; missing files and empty files have their own codes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recsys-ml-'));
    const bad = join(dir, 'u.data');
    writeFileSync(bad, '1\t2\t3\t4\r\n1\t2\t3\r\n');
    const error = await errorOf(readMovieLens(bad));
    expect(error).toEqual({ code: 'PARSE_ERROR', message: `${bad}:2: expected 4 tab-separated fields (user, movie, rating, timestamp), got 3: "1\\t2\\t3"` });
    const missing = join(dir, 'nope', 'u.data');
    expect(await errorOf(readMovieLens(missing))).toEqual({ code: 'FILE_NOT_FOUND', message: `file not found: ${missing}` });
    const empty = join(dir, 'empty.data');
    writeFileSync(empty, '');
    expect(await errorOf(readMovieLens(empty))).toEqual({ code: 'EMPTY_INPUT', message: `${empty} is empty (no data lines)` });
    writeFileSync(empty, '\n \r\n\t\n');
    expect((await errorOf(readMovieLens(empty))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(readMovieLens(dir))).code).toBe('INVALID_ARGUMENT');
  });

  it('rejects bad options', async () => {
    expect((await errorOf(readMovieLens({ text: U_DATA }, { format: '10m' as never }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(readMovieLens({ text: U_DATA }, { duplicates: 'max' as never }))).code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(readMovieLens(42 as never))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('readMovieLensTitles', () => {
  it('decodes Latin-1 u.item titles', async () => {
    const titles = await readMovieLensTitles(join(FIXTURES, 'u.item'));
    expect(titles).toEqual(
      new Map([
        [3, 'Café Society (1995)'],
        [7, 'Les Misérables (1995)'],
        [9, 'Plain Title (1996)'],
      ]),
    );
  });

  it('reads UTF-8 movies.dat (::) too', async () => {
    const titles = await readMovieLensTitles(join(FIXTURES, 'movies.dat'));
    expect(titles.get(3)).toBe('Café Society (1995)');
    expect(titles.get(7)).toBe('Les Misérables (1995)');
  });

  it('reports a line without an id', async () => {
    const error = await errorOf(readMovieLensTitles({ text: '1|A\nB|C\n' }));
    expect(error).toEqual({ code: 'PARSE_ERROR', message: 'input:2: the movie id is not a non-negative integer: "B|C"' });
  });
});
