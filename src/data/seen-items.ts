// The one per-user index of "what a user has seen": each user's distinct items, ascending, in CSR
// form. Built once from an Interactions and passed along: the negative sampler blocks these items,
// evaluation removes them from the ranking (or from the negatives it draws), recommend leaves them
// out, and the Recommender keeps one for its users. The `exclude` option of those calls is checked
// here too, by one validator, so all of them agree on what "seen" means and what a bad one is.
import { RecsysError } from '../errors.js';
import { assertIndices, show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from './interactions.js';
import { groupByUser } from './_internal/group.js';

/**
 * The items each user has seen, in CSR form over dense indices: user `u`'s items are
 * `items[offsets[u] .. offsets[u + 1])`, sorted ascending and distinct. Build one with
 * {@link seenItems}; `evaluateFull`, `evaluateSampled`, `recommend`, the `NegativeSampler` and the
 * `Recommender` take it wherever they take the training interactions to exclude.
 *
 * @category Data
 * @example
 * ```ts
 * const seen = seenItems({ users: Int32Array.of(1, 0, 1), items: Int32Array.of(4, 2, 0), numUsers: 2, numItems: 5 });
 * seen.offsets; //=> Int32Array [0, 1, 3]
 * seen.items;   //=> Int32Array [2, 0, 4]
 * ```
 */
export interface SeenItems {
  /** `numUsers + 1` non-decreasing offsets into `items`, starting at 0 and ending at `items.length`. */
  readonly offsets: Int32Array;
  /** Item indices, grouped by user, ascending and distinct within each user. */
  readonly items: Int32Array;
}

/**
 * Indexes what each user has seen: the distinct items of every user of `data`, ascending. Build it
 * once (e.g. from the training set) and pass it as `exclude` (or a Recommender's `seen`) to every
 * call that needs it, instead of letting each call regroup the interactions.
 *
 * @category Data
 * @param data - the interactions (validated)
 * @returns the index over `data.numUsers` users
 * @example
 * ```ts
 * const seen = seenItems(train);
 * evaluateFull(model, test, { exclude: seen, k: 10 });
 * recommend(model, 0, { k: 10, exclude: seen });
 * ```
 */
export function seenItems(data: Interactions): SeenItems {
  validateInteractions(data, 'data');
  return groupSeenItems(data.users, data.items, data.numUsers);
}

/**
 * Groups `users[k] -> items[k]` by user, each user's items sorted with duplicates dropped.
 * `numUsers` must exceed every user index (the caller has validated them).
 */
export function groupSeenItems(users: Int32Array, items: Int32Array, numUsers: number): SeenItems {
  const groups = groupByUser(users, numUsers);
  const grouped = new Int32Array(users.length);
  for (let k = 0; k < users.length; k++) grouped[k] = items[groups.order[k]];
  const offsets = new Int32Array(numUsers + 1);
  let write = 0;
  for (let u = 0; u < numUsers; u++) {
    const run = grouped.subarray(groups.offsets[u], groups.offsets[u + 1]).sort();
    offsets[u] = write;
    for (let j = 0; j < run.length; j++) if (j === 0 || run[j] !== run[j - 1]) grouped[write++] = run[j];
  }
  offsets[numUsers] = write;
  return { offsets, items: write === grouped.length ? grouped : grouped.slice(0, write) };
}

/** The distinct items `user` has seen (a view, ascending). */
export function itemsSeenBy(seen: SeenItems, user: number): Int32Array {
  return seen.items.subarray(seen.offsets[user], seen.offsets[user + 1]);
}

/** Per-user sorted union of two indexes over the same users. */
export function mergeSeenItems(a: SeenItems, b: SeenItems): SeenItems {
  const numUsers = a.offsets.length - 1;
  const offsets = new Int32Array(numUsers + 1);
  const items = new Int32Array(a.items.length + b.items.length);
  let write = 0;
  for (let u = 0; u < numUsers; u++) {
    offsets[u] = write;
    let i = a.offsets[u];
    let j = b.offsets[u];
    const iEnd = a.offsets[u + 1];
    const jEnd = b.offsets[u + 1];
    while (i < iEnd || j < jEnd) {
      let v: number;
      if (j >= jEnd || (i < iEnd && a.items[i] < b.items[j])) v = a.items[i++];
      else if (i >= iEnd || b.items[j] < a.items[i]) v = b.items[j++];
      else {
        v = a.items[i++];
        j++;
      }
      items[write++] = v;
    }
  }
  offsets[numUsers] = write;
  return { offsets, items: items.slice(0, write) };
}

/** Whether a (non-null) object is shaped as a {@link SeenItems} rather than an Interactions. */
export function isSeenItems(value: object): value is SeenItems {
  return 'offsets' in value && !('users' in value);
}

/**
 * Checks a {@link SeenItems} over `numUsers` users and `numItems` items: Int32Arrays, offsets of
 * length numUsers + 1 from 0 to items.length, never decreasing, each user's items in range,
 * ascending and distinct. Returns it (not a copy).
 */
export function checkSeenItems(seen: SeenItems, numUsers: number, numItems: number, name: string): SeenItems {
  const { offsets, items } = seen;
  if (!(offsets instanceof Int32Array) || !(items instanceof Int32Array)) {
    throw new RecsysError('INVALID_ARGUMENT', `${name}.offsets and ${name}.items must be Int32Arrays`);
  }
  if (offsets.length !== numUsers + 1) {
    throw new RecsysError('SHAPE_MISMATCH', `${name}.offsets has length ${offsets.length}, expected numUsers + 1 = ${numUsers + 1}`);
  }
  if (offsets[0] !== 0 || offsets[numUsers] !== items.length) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `${name}.offsets must start at 0 and end at ${name}.items.length (${items.length}), got ${offsets[0]} .. ${offsets[numUsers]}`,
    );
  }
  for (let u = 0; u < numUsers; u++) {
    if (offsets[u + 1] < offsets[u]) {
      throw new RecsysError('INVALID_ARGUMENT', `${name}.offsets decreases at user ${u}: ${offsets[u]} then ${offsets[u + 1]}`);
    }
    for (let j = offsets[u]; j < offsets[u + 1]; j++) {
      const item = items[j];
      if (!(item >= 0 && item < numItems)) {
        throw new RecsysError('ITEM_OUT_OF_RANGE', `${name}.items[${j}] = ${item} is not an item index in 0..${numItems - 1} (numItems=${numItems})`, {
          index: j,
          value: item,
        });
      }
      if (j > offsets[u] && item <= items[j - 1]) {
        throw new RecsysError('INVALID_ARGUMENT', `${name}.items of user ${u} must be sorted and distinct, got ${items[j - 1]} then ${item}`);
      }
    }
  }
  return seen;
}

/**
 * The `exclude` validator of every call that takes one (evaluation, recommend, the sampler, the
 * Recommender's `seen`): undefined, a well-formed Interactions whose indices fit `numUsers` x
 * `numItems`, or a well-formed {@link SeenItems} over exactly `numUsers` users.
 *
 * @param exclude - the value to check
 * @param numUsers - users of the model (or data) the exclusion applies to
 * @param numItems - items of the model (or data)
 * @param name - the option's name in messages (default `'exclude'`)
 * @returns `exclude`, typed
 */
export function checkExclude(exclude: unknown, numUsers: number, numItems: number, name = 'exclude'): Interactions | SeenItems | undefined {
  if (exclude === undefined) return undefined;
  if (exclude === null || typeof exclude !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an Interactions or a SeenItems index, got ${show(exclude)}`);
  }
  if (isSeenItems(exclude)) return checkSeenItems(exclude, numUsers, numItems, name);
  const given = exclude as Interactions;
  const entry = excludeEntry(given, numUsers);
  // checked before with the same arrays against the same sizes: a loop of calls checks it once
  if (entry.checkedItems === numItems) return given;
  const data = validateInteractions(given, name);
  assertIndices('user', `${name}.users`, data.users, numUsers);
  assertIndices('item', `${name}.items`, data.items, numItems);
  entry.checkedItems = numItems;
  return data;
}

// What is known of an Interactions passed as `exclude`, kept per object: a loop of calls with the
// same training set (recommend per user, evaluation per chunk) checks and groups it once, not once
// per call. Reused only while the object still holds the same arrays of the same length for the
// same number of users; arrays changed in place are not detected (the docs say to pass a new object).
interface ExcludeEntry {
  readonly users: unknown;
  readonly items: unknown;
  readonly length: unknown;
  readonly numUsers: number;
  /** The item count the indices were checked against (undefined until a check passed). */
  checkedItems: number | undefined;
  /** The object's index over `numUsers` users, once built. */
  seen: SeenItems | undefined;
}

const excludeCache = new WeakMap<Interactions, ExcludeEntry>();

function excludeEntry(data: Interactions, numUsers: number): ExcludeEntry {
  const known = excludeCache.get(data);
  const length = (data.users as { length?: unknown } | undefined)?.length;
  if (known !== undefined && known.users === data.users && known.items === data.items && known.length === length && known.numUsers === numUsers) return known;
  const entry: ExcludeEntry = { users: data.users, items: data.items, length, numUsers, checkedItems: undefined, seen: undefined };
  excludeCache.set(data, entry);
  return entry;
}

/**
 * The index of a checked `exclude` over `numUsers` users (a SeenItems is returned as it is; an
 * Interactions is grouped on first use and the index kept for the same object).
 */
export function toSeenItems(exclude: Interactions | SeenItems, numUsers: number): SeenItems {
  if (isSeenItems(exclude)) return exclude;
  const entry = excludeEntry(exclude, numUsers);
  entry.seen ??= groupSeenItems(exclude.users, exclude.items, numUsers);
  return entry.seen;
}

/**
 * A copy of `seen` over `numUsers` users (at least as many as it covers) with `user`'s row replaced
 * by `items` (ascending, distinct); users beyond the old index get empty rows.
 */
export function withUserRow(seen: SeenItems, numUsers: number, user: number, items: Int32Array): SeenItems {
  const { offsets, items: all } = seen;
  const before = user < offsets.length - 1 ? offsets[user] : all.length;
  const after = user < offsets.length - 1 ? offsets[user + 1] : all.length;
  const nextItems = new Int32Array(all.length - (after - before) + items.length);
  nextItems.set(all.subarray(0, before));
  nextItems.set(items, before);
  nextItems.set(all.subarray(after), before + items.length);
  const nextOffsets = new Int32Array(numUsers + 1);
  const delta = items.length - (after - before);
  for (let u = 0; u <= numUsers; u++) {
    const o = u < offsets.length ? offsets[u] : all.length;
    nextOffsets[u] = u <= user ? o : o + delta;
  }
  return { offsets: nextOffsets, items: nextItems };
}
