// The Recommender's state changes that grow or retrain part of its model: fold-in of a user
// (learned rows, maybe a new user) and adding an item scored from its features (add-item.ts). Each works on a
// ModelHost, the Recommender's private state seen through getters and setters, and runs inside the
// Recommender's exclusive queue (see exclusive.ts), so each sees one consistent state.
import type * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { IdMap } from '../data/index.js';
import { assertId } from '../data/id-map.js';
import { withUserRow, type SeenItems } from '../data/seen-items.js';
import { ncfSpec, type NcfArchitecture } from '../ncf/index.js';
import { inspectModel } from '../models/index.js';
import { entityRows, growSide, growSideBy, hasSideFeatures, newEntityRows, pooledPart } from './grow-side.js';
import { learnUser, resolveFoldInOptions, writeUserRows, type FoldInOptions, type FoldInResult, type ResolvedFoldInOptions } from './fold-in.js';
import type { ExternalId } from './recommender-types.js';

/** @internal The Recommender's state that fold-in and addItem read and replace. */
export interface ModelState {
  /** The tfjs model, or null when the Recommender serves a Scorer. */
  model: tf.LayersModel | null;
  /** The model's architecture (null for a custom model or a Scorer). */
  arch: NcfArchitecture | null;
  /** The items each user has seen. */
  seen: SeenItems;
  /** Popularity per item index. */
  popularity: Float64Array;
}

/** @internal The Recommender's state and helpers, as fold-in and addItem see them. */
export interface ModelHost {
  readonly users: IdMap<ExternalId>;
  readonly items: IdMap<ExternalId>;
  readonly state: ModelState;
  /** ' (a fitted item-knn baseline)' or '': for messages. */
  readonly servedKind: string;
  checkLive(): void;
  /** The user's index, undefined when unknown (INVALID_ID / ID_TYPE_MISMATCH for a bad id). */
  userIndex(id: ExternalId): number | undefined;
  /** Drops the caches built from the model (scorer, popularity order). */
  invalidate(): void;
}

/** @internal The standard model of `host`, or UNSUPPORTED_MODEL saying that `what` needs one. */
export function standardModel(host: ModelHost, what: string): { model: tf.LayersModel; arch: NcfArchitecture } {
  if (host.state.arch === null || host.state.model === null) {
    const kind = host.state.model === null ? `a Scorer${host.servedKind}: refit it on the new data instead` : 'a custom one';
    throw new RecsysError('UNSUPPORTED_MODEL', `${what} needs a standard GMF, MLP or NeuMF model; this model is ${kind}`);
  }
  return { model: host.state.model, arch: host.state.arch };
}

/** @internal `Recommender.foldIn`'s work (see its TSDoc). */
export async function foldInUser(host: ModelHost, userId: ExternalId, itemIds: Iterable<ExternalId>, options: FoldInOptions): Promise<FoldInResult> {
  host.checkLive();
  assertId(userId, 'user');
  const opts = resolveFoldInOptions(options);
  const { model, arch: hostArch } = standardModel(host, 'foldIn');
  if (itemIds === null || typeof itemIds !== 'object' || typeof (itemIds as Iterable<ExternalId>)[Symbol.iterator] !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `itemIds must be an iterable of item ids, got ${show(itemIds)}`);
  }
  const fresh: number[] = [];
  for (const id of itemIds) fresh.push(host.items.indexOf(id, 'item'));
  if (fresh.length === 0) throw new RecsysError('EMPTY_INPUT', `foldIn needs at least one item for user ${show(userId)}`);

  // a new user, unless the id is a known one of the other type (7 vs '7'): then ID_TYPE_MISMATCH
  const known = host.userIndex(userId);
  const { offsets, items: seenList } = host.state.seen;
  const old = known === undefined ? [] : Array.from(seenList.subarray(offsets[known], offsets[known + 1]));
  const positives = Int32Array.from(new Set([...old, ...fresh])).sort();
  const arch = { ...hostArch, numUsers: host.users.size };
  const poolRows = userPoolRows(model, known, opts, userId);
  const { factors, mlpWidth } = ncfSpec(arch);
  const pooled =
    poolRows.size === 0
      ? null
      : {
          gmf: factors > 0 ? pooledPart(model, 'user', 'gmf', poolRows, factors) : null,
          mlp: mlpWidth > 0 ? pooledPart(model, 'user', 'mlp', poolRows, mlpWidth) : null,
        };
  const { rows, loss } = await learnUser(model, arch, known, positives, opts, userId, pooled);

  let user: number;
  if (known === undefined) {
    const grown = await growSide(model, arch, 'user', rows, poolRows);
    host.checkLive();
    model.dispose();
    host.state.model = grown;
    user = host.users.add(userId);
  } else {
    writeUserRows(model, rows, known);
    user = known;
  }
  const oldSet = new Set(old);
  for (const item of positives) if (!oldSet.has(item)) host.state.popularity[item]++;
  host.state.seen = withUserRow(host.state.seen, host.users.size, user, positives);
  host.invalidate();
  return { user, added: known === undefined, positives: positives.length, loss, steps: opts.steps };
}

/**
 * The user's value rows per user FeaturePool layer: a new user's from `opts.features` (none given:
 * every field empty), a known user's from the model (giving features for them: INVALID_ARGUMENT).
 * Empty for a model without user features (features given for one: UNSUPPORTED_MODEL).
 */
function userPoolRows(model: tf.LayersModel, known: number | undefined, opts: ResolvedFoldInOptions, userId: ExternalId): Map<string, Int32Array> {
  if (known !== undefined && opts.features !== undefined) {
    throw new RecsysError('INVALID_ARGUMENT', `user ${show(userId)} is known (index ${known}): their features are in the model already; foldIn takes features for a new user only`, {
      value: userId,
    });
  }
  if (!hasSideFeatures(model, 'user')) {
    if (opts.features !== undefined) newEntityRows(model, 'user', opts.features, userId, 'foldIn with features');
    return new Map();
  }
  return known === undefined ? newEntityRows(model, 'user', opts.features ?? {}, userId, 'foldIn') : entityRows(model, 'user', known);
}

/** @internal `Recommender.addItem`'s work (see its TSDoc): the new item's index. */
export async function addItemTo(host: ModelHost, itemId: ExternalId, features: unknown): Promise<number> {
  const [item] = await addItemsTo(host, [{ id: itemId, features }], 'addItem');
  return item;
}

/** @internal `Recommender.addItems`'s work (see its TSDoc): the new items' indices, in order, after one rebuild. */
export async function addItemsTo(host: ModelHost, entries: unknown, what = 'addItems'): Promise<number[]> {
  host.checkLive();
  if (entries === null || typeof entries !== 'object' || typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `${what} takes an iterable of { id, features }, got ${show(entries)}`);
  }
  const list: { id: ExternalId; features: unknown }[] = [];
  const fresh = new Set<ExternalId>();
  for (const entry of entries as Iterable<unknown>) {
    if (entry === null || typeof entry !== 'object' || !('id' in entry)) {
      throw new RecsysError('INVALID_ARGUMENT', `${what}: each entry must be { id, features }, got ${show(entry)}`);
    }
    const { id, features } = entry as { id: unknown; features?: unknown };
    assertId(id, 'item');
    const known = host.items.index(id);
    if (known !== undefined) {
      throw new RecsysError('INVALID_ARGUMENT', `item ${show(id)} is already in the catalogue (index ${known}): ${what} adds new items only`, { value: id, index: known });
    }
    if (fresh.has(id)) throw new RecsysError('INVALID_ARGUMENT', `item ${show(id)} is listed twice: ${what} adds each new item once`, { value: id });
    // 7 where the map holds '7' (or the reverse): ID_TYPE_MISMATCH, never a second item
    host.items.assertNoTypeTwin(id, 'item');
    fresh.add(id);
    list.push({ id, features: features ?? {} });
  }
  if (list.length === 0) throw new RecsysError('EMPTY_INPUT', `${what} needs at least one item`);
  const { model, arch } = standardModel(host, what);
  const poolRows = new Map<string, Int32Array[]>();
  for (const { id, features } of list) {
    for (const [layer, rows] of newEntityRows(model, 'item', features, id, what)) {
      const perItem = poolRows.get(layer);
      if (perItem === undefined) poolRows.set(layer, [rows]);
      else perItem.push(rows);
    }
  }
  const grown = await growSideBy(model, { ...arch, numItems: host.items.size }, 'item', list.map(() => null), poolRows);
  try {
    host.checkLive();
    host.state.arch = inspectModel(grown);
  } catch (e) {
    grown.dispose();
    throw e;
  }
  model.dispose();
  host.state.model = grown;
  const indices = list.map(({ id }) => host.items.add(id));
  const popularity = new Float64Array(host.items.size);
  popularity.set(host.state.popularity);
  host.state.popularity = popularity;
  host.invalidate();
  return indices;
}
