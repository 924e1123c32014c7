// Reader for the split files of the NCF paper (He et al., WWW 2017; github hexiangnan/
// neural_collaborative_filtering): `<name>.train.rating`, `<name>.test.rating`, `<name>.test.negative`.
// Ids there are already dense integers, so no IdMap is needed. The tab format is parsed by hand on
// bytes (see _internal/lines.ts): a CSV library would turn 1M lines into 4M strings first.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { Interactions } from './interactions.js';
import { isPathLike, nodeModules, sourceName, toFilePath, type Source } from './source.js';
import { collapseDuplicates } from './_internal/collapse.js';
import { Fields, parseIndex, parseNumber, splitFields } from './_internal/fields.js';
import { growableFloat64, growableInt32 } from './_internal/growable.js';
import { forEachLine, parseError } from './_internal/lines.js';

const TAB = 9;
const OPEN = 40; // (
const COMMA = 44;
const CLOSE = 41; // )

/** The three NCF files given one by one (any {@link Source} each). @category Data */
export interface NcfFiles {
  /** `*.train.rating`: `user\titem\trating\ttimestamp` per line. */
  train: Source;
  /** `*.test.rating`: the held-out positive of each user, same format. */
  test: Source;
  /** `*.test.negative`: `(user,item)\tneg1\tneg2...` per test row, in the same order. Optional. */
  negative?: Source;
}

/**
 * Where {@link readNcf} finds the files: a directory holding exactly one `*.train.rating` (with its
 * `.test.rating` and, optionally, `.test.negative`), a path prefix such as `'data/ml-1m'` (for
 * `data/ml-1m.train.rating`, ...), or the three files given one by one.
 * @category Data
 */
export type NcfSource = string | URL | NcfFiles;

/**
 * The held-out positives of an NCF split ({@link NcfData.test}): an {@link Interactions} that also
 * carries each row's listed negatives when the split has a `.test.negative` file, so
 * `evaluateSampled(model, ncf.test)` ranks each positive against its listed negatives (the paper's
 * protocol) rather than sampling new ones.
 *
 * @example
 * ```ts
 * const ncf = await readNcf('../shared/data/ml-1m-ncf');
 * ncf.test.negatives?.[0].length; //=> 99
 * evaluateSampled(model, ncf.test, { k: 10 }).negativeSource; //=> 'listed'
 * ```
 * @category Data
 */
export interface NcfTestSet extends Interactions {
  /** Per test row, its listed negatives (the same arrays as {@link NcfData.testNegatives}); absent without a negative file. */
  readonly negatives?: Int32Array[];
}

/** The NCF split, read by {@link readNcf}. @category Data */
export interface NcfData {
  /**
   * Training positives. Lines whose rating is not positive are left out (as NCF's own loader does),
   * repeated pairs are collapsed (latest timestamp kept). `timestamps` holds the 4th column when the
   * file has one (in the published ML-1M train file it is a placeholder `0`). The rating is not
   * kept: NCF treats every listed pair as a positive.
   */
  train: Interactions;
  /**
   * The held-out positives, one line each (one per user in the published splits), in file order,
   * carrying their listed negatives as `test.negatives` when there is a negative file (so
   * `evaluateSampled(model, ncf.test)` follows the paper's protocol).
   */
  test: NcfTestSet;
  /**
   * For each test row `k`, the items ranked against `test.items[k]` (the NCF protocol), from
   * `.test.negative`; absent when there is no negative file. The same arrays as `test.negatives`. The test item itself is removed
   * where the file lists it (see `droppedSelfNegatives`), so a row may hold one fewer. The lists
   * are views of one shared buffer: copy one before changing it.
   */
  testNegatives?: Int32Array[];
  /**
   * How many negative lists named their own test item (156 in the published ML-1M file, whose
   * sampler excluded only training items); those entries were removed from `testNegatives`.
   */
  droppedSelfNegatives: number;
  /** 1 + the largest user id in the three files; `train.numUsers` and `test.numUsers` equal it. */
  numUsers: number;
  /** 1 + the largest item id in the three files (negatives included); the interactions' `numItems`. */
  numItems: number;
  /** Repeated (user, item) lines in the train file (collapsed). */
  duplicates: number;
  /** Train lines left out because their rating was not positive. */
  skippedNonPositive: number;
}

interface RatingColumns {
  users: Int32Array;
  items: Int32Array;
  timestamps?: Float64Array;
  maxUser: number;
  maxItem: number;
  /** Lines holding the largest user and item id (for messages). */
  maxUserLine: number;
  maxItemLine: number;
  skippedNonPositive: number;
}

async function readRatings(source: Source, skipNonPositive: boolean): Promise<RatingColumns> {
  const users = growableInt32(1 << 16);
  const items = growableInt32(1 << 16);
  const times = growableFloat64(1 << 16);
  const fields = new Fields(5);
  const name = sourceName(source);
  let expected = 0;
  let maxUser = -1;
  let maxItem = -1;
  let maxUserLine = 0;
  let maxItemLine = 0;
  let skippedNonPositive = 0;
  await forEachLine(source, (buf, start, end, line) => {
    const count = splitFields(buf, start, end, TAB, fields);
    if (expected === 0) {
      if (count < 2 || count > 4) throw parseError(name, line, `expected 2 to 4 tab-separated fields (user, item, rating, timestamp), got ${count}`, buf, start, end);
      expected = count;
    } else if (count !== expected) {
      throw parseError(name, line, `expected ${expected} tab-separated fields like the first line, got ${count}`, buf, start, end);
    }
    const user = parseIndex(buf, fields.starts[0], fields.ends[0]);
    if (user < 0) throw parseError(name, line, 'the user id is not a non-negative integer', buf, start, end);
    const item = parseIndex(buf, fields.starts[1], fields.ends[1]);
    if (item < 0) throw parseError(name, line, 'the item id is not a non-negative integer', buf, start, end);
    if (count >= 3) {
      const rating = parseNumber(buf, fields.starts[2], fields.ends[2]);
      if (Number.isNaN(rating)) throw parseError(name, line, 'the rating is not a number', buf, start, end);
      if (skipNonPositive && rating <= 0) {
        skippedNonPositive++;
        return;
      }
    }
    if (count === 4) {
      const time = parseNumber(buf, fields.starts[3], fields.ends[3]);
      if (Number.isNaN(time)) throw parseError(name, line, 'the timestamp is not a number', buf, start, end);
      times.push(time);
    }
    users.push(user);
    items.push(item);
    if (user > maxUser) {
      maxUser = user;
      maxUserLine = line;
    }
    if (item > maxItem) {
      maxItem = item;
      maxItemLine = line;
    }
  });
  if (users.length === 0) {
    throw new RecsysError('EMPTY_INPUT', `${name} has no interaction with a positive rating (${skippedNonPositive} lines skipped)`, { file: name });
  }
  return {
    users: users.finish(),
    items: items.finish(),
    ...(expected === 4 ? { timestamps: times.finish() } : {}),
    maxUser,
    maxItem,
    maxUserLine,
    maxItemLine,
    skippedNonPositive,
  };
}

interface NegativeLists {
  lists: Int32Array[];
  dropped: number;
  maxItem: number;
  maxItemLine: number;
}

async function readNegatives(source: Source, test: RatingColumns, testName: string): Promise<NegativeLists> {
  const name = sourceName(source);
  const values = growableInt32(1 << 16);
  const offsets = growableInt32(test.users.length + 1);
  offsets.push(0);
  const fields = new Fields(1024);
  let row = 0;
  let dropped = 0;
  let maxItem = -1;
  let maxItemLine = 0;
  await forEachLine(source, (buf, start, end, line) => {
    if (row >= test.users.length) {
      throw parseError(name, line, `more lines than the ${test.users.length} rows of ${testName}`, buf, start, end);
    }
    const count = splitFields(buf, start, end, TAB, fields);
    if (count < 2) throw parseError(name, line, 'expected "(user,item)" followed by tab-separated negative items', buf, start, end);
    // the head "(user,item)"
    const headStart = fields.starts[0];
    const headEnd = fields.ends[0];
    const comma = buf.indexOf(COMMA, headStart);
    if (buf[headStart] !== OPEN || buf[headEnd - 1] !== CLOSE || comma < 0 || comma >= headEnd) {
      throw parseError(name, line, 'the first field must be "(user,item)"', buf, start, end);
    }
    const user = parseIndex(buf, headStart + 1, comma);
    const item = parseIndex(buf, comma + 1, headEnd - 1);
    if (user < 0 || item < 0) throw parseError(name, line, 'the first field must be "(user,item)" with non-negative integers', buf, start, end);
    if (user !== test.users[row] || item !== test.items[row]) {
      throw parseError(
        name,
        line,
        `the head (${user},${item}) does not match row ${row + 1} of ${testName}, which is (${test.users[row]},${test.items[row]})`,
        buf,
        start,
        end,
      );
    }
    // negatives: parse every field (a line may hold more than `fields` can store)
    const before = values.length;
    const droppedBefore = dropped;
    let fieldStart = headEnd + 1;
    while (fieldStart <= end) {
      let fieldEnd = buf.indexOf(TAB, fieldStart);
      if (fieldEnd < 0 || fieldEnd > end) fieldEnd = end;
      if (fieldStart === end) break; // tolerate one trailing tab
      const negative = parseIndex(buf, fieldStart, fieldEnd);
      if (negative < 0) {
        throw parseError(name, line, `negative ${show(new TextDecoder().decode(buf.subarray(fieldStart, Math.min(fieldEnd, fieldStart + 40))))} is not a non-negative integer`, buf, start, end);
      }
      if (negative === item) dropped++;
      else values.push(negative);
      if (negative > maxItem) {
        maxItem = negative;
        maxItemLine = line;
      }
      fieldStart = fieldEnd + 1;
    }
    if (values.length === before && dropped === droppedBefore) throw parseError(name, line, 'the line lists no negative items', buf, start, end);
    offsets.push(values.length);
    row++;
  });
  if (row !== test.users.length) {
    throw new RecsysError('PARSE_ERROR', `${name} has ${row} lines but ${testName} has ${test.users.length} rows: every test row needs its negatives`, {
      file: name,
    });
  }
  const all = values.finish();
  const bounds = offsets.finish();
  const lists = new Array<Int32Array>(row);
  for (let k = 0; k < row; k++) lists[k] = all.subarray(bounds[k], bounds[k + 1]);
  return { lists, dropped, maxItem, maxItemLine };
}

/** Index spaces up to this size are always accepted: their tables take a few MB at most. */
const SPARSE_FREE = 1 << 20;

/**
 * NCF ids are dense indices, so an index space cannot be larger than the number of ids the files
 * name. A far larger one comes from a stray huge id (a typo, or not an NCF file) and would make
 * every per-user or per-item table (here and in the model) gigabytes long for ids that do not exist.
 */
function checkDense(kind: 'user' | 'item', count: number, mentions: number, [file, line]: [string, number]): void {
  if (count > SPARSE_FREE && count > mentions) {
    throw new RecsysError(
      'PARSE_ERROR',
      `${file}:${line}: ${kind} id ${count - 1} implies ${count} ${kind}s, but the files name only ${mentions} ${kind} ids: NCF ids must be dense indices 0..n-1`,
      { file, line, value: count - 1 },
    );
  }
}

const SUFFIXES = { train: '.train.rating', test: '.test.rating', negative: '.test.negative' } as const;

async function locateFiles(location: string | URL): Promise<NcfFiles> {
  const given = await toFilePath(location);
  const { fs, path } = await nodeModules();
  let prefix: string;
  const stat = await fs.promises.stat(given).catch(() => undefined);
  if (stat?.isDirectory()) {
    const root = path.resolve(given);
    const names = (await fs.promises.readdir(root)).filter((n) => n.endsWith(SUFFIXES.train)).sort();
    if (names.length === 0) throw new RecsysError('FILE_NOT_FOUND', `no *${SUFFIXES.train} file in ${given}`, { path: given });
    if (names.length > 1) {
      throw new RecsysError('INVALID_ARGUMENT', `${given} holds ${names.length} *${SUFFIXES.train} files (${names.join(', ')}); pass a prefix such as ${path.join(given, names[0].slice(0, -SUFFIXES.train.length))}`, {
        path: given,
      });
    }
    prefix = path.join(root, names[0].slice(0, -SUFFIXES.train.length));
  } else {
    // concatenated, never normalized: 'dir/..' names 'dir/...train.rating', not a file above dir
    prefix = given;
  }
  const exists = async (file: string) => (await fs.promises.stat(file).catch(() => undefined))?.isFile() === true;
  // Only files inside the directory given are opened: each name is that directory + a basename
  // (from readdir, or the prefix's last segment) + a fixed suffix, so no '..' can lead elsewhere.
  const train = prefix + SUFFIXES.train;
  const test = prefix + SUFFIXES.test;
  const negative = prefix + SUFFIXES.negative;
  for (const file of [train, test]) {
    if (!(await exists(file))) throw new RecsysError('FILE_NOT_FOUND', `file not found: ${file}`, { path: file });
  }
  return (await exists(negative)) ? { train, test, negative } : { train, test };
}

/**
 * Reads the NCF leave-one-out split: `.train.rating`, `.test.rating` and (when present)
 * `.test.negative`, streamed with bounded memory. Ids are used as they are (NCF's ids are already
 * dense: users 0..6039, items 0..3705 for ML-1M). Every negative list's head `(user,item)` must
 * match the test row of the same position; a test item listed among its own negatives is removed
 * and counted, so evaluation never ranks the positive against itself.
 *
 * @param source - a directory, a path prefix (`'data/ml-1m'`), or `{ train, test, negative? }`
 * @returns the train and test interactions (the test carrying its listed negatives), the negatives
 *   per test row, and counts
 * @example
 * ```ts
 * const ncf = await readNcf('../shared/data/ml-1m-ncf');
 * ncf.train.users.length; //=> 994169
 * ncf.test.users.length; //=> 6040
 * ncf.test.negatives[0].length; //=> 99 (also ncf.testNegatives[0])
 * evaluateSampled(model, ncf.test, { k: 10 }); // 1 positive + its listed negatives each
 * ncf.droppedSelfNegatives; //=> 156
 * [ncf.numUsers, ncf.numItems]; //=> [6040, 3706]
 * ```
 */
export async function readNcf(source: NcfSource): Promise<NcfData> {
  let files: NcfFiles;
  if (isPathLike(source)) files = await locateFiles(source);
  else if (source !== null && typeof source === 'object' && 'train' in source && 'test' in source) files = source;
  else {
    throw new RecsysError('INVALID_ARGUMENT', `source must be a directory, a path prefix or { train, test, negative? }, got ${show(source)}`);
  }
  const [train, test] = await Promise.all([readRatings(files.train, true), readRatings(files.test, false)]);
  const negatives = files.negative === undefined ? undefined : await readNegatives(files.negative, test, sourceName(files.test));
  const numUsers = Math.max(train.maxUser, test.maxUser) + 1;
  const numItems = Math.max(train.maxItem, test.maxItem, negatives?.maxItem ?? -1) + 1;
  const trainName = sourceName(files.train);
  const testName = sourceName(files.test);
  const ratingLines = train.users.length + test.users.length;
  checkDense('user', numUsers, ratingLines, train.maxUser >= test.maxUser ? [trainName, train.maxUserLine] : [testName, test.maxUserLine]);
  const negativeCount = negatives === undefined ? 0 : negatives.lists.reduce((n, list) => n + list.length, negatives.dropped);
  const itemAt: [string, number] =
    negatives !== undefined && negatives.maxItem + 1 === numItems
      ? [sourceName(files.negative!), negatives.maxItemLine]
      : train.maxItem >= test.maxItem
        ? [trainName, train.maxItemLine]
        : [testName, test.maxItemLine];
  checkDense('item', numItems, ratingLines + negativeCount, itemAt);
  const collapsed = collapseDuplicates(train, numUsers, numItems, 'sum', false);
  const interactions = (c: { users: Int32Array; items: Int32Array; timestamps?: Float64Array }): Interactions => ({
    users: c.users,
    items: c.items,
    ...(c.timestamps === undefined ? {} : { timestamps: c.timestamps }),
    numUsers,
    numItems,
  });
  return {
    train: interactions(collapsed.columns),
    test: negatives === undefined ? interactions(test) : { ...interactions(test), negatives: negatives.lists },
    ...(negatives === undefined ? {} : { testNegatives: negatives.lists }),
    droppedSelfNegatives: negatives?.dropped ?? 0,
    numUsers,
    numItems,
    duplicates: collapsed.duplicates,
    skippedNonPositive: train.skippedNonPositive,
  };
}
