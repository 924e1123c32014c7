import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readMovieLensMovies, readMovieLensUsers } from './movielens-features.js';
import { readFeaturesCsv } from './features-csv.js';
import { featuresFrom } from './features-from.js';
import { IdMap } from './id-map.js';
import { RecsysError } from '../errors.js';
import { thrown } from '../../test/helpers/recsys-error.js';

async function errorOf(call: () => unknown): Promise<{ code: string; message: string }> {
  const e = await thrown(call);
  expect(e).toBeInstanceOf(RecsysError);
  return { code: (e as RecsysError).code, message: (e as RecsysError).message };
}

const flags = (...on: number[]) => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? 1 : 0)).join('|');

describe('readMovieLensMovies', () => {
  it('reads u.item: 19 genre flags, year from the date, a movie without a date', async () => {
    const text = `10|Made Up (1994)|01-Jan-1994||http://x|${flags(1, 8)}\n11|unknown||||${flags(0)}\n`;
    expect(await readMovieLensMovies({ text })).toEqual([
      { id: 10, title: 'Made Up (1994)', genre: ['Action', 'Drama'], year: 1994 },
      { id: 11, title: 'unknown', genre: ['unknown'], year: undefined },
    ]);
  });

  it('reads movies.dat: A|B genres, year from the title, Latin-1 bytes', async () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('5::Caf'), 0xe9, ...new TextEncoder().encode(' (1987)::Comedy|Romance\n6::No Year::\n')]);
    expect(await readMovieLensMovies(bytes)).toEqual([
      { id: 5, title: 'Café (1987)', genre: ['Comedy', 'Romance'], year: 1987 },
      { id: 6, title: 'No Year', genre: [], year: undefined },
    ]);
  });

  it('reports bad lines with the line number', async () => {
    expect(await errorOf(() => readMovieLensMovies({ text: `1|A|01-Jan-1994||u|${flags()}\n2|B|01-Jan-1994||u|${flags().replace(/0$/, '2')}\n` }))).toEqual({
      code: 'PARSE_ERROR',
      message: expect.stringMatching(/^input:2: genre flag 19 \(Western\) must be 0 or 1, got "2": /) as unknown as string,
    });
    expect((await errorOf(() => readMovieLensMovies({ text: '1::A (1990)::Drama\n1::B (1991)::Drama\n' }))).message).toMatch(/^input:2: movie 1 is listed twice/);
    expect((await errorOf(() => readMovieLensMovies({ text: `1|A|1994||u|${flags()}\n` }))).message).toMatch(/^input:1: the release date "1994" is not like 01-Jan-1995/);
    expect((await errorOf(() => readMovieLensMovies({ text: '1::A\n' }))).message).toMatch(/^input:1: expected 3 fields/);
  });
});

describe('readMovieLensUsers', () => {
  it('reads u.user (age in years, occupation names) and users.dat (codes), zip prefix on request', async () => {
    expect(await readMovieLensUsers({ text: '1|24|M|technician|85711\n2|53|F|other|94043\n' }, { zipPrefix: 2 })).toEqual([
      { id: 1, age: 24, gender: 'M', occupation: 'technician', zip: '85' },
      { id: 2, age: 53, gender: 'F', occupation: 'other', zip: '94' },
    ]);
    expect(await readMovieLensUsers({ text: '1::F::1::10::48067\n' })).toEqual([{ id: 1, gender: 'F', age: 1, occupation: 10 }]);
  });

  it('feeds featuresFrom with the ML-1M age groups as buckets', async () => {
    const rows = await readMovieLensUsers({ text: '1|24|M|technician|85711\n2|7|F|other|94043\n' });
    const t = featuresFrom(rows, { fields: ['gender', { name: 'age', bucket: [1, 18, 25, 35, 45, 50, 56] }], ids: IdMap.fromIds([2, 1], { kind: 'user' }) });
    expect([t.valuesOf('age', 0), t.valuesOf('age', 1)]).toEqual([[1], [18]]);
  });

  it('reports bad lines', async () => {
    expect((await errorOf(() => readMovieLensUsers({ text: '1|24|X|technician|85711\n' }))).message).toMatch(/^input:1: the gender must be M or F, got "X"/);
    expect((await errorOf(() => readMovieLensUsers({ text: '1::F::1::10::1\n2::M::x::1::1\n' }))).message).toMatch(/^input:2: the age is not a non-negative integer: "x"/);
    expect((await errorOf(() => readMovieLensUsers({ text: '1|24|M\n' }))).code).toBe('PARSE_ERROR');
    expect((await errorOf(() => readMovieLensUsers({ text: '1|24|M|x|1\n' }, { zipPrefix: 0 }))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('readFeaturesCsv', () => {
  it('reads a column per field, multi-valued cells, quotes, empty cells', async () => {
    const t = await readFeaturesCsv(
      { text: 'sku,genre,brand,price\nsku-1,drama|crime,"Acme, Inc",3\nsku-2,,,\n' },
      { idKey: 'sku', fields: ['genre', 'brand'], multiValued: { genre: '|' } },
    );
    expect(t.valuesOf('genre', 0)).toEqual(['drama', 'crime']);
    expect(t.valuesOf('brand', 0)).toEqual(['Acme, Inc']);
    expect([t.valuesOf('genre', 1), t.valuesOf('brand', 1)]).toEqual([[], []]);
  });

  it('matches number ids with idType number and buckets numeric cells', async () => {
    const t = await readFeaturesCsv(
      { text: 'id\tyear\n7\t1994\n8\t2003\n' },
      { delimiter: '\t', idType: 'number', fields: [{ name: 'year', bucket: 10 }], ids: IdMap.fromIds([8, 7], { kind: 'item' }) },
    );
    expect([t.valuesOf('year', 0), t.valuesOf('year', 1)]).toEqual([[2000], [1990]]);
  });

  it('names the file and line of a bad row', async () => {
    const text = { text: 'id,year\na,1990\nb,soon\n', name: 'items.csv' };
    expect(await errorOf(() => readFeaturesCsv(text, { fields: [{ name: 'year', bucket: 10 }] }))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'items.csv:3.year: field "year" is bucketed, so its values must be numbers, got "soon"',
    });
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\na,x,y\n' }, { fields: ['g'] }))).message).toBe('input:2: expected 2 fields like the header, got 3: "a,x,y"');
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\na,"x\n' }, { fields: ['g'] }))).code).toBe('PARSE_ERROR');
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\na,x\n' }, { fields: ['h'] }))).message).toBe('input: no column "h"; the header has "id", "g"');
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\na,x\na,y\n' }, { fields: ['g'] }))).message).toMatch(/^input:3: item "a" has a second row/);
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\n' }, { fields: ['g'] }))).code).toBe('EMPTY_INPUT');
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\nx,1\n' }, { fields: ['g'], idType: 'number' }))).code).toBe('PARSE_ERROR');
    expect((await errorOf(() => readFeaturesCsv({ text: 'id,g\nx,1\n' }, { fields: ['g'], multiValued: { g: ',' } }))).code).toBe('INVALID_ARGUMENT');
  });
});

// The real GroupLens files in ../shared/data (research-only, never copied here); skipped when absent.
const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const ML100K = join(SHARED_DATA, 'ml-100k');
const ML1M = join(SHARED_DATA, 'ml-1m');
const has100k = existsSync(join(ML100K, 'u.item')) && existsSync(join(ML100K, 'u.user'));
const has1m = existsSync(join(ML1M, 'movies.dat')) && existsSync(join(ML1M, 'users.dat'));
if (!has100k) console.warn(`skipping the ML-100K feature reader test: ${ML100K}/u.item or u.user not found`);
if (!has1m) console.warn(`skipping the ML-1M feature reader test: ${ML1M}/movies.dat or users.dat not found`);

describe('real MovieLens feature files', () => {
  it.skipIf(!has100k)('ML-100K: 1,682 movies over 19 genres, 943 users over 21 occupations', async () => {
    const movies = await readMovieLensMovies(join(ML100K, 'u.item'));
    expect(movies.length).toBe(1_682);
    expect(movies[0]).toEqual({ id: 1, title: 'Toy Story (1995)', genre: ['Animation', "Children's", 'Comedy'], year: 1995 });
    expect(movies.filter((m) => m.year === undefined).map((m) => m.id)).toEqual([267]);
    const t = featuresFrom(movies, { fields: ['genre', { name: 'year', bucket: 10 }] });
    expect(t.field('genre').values.size).toBe(19);
    const users = featuresFrom(await readMovieLensUsers(join(ML100K, 'u.user')), { fields: ['gender', 'occupation', { name: 'age', bucket: [1, 18, 25, 35, 45, 50, 56] }] });
    expect([users.numEntities, users.field('occupation').values.size, users.field('gender').values.size, users.field('age').values.size]).toEqual([943, 21, 2, 7]);
  });

  it.skipIf(!has1m)('ML-1M: 3,883 movies over 18 genres, 6,040 users', async () => {
    const movies = await readMovieLensMovies(join(ML1M, 'movies.dat'));
    expect(movies.length).toBe(3_883);
    expect(movies.every((m) => m.year !== undefined && m.genre.length > 0)).toBe(true);
    expect(featuresFrom(movies, { fields: ['genre'] }).field('genre').values.size).toBe(18);
    const users = featuresFrom(await readMovieLensUsers(join(ML1M, 'users.dat'), { zipPrefix: 1 }), { fields: ['gender', 'age', 'occupation', 'zip'] });
    expect([users.numEntities, users.field('age').values.size, users.field('occupation').values.size]).toEqual([6_040, 7, 21]);
  });
});
