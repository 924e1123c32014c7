// From the rows an app already has (objects from a database, JSON, a parsed CSV) to Interactions.
import { RecsysError } from '../errors.js';
import { assertOneOf, show } from '../_lib/validate.js';
import { IdMap } from './id-map.js';
import type { Interactions } from './interactions.js';
import { InteractionsBuilder, type Locator, type UnknownIdPolicy } from './_internal/builder.js';
import type { DuplicatePolicy } from './_internal/collapse.js';

export type { DuplicatePolicy, UnknownIdPolicy };

/** Which fields of a row hold what. @category Data */
export interface InteractionColumns {
  /** Field holding the user id (a non-empty string or a finite number). */
  user: string;
  /** Field holding the item id (a non-empty string or a finite number). */
  item: string;
  /** Optional field holding the time: a number, a numeric string, a `Date` or an ISO-8601 string (dates become milliseconds). */
  time?: string;
  /** Optional field holding the strength of the interaction (a finite number or numeric string). */
  weight?: string;
}

/** Options shared by {@link interactionsFrom} and {@link readCsv}. @category Data */
export interface MappingOptions<U extends string | number = string | number, I extends string | number = string | number> {
  /** Existing user map to use and extend (e.g. the training set's, when mapping test rows). Default: a new map. */
  users?: IdMap<U>;
  /** Existing item map to use and extend. Default: a new map. */
  items?: IdMap<I>;
  /**
   * Repeated (user, item) pairs. `'sum'` (default): one row per pair, weight = sum of the rows'
   * weights, or the number of rows when there is no weight column (weights are then added only if
   * some pair repeats), timestamp = latest. `'first'` / `'last'`: keep the earliest / latest row
   * by time (input order breaks ties and decides without a time column). `'keep'`: keep every row.
   * Kept rows stay in the order of their pair's first occurrence.
   */
  duplicates?: DuplicatePolicy;
  /**
   * An id missing from a map passed in `users` / `items`: `'add'` it (default), throw `'error'`
   * (UNKNOWN_USER / UNKNOWN_ITEM), or `'skip'` the row (counted in `skipped`).
   */
  unknownIds?: UnknownIdPolicy;
}

/** Interactions with the id maps that produced them. @category Data */
export interface MappedInteractions<U extends string | number = string | number, I extends string | number = string | number> {
  /** The interactions over dense indices; `numUsers` / `numItems` are the maps' sizes. */
  data: Interactions;
  /** External user id <-> user index. */
  users: IdMap<U>;
  /** External item id <-> item index. */
  items: IdMap<I>;
  /** How many rows repeated an earlier (user, item) pair (collapsed unless `duplicates: 'keep'`). */
  duplicates: number;
  /** Rows left out: unknown ids with `unknownIds: 'skip'`, or (MovieLens) ratings below `minRating`. */
  skipped: number;
}

/** @internal Checks the options shared by interactionsFrom and readCsv. */
export function checkMappingOptions(options: MappingOptions): { duplicates: DuplicatePolicy; unknownIds: UnknownIdPolicy } {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  const duplicates = options.duplicates ?? 'sum';
  assertOneOf('duplicates', duplicates, ['sum', 'first', 'last', 'keep'] as const);
  const unknownIds = options.unknownIds ?? 'add';
  assertOneOf('unknownIds', unknownIds, ['add', 'error', 'skip'] as const);
  for (const key of ['users', 'items'] as const) {
    if (options[key] !== undefined && !(options[key] instanceof IdMap)) {
      throw new RecsysError('INVALID_ARGUMENT', `options.${key} must be an IdMap, got ${show(options[key])}`);
    }
  }
  return { duplicates, unknownIds };
}

/** @internal Checks a columns object: user and item are required non-empty strings. */
export function checkColumns<C extends object>(columns: C, allowIndex: boolean): void {
  if (columns === null || typeof columns !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `columns must be an object like { user: 'userId', item: 'itemId' }, got ${show(columns)}`);
  }
  const record = columns as Record<string, unknown>;
  for (const key of ['user', 'item', 'time', 'weight']) {
    const value = record[key];
    if (value === undefined && (key === 'time' || key === 'weight')) continue;
    const ok = (typeof value === 'string' && value.length > 0) || (allowIndex && typeof value === 'number' && Number.isInteger(value) && value >= 0);
    if (!ok) {
      const expected = allowIndex ? 'a column name or a 0-based column index' : 'a field name';
      throw new RecsysError('INVALID_ARGUMENT', `columns.${key} must be ${expected}, got ${show(value)}`);
    }
  }
}

/**
 * A row without the field `columns[key]` names: lists the row's own fields, as readCsv lists a
 * header. The code is the one a missing value of that column gets (INVALID_ID for the ids,
 * NOT_FINITE for time and weight), so apps switching on codes see no change.
 */
function missingField(record: Record<string, unknown>, row: number, key: string, field: string, columns: InteractionColumns): RecsysError {
  const fields = Object.keys(record);
  const has = fields.length === 0 ? 'it has no fields' : `its fields are ${fields.slice(0, 20).map((f) => JSON.stringify(f)).join(', ')}${fields.length > 20 ? ', ...' : ''}`;
  const given = Object.entries(columns)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  const what = key === 'user' || key === 'item' ? `the ${key} id` : `the ${key}`;
  return new RecsysError(
    key === 'user' || key === 'item' ? 'INVALID_ID' : 'NOT_FINITE',
    `row ${row}, column ${JSON.stringify(field)}: ${what} is missing: the row has no field ${JSON.stringify(field)} (columns: { ${given} }) and ${has}; ` +
      `if your rows name it otherwise, say so in columns, e.g. { ${key}: ${JSON.stringify(fields[0] ?? field)} }`,
    { row, column: field, fields },
  );
}

/**
 * Maps rows with external ids to {@link Interactions}: each distinct user and item id gets a dense
 * index (in order of first appearance) through an {@link IdMap}. Repeated (user, item) pairs are
 * collapsed and counted (see {@link MappingOptions.duplicates}).
 *
 * @param rows - objects (an array, any iterable, or an array-like)
 * @param columns - which fields hold the user, the item, and optionally the time and the weight
 * @param options - existing id maps to extend, the duplicate policy, what to do with unknown ids
 * @returns the interactions, the two id maps, and how many duplicate rows were found
 * @example
 * ```ts
 * const { data, users, items, duplicates } = interactionsFrom(
 *   [
 *     { user: 'alice', movie: 'Heat', ts: 10 },
 *     { user: 'bob', movie: 'Up', ts: 11 },
 *     { user: 'alice', movie: 'Heat', ts: 12 },
 *   ],
 *   { user: 'user', item: 'movie', time: 'ts' },
 * );
 * data.users; //=> Int32Array [0, 1]
 * data.items; //=> Int32Array [0, 1]
 * data.weights; //=> Float32Array [2, 1]   (alice watched Heat twice)
 * data.timestamps; //=> Float64Array [12, 11]
 * duplicates; //=> 1
 * users.id(1); //=> 'bob'
 * ```
 */
export function interactionsFrom<U extends string | number = string | number, I extends string | number = string | number>(
  rows: Iterable<Record<string, unknown>> | ArrayLike<Record<string, unknown>>,
  columns: InteractionColumns,
  options: MappingOptions<U, I> = {},
): MappedInteractions<U, I> {
  checkColumns(columns, false);
  const { duplicates, unknownIds } = checkMappingOptions(options as MappingOptions);
  if (rows === null || typeof rows !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `rows must be an array or an iterable of objects, got ${show(rows)}`);
  }
  const builder = new InteractionsBuilder<U, I>(
    options.users ?? new IdMap<U>({ kind: 'user' }),
    options.items ?? new IdMap<I>({ kind: 'item' }),
    columns.time !== undefined,
    columns.weight !== undefined,
    unknownIds,
    { users: options.users !== undefined, items: options.items !== undefined },
  );
  let row = 0;
  const where: Locator = { at: (column) => `row ${row}, column ${JSON.stringify(column)}` };
  const addRow = (record: Record<string, unknown>): void => {
    if (record === null || typeof record !== 'object') {
      throw new RecsysError('INVALID_ARGUMENT', `row ${row} must be an object, got ${show(record)}`, { row });
    }
    for (const key of ['user', 'item', 'time', 'weight'] as const) {
      const field = columns[key];
      if (field !== undefined && record[field] === undefined && !(field in record)) throw missingField(record, row, key, field, columns);
    }
    builder.add(
      record[columns.user],
      record[columns.item],
      columns.time === undefined ? undefined : record[columns.time],
      columns.weight === undefined ? undefined : record[columns.weight],
      where,
      columns,
    );
  };
  if (typeof (rows as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const record of rows as Iterable<Record<string, unknown>>) {
      addRow(record);
      row++;
    }
  } else {
    const list = rows as ArrayLike<Record<string, unknown>>;
    if (!(typeof list.length === 'number' && list.length >= 0)) {
      throw new RecsysError('INVALID_ARGUMENT', `rows must be an array or an iterable of objects, got ${show(rows)}`);
    }
    for (; row < list.length; row++) addRow(list[row]);
  }
  return builder.finish(duplicates, 'rows');
}
