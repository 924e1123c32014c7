// Readers for the original GroupLens MovieLens files: ratings (`u.data` of ML-100K, tab-separated;
// `ratings.dat` of ML-1M/10M, `::`-separated) and movie titles (`u.item`, `movies.dat`). Parsed on
// bytes, like the NCF files (see _internal/lines.ts).
import { RecsysError } from '../errors.js';
import { assertFinite, assertOneOf, show } from '../_lib/validate.js';
import { IdMap } from './id-map.js';
import type { Interactions } from './interactions.js';
import type { MappedInteractions } from './interactions-from.js';
import { sourceName, type Source } from './source.js';
import { collapseDuplicates, type DuplicatePolicy } from './_internal/collapse.js';
import { Fields, parseIndex, parseNumber, splitFields } from './_internal/fields.js';
import { growableFloat32, growableFloat64, growableInt32 } from './_internal/growable.js';
import { forEachLine, parseError } from './_internal/lines.js';
import { denseRemap } from './_internal/remap.js';

const TAB = 9;
const PIPE = 124;
const COLON = 58;

/** Which MovieLens ratings file: `'100k'` (`u.data`, tab-separated), `'1m'` (`ratings.dat`, `::`), or `'auto'`. @category Data */
export type MovieLensFormat = 'auto' | '100k' | '1m';

/** Options of {@link readMovieLens}. @category Data */
export interface MovieLensOptions {
  /** The file format; `'auto'` (default) looks at the first line: `::` means `'1m'`, a tab `'100k'`. */
  format?: MovieLensFormat;
  /**
   * Ratings below this are left out (counted in `skipped`), e.g. `4` to keep only liked movies.
   * Default: keep every rating (each rated movie is an implicit positive, as in the NCF paper).
   */
  minRating?: number;
  /**
   * Repeated (user, movie) lines (none in the GroupLens files). Default `'last'`: the latest rating
   * wins; see {@link MappingOptions.duplicates} for the others (`'sum'` adds the ratings up).
   */
  duplicates?: DuplicatePolicy;
}

/** @internal Whether the line `buf[start, end)` contains `::` (the ML-1M separator). */
export function hasDoubleColon(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i + 1 < end; i++) if (buf[i] === COLON && buf[i + 1] === COLON) return true;
  return false;
}

/**
 * Reads MovieLens ratings: `u.data` (ML-100K: `user\tmovie\trating\ttimestamp`) or `ratings.dat`
 * (ML-1M and ML-10M: `user::movie::rating::timestamp`), streamed with bounded memory. Ids become
 * dense indices in ascending id order (for ML-100K, index = id - 1); `weights` are the ratings,
 * `timestamps` the Unix seconds.
 *
 * @param source - a path (Node), a Response, a Blob, bytes or `{ text }` (see {@link Source})
 * @param options - format, minimum rating, duplicate policy
 * @returns the interactions, the user and movie id maps (number ids), and counts
 * @example
 * ```ts
 * const { data, users, items } = await readMovieLens('ml-100k/u.data');
 * data.users.length; //=> 100000
 * [data.numUsers, data.numItems]; //=> [943, 1682]
 * users.id(0); //=> 1
 * const liked = await readMovieLens('ml-100k/u.data', { minRating: 4 });
 * liked.skipped; //=> 44625
 * ```
 */
export async function readMovieLens(source: Source, options: MovieLensOptions = {}): Promise<MappedInteractions<number, number>> {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  const format = options.format ?? 'auto';
  assertOneOf('format', format, ['auto', '100k', '1m'] as const);
  const minRating = options.minRating ?? -Infinity;
  if (options.minRating !== undefined) assertFinite('minRating', options.minRating, 'INVALID_ARGUMENT');
  const policy = options.duplicates ?? 'last';
  assertOneOf('duplicates', policy, ['sum', 'first', 'last', 'keep'] as const);

  const name = sourceName(source);
  const rawUsers = growableInt32(1 << 16);
  const rawItems = growableInt32(1 << 16);
  const ratings = growableFloat32(1 << 16);
  const times = growableFloat64(1 << 16);
  const fields = new Fields(5);
  let separator: number | '::' | undefined = format === '100k' ? TAB : format === '1m' ? '::' : undefined;
  let skipped = 0;
  await forEachLine(source, (buf, start, end, line) => {
    if (separator === undefined) {
      if (hasDoubleColon(buf, start, end)) separator = '::';
      else if (buf.indexOf(TAB, start) >= 0 && buf.indexOf(TAB, start) < end) separator = TAB;
      else throw parseError(name, line, 'cannot tell the format: expected tab-separated (u.data) or ::-separated (ratings.dat) fields', buf, start, end);
    }
    const count = splitFields(buf, start, end, separator, fields);
    if (count !== 4) {
      const sep = separator === '::' ? '::' : 'tab';
      throw parseError(name, line, `expected 4 ${sep}-separated fields (user, movie, rating, timestamp), got ${count}`, buf, start, end);
    }
    const user = parseIndex(buf, fields.starts[0], fields.ends[0]);
    if (user < 0) throw parseError(name, line, 'the user id is not a non-negative integer', buf, start, end);
    const item = parseIndex(buf, fields.starts[1], fields.ends[1]);
    if (item < 0) throw parseError(name, line, 'the movie id is not a non-negative integer', buf, start, end);
    const rating = parseNumber(buf, fields.starts[2], fields.ends[2]);
    if (Number.isNaN(rating)) throw parseError(name, line, 'the rating is not a number', buf, start, end);
    const time = parseNumber(buf, fields.starts[3], fields.ends[3]);
    if (Number.isNaN(time)) throw parseError(name, line, 'the timestamp is not a number', buf, start, end);
    if (rating < minRating) {
      skipped++;
      return;
    }
    rawUsers.push(user);
    rawItems.push(item);
    ratings.push(rating);
    times.push(time);
  });
  if (rawUsers.length === 0) {
    throw new RecsysError('EMPTY_INPUT', `${name} has no rating >= ${minRating} (${skipped} lines skipped)`, { file: name });
  }
  const userMap = denseRemap(rawUsers.view());
  const itemMap = denseRemap(rawItems.view());
  const users = IdMap.fromIds(userMap.ids, { kind: 'user' });
  const items = IdMap.fromIds(itemMap.ids, { kind: 'item' });
  const { columns, duplicates } = collapseDuplicates(
    { users: userMap.indices, items: itemMap.indices, timestamps: times.finish(), weights: ratings.finish() },
    users.size,
    items.size,
    policy,
    false,
  );
  const data: Interactions = { ...columns, numUsers: users.size, numItems: items.size };
  return { data, users, items, duplicates, skipped };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
// WHATWG maps the 'latin1' label to windows-1252, a superset of ISO-8859-1's printable characters
const latin1 = new TextDecoder('latin1');

/** @internal A field's text: UTF-8 when valid, else Latin-1 (windows-1252). */
export function decodeLine(buf: Uint8Array, start: number, end: number): string {
  const bytes = buf.subarray(start, end);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/**
 * Reads movie titles from `u.item` (ML-100K: `id|title|date|...`) or `movies.dat` (ML-1M:
 * `id::title::genres`). The GroupLens files are Latin-1 encoded; each line is decoded as UTF-8
 * when it is valid UTF-8 and as Latin-1 (windows-1252) otherwise, so re-encoded copies work too.
 *
 * @param source - a path (Node), a Response, a Blob, bytes or `{ text }` (see {@link Source})
 * @returns movie id -> title
 * @example
 * ```ts
 * const titles = await readMovieLensTitles('ml-100k/u.item');
 * titles.get(1); //=> 'Toy Story (1995)'
 * ```
 */
export async function readMovieLensTitles(source: Source): Promise<Map<number, string>> {
  const name = sourceName(source);
  const titles = new Map<number, string>();
  const fields = new Fields(3);
  await forEachLine(source, (buf, start, end, line) => {
    const separator = hasDoubleColon(buf, start, end) ? '::' : PIPE;
    const count = splitFields(buf, start, end, separator, fields);
    if (count < 2) throw parseError(name, line, 'expected "id|title|..." or "id::title::genres"', buf, start, end);
    const id = parseIndex(buf, fields.starts[0], fields.ends[0]);
    if (id < 0) throw parseError(name, line, 'the movie id is not a non-negative integer', buf, start, end);
    titles.set(id, decodeLine(buf, fields.starts[1], fields.ends[1]));
  });
  return titles;
}
