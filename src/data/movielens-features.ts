// Readers for the MovieLens side files as feature rows: movies (`u.item` of ML-100K, `movies.dat`
// of ML-1M) and users (`u.user`, `users.dat`). Streamed line by line on bytes like the ratings
// readers (movielens.ts); the rows they return feed featuresFrom.
import { RecsysError } from '../errors.js';
import { assertInteger, show } from '../_lib/validate.js';
import { sourceName, type Source } from './source.js';
import { Fields, fieldText, parseIndex, splitFields } from './_internal/fields.js';
import { forEachLine, parseError } from './_internal/lines.js';
import { decodeLine as decode, hasDoubleColon as isDoubleColon } from './movielens.js';

const PIPE = 124;

/**
 * The 19 genre flags of ML-100K's `u.item`, in column order (from its `u.genre`).
 *
 * @example
 * ```ts
 * MOVIELENS_100K_GENRES[8]; //=> 'Drama'
 * ```
 */
export const MOVIELENS_100K_GENRES: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** A movie as a feature row: `genre` (possibly empty) and `year` (undefined when the file has none). */
export type MovieLensMovieRow = {
  /** The MovieLens movie id. */
  readonly id: number;
  /** The genres, in the file's order. ML-100K's `unknown` flag is kept as the genre `'unknown'`. */
  readonly genre: string[];
  /** Release year: from the date of `u.item` (`01-Jan-1995`), from `(1995)` at the end of the title in `movies.dat`. */
  readonly year: number | undefined;
  /** The title, as in the file. */
  readonly title: string;
};

/** A user as a feature row. */
export type MovieLensUserRow = {
  /** The MovieLens user id. */
  readonly id: number;
  /** `'M'` or `'F'`. */
  readonly gender: string;
  /** ML-100K: the age in years; ML-1M: the age-group code (1, 18, 25, 35, 45, 50, 56). Bucket 100K's with `[1, 18, 25, 35, 45, 50, 56]` to match. */
  readonly age: number;
  /** ML-100K: the occupation's name; ML-1M: its code 0..20 (see the ML-1M README). */
  readonly occupation: string | number;
  /** The first {@link MovieLensUserOptions.zipPrefix} characters of the zip code; absent unless asked for. */
  readonly zip?: string;
};

/** Options of {@link readMovieLensUsers}. */
export interface MovieLensUserOptions {
  /** Keep the first this many characters of the zip code as `zip` (e.g. 1 or 2, a region). Default: no `zip`. */
  zipPrefix?: number;
}

const TITLE_YEAR = /\((\d{4})\)\s*$/;
const DATE_YEAR = /^\d{1,2}-[A-Za-z]{3}-(\d{4})$/;

/**
 * Reads movies as feature rows from `u.item` (ML-100K: `id|title|date|video date|url|` then 19
 * genre flags 0/1) or `movies.dat` (ML-1M: `id::title::Genre1|Genre2`), streamed. The year comes
 * from the release date (`u.item`) or from `(1995)` at the end of the title (`movies.dat`); a
 * movie without one (ML-100K's "unknown" movie 267) gets `year: undefined`. Lines are decoded as
 * UTF-8 when valid, else Latin-1. A wrong field count, a flag other than 0/1, a bad id, an
 * unreadable date or a repeated id is a PARSE_ERROR naming the file and line.
 *
 * @param source - a path (Node), a Response, a Blob, bytes or `{ text }` (see {@link Source})
 * @returns one row per movie, in file order: `{ id, genre, year, title }`
 * @example
 * ```ts
 * const movies = await readMovieLensMovies('ml-1m/movies.dat');
 * movies[0]; //=> { id: 1, title: 'Toy Story (1995)', genre: ['Animation', "Children's", 'Comedy'], year: 1995 }
 * const table = featuresFrom(movies, { fields: ['genre', { name: 'year', bucket: 10 }], ids: items });
 * ```
 */
export async function readMovieLensMovies(source: Source): Promise<MovieLensMovieRow[]> {
  const name = sourceName(source);
  const rows: MovieLensMovieRow[] = [];
  const seen = new Set<number>();
  const fields = new Fields(5 + MOVIELENS_100K_GENRES.length);
  await forEachLine(source, (buf, start, end, line) => {
    const dat = isDoubleColon(buf, start, end);
    const count = splitFields(buf, start, end, dat ? '::' : PIPE, fields);
    const expected = dat ? 3 : 5 + MOVIELENS_100K_GENRES.length;
    if (count !== expected) {
      const what = dat ? 'movies.dat: id::title::genres' : 'u.item: id|title|date|video date|url| + 19 genre flags';
      throw parseError(name, line, `expected ${expected} fields (${what}), got ${count}`, buf, start, end);
    }
    const id = parseIndex(buf, fields.starts[0], fields.ends[0]);
    if (id < 0) throw parseError(name, line, 'the movie id is not a non-negative integer', buf, start, end);
    if (seen.has(id)) throw parseError(name, line, `movie ${id} is listed twice`, buf, start, end);
    seen.add(id);
    const title = decode(buf, fields.starts[1], fields.ends[1]);
    const genre: string[] = [];
    let year: number | undefined;
    if (dat) {
      const text = decode(buf, fields.starts[2], fields.ends[2]).trim();
      if (text.length > 0) for (const g of text.split('|')) if (g.length > 0) genre.push(g);
      const m = TITLE_YEAR.exec(title);
      if (m !== null) year = Number(m[1]);
    } else {
      const date = decode(buf, fields.starts[2], fields.ends[2]).trim();
      if (date.length > 0) {
        const m = DATE_YEAR.exec(date);
        if (m === null) throw parseError(name, line, `the release date ${show(date)} is not like 01-Jan-1995`, buf, start, end);
        year = Number(m[1]);
      }
      for (let g = 0; g < MOVIELENS_100K_GENRES.length; g++) {
        const s = fields.starts[5 + g];
        const e = fields.ends[5 + g];
        const flag = e - s === 1 ? buf[s] - 48 : -1;
        if (flag !== 0 && flag !== 1) {
          throw parseError(name, line, `genre flag ${g + 1} (${MOVIELENS_100K_GENRES[g]}) must be 0 or 1, got ${show(fieldText(buf, s, e))}`, buf, start, end);
        }
        if (flag === 1) genre.push(MOVIELENS_100K_GENRES[g]);
      }
    }
    rows.push({ id, title, genre, year });
  });
  return rows;
}

/**
 * Reads users as feature rows from `u.user` (ML-100K: `id|age|gender|occupation|zip`) or
 * `users.dat` (ML-1M: `id::gender::age::occupation::zip`), streamed. ML-1M's age and occupation
 * are codes (numbers); ML-100K's age is in years and its occupation a name. A wrong field count, a
 * gender other than M/F, a bad number or a repeated id is a PARSE_ERROR naming the file and line.
 *
 * @param source - a path (Node), a Response, a Blob, bytes or `{ text }` (see {@link Source})
 * @param options - `zipPrefix`: keep that many leading characters of the zip code as `zip`
 * @returns one row per user, in file order
 * @example
 * ```ts
 * const users = await readMovieLensUsers('ml-100k/u.user', { zipPrefix: 1 });
 * users[0]; //=> { id: 1, age: 24, gender: 'M', occupation: 'technician', zip: '8' }
 * featuresFrom(users, { fields: ['gender', 'occupation', { name: 'age', bucket: [1, 18, 25, 35, 45, 50, 56] }], ids: ml.users });
 * ```
 */
export async function readMovieLensUsers(source: Source, options: MovieLensUserOptions = {}): Promise<MovieLensUserRow[]> {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  if (options.zipPrefix !== undefined) assertInteger('zipPrefix', options.zipPrefix, 1);
  const zipPrefix = options.zipPrefix;
  const name = sourceName(source);
  const rows: MovieLensUserRow[] = [];
  const seen = new Set<number>();
  const fields = new Fields(6);
  await forEachLine(source, (buf, start, end, line) => {
    const dat = isDoubleColon(buf, start, end);
    const count = splitFields(buf, start, end, dat ? '::' : PIPE, fields);
    if (count !== 5) {
      const what = dat ? 'users.dat: id::gender::age::occupation::zip' : 'u.user: id|age|gender|occupation|zip';
      throw parseError(name, line, `expected 5 fields (${what}), got ${count}`, buf, start, end);
    }
    const text = (k: number): string => decode(buf, fields.starts[k], fields.ends[k]).trim();
    const id = parseIndex(buf, fields.starts[0], fields.ends[0]);
    if (id < 0) throw parseError(name, line, 'the user id is not a non-negative integer', buf, start, end);
    if (seen.has(id)) throw parseError(name, line, `user ${id} is listed twice`, buf, start, end);
    seen.add(id);
    const [genderAt, ageAt] = dat ? [1, 2] : [2, 1];
    const gender = text(genderAt);
    if (gender !== 'M' && gender !== 'F') throw parseError(name, line, `the gender must be M or F, got ${show(gender)}`, buf, start, end);
    const age = parseIndex(buf, fields.starts[ageAt], fields.ends[ageAt]);
    if (age < 0) throw parseError(name, line, `the age is not a non-negative integer: ${show(text(ageAt))}`, buf, start, end);
    let occupation: string | number = text(3);
    if (dat) {
      occupation = parseIndex(buf, fields.starts[3], fields.ends[3]);
      if (occupation < 0) throw parseError(name, line, `the occupation code is not a non-negative integer: ${show(text(3))}`, buf, start, end);
    } else if (occupation.length === 0) {
      throw parseError(name, line, 'the occupation is empty', buf, start, end);
    }
    const row: MovieLensUserRow = { id, gender, age, occupation };
    if (zipPrefix !== undefined) {
      const zip = text(4);
      rows.push(zip.length === 0 ? row : { ...row, zip: zip.slice(0, zipPrefix) });
    } else {
      rows.push(row);
    }
  });
  return rows;
}
