import { describe, it, expect } from 'vitest';
import { pathToFileURL } from 'node:url';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNcf, type NcfData } from './ncf.js';
import { ncfFixtureDir } from '../../test/helpers/ncf-fixture.js';
import { errorOf } from '../../test/helpers/recsys-error.js';

const DIR = ncfFixtureDir();
const text = (name: string) => readFileSync(join(DIR, name), 'utf8');


function expectTiny(ncf: NcfData): void {
  // 10 train lines: one repeats (1,2), one has rating 0
  expect(Array.from(ncf.train.users)).toEqual([0, 0, 0, 1, 1, 2, 3, 3]);
  expect(Array.from(ncf.train.items)).toEqual([1, 2, 3, 0, 2, 4, 6, 1]);
  expect(Array.from(ncf.train.timestamps!)).toEqual([100, 101, 102, 200, 205, 300, 400, 401]);
  expect(ncf.train.weights).toBeUndefined();
  expect(ncf.duplicates).toBe(1);
  expect(ncf.skippedNonPositive).toBe(1);
  expect(Array.from(ncf.test.users)).toEqual([0, 1, 2, 3]);
  expect(Array.from(ncf.test.items)).toEqual([4, 5, 6, 7]);
  expect(ncf.testNegatives!.map((n) => Array.from(n))).toEqual([
    [5, 6, 7],
    [3, 7], // user 1's own test item 5 was listed: dropped
    [0, 1, 7],
    [0, 2, 4],
  ]);
  expect(ncf.droppedSelfNegatives).toBe(1);
  // the test set carries the same lists, so evaluateSampled(model, ncf.test) ranks against them
  expect(ncf.test.negatives).toBe(ncf.testNegatives);
  expect([ncf.numUsers, ncf.numItems]).toEqual([4, 8]);
  for (const part of [ncf.train, ncf.test]) expect([part.numUsers, part.numItems]).toEqual([4, 8]);
}

describe('readNcf', () => {
  it('reads a directory holding one split', async () => {
    expectTiny(await readNcf(DIR));
    expectTiny(await readNcf(pathToFileURL(DIR)));
  });

  it('reads a path prefix', async () => {
    expectTiny(await readNcf(join(DIR, 'tiny')));
  });

  it('reads the three files given one by one, from any source', async () => {
    expectTiny(await readNcf({ train: join(DIR, 'tiny.train.rating'), test: join(DIR, 'tiny.test.rating'), negative: join(DIR, 'tiny.test.negative') }));
    expectTiny(
      await readNcf({
        train: { text: text('tiny.train.rating') },
        test: new Blob([text('tiny.test.rating')]),
        negative: new Response(text('tiny.test.negative').replace(/\n/g, '\r\n')),
      }),
    );
  });

  it('never counts a test item among its own negatives (the 100-negative variant too)', async () => {
    const negative = '(0,4)\t' + Array.from({ length: 100 }, (_, i) => (i === 37 ? 4 : 100 + i)).join('\t') + '\n';
    const ncf = await readNcf({ train: { text: '0\t1\t1\t0\n' }, test: { text: '0\t4\t1\t0\n' }, negative: { text: negative } });
    expect(ncf.testNegatives![0].length).toBe(99);
    expect(Array.from(ncf.testNegatives![0])).not.toContain(4);
    expect(ncf.droppedSelfNegatives).toBe(1);
    expect(ncf.numItems).toBe(200);
  });

  it('works without a negative file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recsys-ncf-'));
    for (const f of ['tiny.train.rating', 'tiny.test.rating']) copyFileSync(join(DIR, f), join(dir, f));
    const ncf = await readNcf(dir);
    expect(ncf.testNegatives).toBeUndefined();
    expect('negatives' in ncf.test).toBe(false);
    expect(ncf.droppedSelfNegatives).toBe(0);
    expect([ncf.numUsers, ncf.numItems]).toEqual([4, 8]);
  });

  it('accepts two-column files (no rating, no timestamp)', async () => {
    const ncf = await readNcf({ train: { text: '0\t1\n1\t0\n' }, test: { text: '0\t2\n1\t2\n' } });
    expect(ncf.train.timestamps).toBeUndefined();
    expect(Array.from(ncf.test.items)).toEqual([2, 2]);
  });

  it('checks that every negative line matches its test row', async () => {
    const files = (negative: string) => ({ train: { text: text('tiny.train.rating') }, test: { text: text('tiny.test.rating'), name: 'x.test.rating' }, negative: { text: negative, name: 'x.test.negative' } });
    const swapped = text('tiny.test.negative').replace('(2,6)', '(2,5)');
    expect(await errorOf(readNcf(files(swapped)))).toEqual({
      code: 'PARSE_ERROR',
      message: 'x.test.negative:3: the head (2,5) does not match row 3 of x.test.rating, which is (2,6): "(2,5)\\t0\\t1\\t7"',
    });
    const short = text('tiny.test.negative').split('\n').slice(0, 3).join('\n');
    expect((await errorOf(readNcf(files(short)))).message).toBe('x.test.negative has 3 lines but x.test.rating has 4 rows: every test row needs its negatives');
    const long = text('tiny.test.negative') + '(4,1)\t2\n';
    expect((await errorOf(readNcf(files(long)))).message).toMatch(/^x\.test\.negative:5: more lines than the 4 rows of x\.test\.rating/);
    const badHead = text('tiny.test.negative').replace('(1,5)', '1,5');
    expect((await errorOf(readNcf(files(badHead)))).message).toMatch(/^x\.test\.negative:2: the first field must be "\(user,item\)"/);
    const badNegative = text('tiny.test.negative').replace('\t0\t2\t4', '\t0\tz\t4');
    expect((await errorOf(readNcf(files(badNegative)))).message).toMatch(/^x\.test\.negative:4: negative "z" is not a non-negative integer/);
    const noNegatives = text('tiny.test.negative').replace('(3,7)\t0\t2\t4', '(3,7)');
    expect((await errorOf(readNcf(files(noNegatives)))).code).toBe('PARSE_ERROR');
  });

  it('reports malformed rating lines with file and line', async () => {
    const train = '0\t1\t1\t0\n0\t2\t1\t0\n0\tx\t1\t0\n';
    expect(await errorOf(readNcf({ train: { text: train, name: 'a.train.rating' }, test: { text: '0\t3\t1\t0\n' } }))).toEqual({
      code: 'PARSE_ERROR',
      message: 'a.train.rating:3: the item id is not a non-negative integer: "0\\tx\\t1\\t0"',
    });
    const truncated = '0\t1\t1\t0\n0\t2\t1\t0\n0\t3';
    expect((await errorOf(readNcf({ train: { text: truncated }, test: { text: '0\t3\t1\t0\n' } }))).message).toBe(
      'input:3: expected 4 tab-separated fields like the first line, got 2: "0\\t3"',
    );
    expect((await errorOf(readNcf({ train: { text: '0\n' }, test: { text: '0\t3\n' } }))).message).toMatch(/^input:1: expected 2 to 4 tab-separated fields/);
    expect((await errorOf(readNcf({ train: { text: '' }, test: { text: '0\t3\n' } }))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(readNcf({ train: { text: '0\t1\t0\t0\n' }, test: { text: '0\t3\n' } }))).code).toBe('EMPTY_INPUT');
  });

  it('reports missing files and ambiguous directories', async () => {
    const missing = join(DIR, 'nothing-here');
    expect(await errorOf(readNcf(missing))).toEqual({ code: 'FILE_NOT_FOUND', message: `file not found: ${missing}.train.rating` });
    const dir = mkdtempSync(join(tmpdir(), 'recsys-ncf-'));
    expect((await errorOf(readNcf(dir))).code).toBe('FILE_NOT_FOUND');
    copyFileSync(join(DIR, 'tiny.train.rating'), join(dir, 'a.train.rating'));
    expect(await errorOf(readNcf(dir))).toEqual({ code: 'FILE_NOT_FOUND', message: `file not found: ${join(dir, 'a.test.rating')}` });
    copyFileSync(join(DIR, 'tiny.train.rating'), join(dir, 'b.train.rating'));
    const two = await errorOf(readNcf(dir));
    expect(two.code).toBe('INVALID_ARGUMENT');
    expect(two.message).toContain('a.train.rating, b.train.rating');
    expect((await errorOf(readNcf(42 as never))).code).toBe('INVALID_ARGUMENT');
  });

  it("opens only files inside the directory given: a '..' prefix names a file in that directory", async () => {
    const root = mkdtempSync(join(tmpdir(), 'recsys-ncf-'));
    const inner = join(root, 'inner');
    mkdirSync(inner);
    // a split right above `inner/` must not be reachable through `inner/..` used as a prefix
    for (const f of ['tiny.train.rating', 'tiny.test.rating']) copyFileSync(join(DIR, f), join(root, f.replace('tiny', 'inner')));
    const error = await errorOf(readNcf(join(inner, 'nothing') + '/..'));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toBe(`file not found: ${join(inner, 'nothing')}/...train.rating`);
  });
});
