// The Recommender's by-id helpers that need no instance: the popular items (its fallback for unknown
// users, optionally restricted), the item indices a request allows (candidates by id, a filter),
// and `recommendAll` by id: its stream of batches, with unknown users' popular lists in place.
import { RecsysError } from '../errors.js';
import { assertK, assertOneOf, show } from '../_lib/validate.js';
import type { IdMap } from '../data/index.js';
import { recommendAll, withStatus, type RecommendAllBatch, type RecommendAllStream } from './recommend-all.js';
import type { SeenItems } from '../data/seen-items.js';
import type { Scorer } from '../scoring/index.js';
import type { ThreadStatus } from './recommend-all-threads.js';
import type { ExternalId, RecommendedItem, RecommenderRecommendAllOptions, UnknownUserPolicy, UserRecommendations } from './recommender-types.js';

/** The unknown-user policies a Recommender accepts. */
export const POLICIES: readonly UnknownUserPolicy[] = ['popular', 'error'];

/** The checked `k` (default 10, at most numItems), `excludeSeen` (default true) and `unknownUser` of a request. */
export function checkRequest(
  options: { k?: number; excludeSeen?: boolean; unknownUser?: UnknownUserPolicy } | null,
  defaultPolicy: UnknownUserPolicy,
  numItems: number,
): { k: number; excludeSeen: boolean; unknownUser: UnknownUserPolicy } {
  if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  const { k = 10, excludeSeen = true, unknownUser = defaultPolicy } = options;
  assertK(k);
  if (typeof excludeSeen !== 'boolean') throw new RecsysError('INVALID_ARGUMENT', `excludeSeen must be true or false, got ${show(excludeSeen)}`);
  assertOneOf('unknownUser', unknownUser, POLICIES);
  if (k > numItems) throw new RecsysError('INVALID_K', `k = ${k} is larger than the number of items (${numItems})`, { k, numItems });
  return { k, excludeSeen, unknownUser };
}

/**
 * The users a `recommendAll` asks for (every known one by default), each one's index (-1 when
 * unknown; UNKNOWN_USER instead with `errorOnUnknown`) and the known indices in order.
 */
export function askedUsers<UserId extends ExternalId>(
  users: Iterable<UserId> | undefined,
  map: IdMap<UserId>,
  lookup: (id: UserId) => number | undefined,
  errorOnUnknown: boolean,
): { ids: UserId[]; index: Int32Array; knownUsers: Int32Array } {
  let ids: UserId[];
  if (users === undefined) {
    ids = Array.from({ length: map.size }, (_, u) => map.id(u));
  } else {
    if (users === null || typeof (users as Iterable<UserId>)[Symbol.iterator] !== 'function' || typeof users === 'string') {
      throw new RecsysError('INVALID_ARGUMENT', `users must be an iterable of user ids, got ${show(users)}`);
    }
    ids = Array.from(users);
  }
  const index = new Int32Array(ids.length);
  let known = 0;
  for (let p = 0; p < ids.length; p++) {
    const u = lookup(ids[p]);
    if (u === undefined && errorOnUnknown) map.indexOf(ids[p], 'user');
    index[p] = u ?? -1;
    if (u !== undefined) known++;
  }
  const knownUsers = new Int32Array(known);
  for (let p = 0, q = 0; p < ids.length; p++) if (index[p] >= 0) knownUsers[q++] = index[p];
  return { ids, index, knownUsers };
}

/**
 * The K most popular items in `order` (only `allowed` ones when given), each scored by its share
 * of all popularity.
 */
export function popularItems<ItemId extends ExternalId>(
  counts: Float64Array,
  order: Int32Array,
  k: number,
  allowed: Int32Array | undefined,
  idOf: (item: number) => ItemId,
): RecommendedItem<ItemId>[] {
  let total = 0;
  for (const c of counts) total += c;
  let keep: Uint8Array | undefined;
  if (allowed !== undefined) {
    keep = new Uint8Array(counts.length);
    for (const item of allowed) keep[item] = 1;
  }
  const out: RecommendedItem<ItemId>[] = [];
  for (let j = 0; j < order.length && out.length < k; j++) {
    const item = order[j];
    if (keep !== undefined && keep[item] === 0) continue;
    out.push({ id: idOf(item), score: total > 0 ? counts[item] / total : 0, source: 'popularity' });
  }
  return out;
}

/** Item indices allowed by `candidates` (ids; each must be known) and `filter`, ascending and distinct. */
export function allowedItemIndices<ItemId extends ExternalId>(
  items: IdMap<ItemId>,
  candidates: Iterable<ItemId> | undefined,
  filter: ((itemId: ItemId) => boolean) | undefined,
): Int32Array {
  if (filter !== undefined && typeof filter !== 'function') throw new RecsysError('INVALID_ARGUMENT', `filter must be a function (itemId) => boolean, got ${show(filter)}`);
  let indices: number[];
  if (candidates === undefined) {
    indices = Array.from({ length: items.size }, (_, i) => i);
  } else {
    if (candidates === null || typeof candidates !== 'object' || typeof (candidates as Iterable<ItemId>)[Symbol.iterator] !== 'function') {
      throw new RecsysError('INVALID_ARGUMENT', `candidates must be an iterable of item ids (an array or a Set), got ${show(candidates)}`);
    }
    indices = Array.from(new Set(Array.from(candidates, (id) => items.indexOf(id, 'item')))).sort((a, b) => a - b);
  }
  if (filter !== undefined) indices = indices.filter((i) => filter(items.id(i)));
  return Int32Array.from(indices);
}

/** What {@link streamUserBatches} streams from. */
export interface UserBatchSource<UserId extends ExternalId, ItemId extends ExternalId> {
  /** The users asked for, in order. */
  readonly ids: readonly UserId[];
  /** Each asked-for user's index, -1 for an unknown one. */
  readonly index: Int32Array;
  readonly k: number;
  /** The index-level batches of the known users, in order (undefined when none is known). */
  readonly batches: RecommendAllStream<RecommendAllBatch> | undefined;
  /** Users per batch of the trailing unknown users. */
  readonly unknownBatch: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
  readonly itemId: (item: number) => ItemId;
  /** The popular items an unknown user gets. */
  readonly popular: () => RecommendedItem<ItemId>[];
  /** Throws once the Recommender is disposed. */
  readonly checkLive: () => void;
}

/**
 * The batches of `Recommender.recommendAll` by id: each index-level batch with the unknown users
 * asked for before its users put in place (popular items), then the unknown users after the last
 * known one, `unknownBatch` at a time.
 */
export async function* streamUserBatches<UserId extends ExternalId, ItemId extends ExternalId>(
  source: UserBatchSource<UserId, ItemId>,
): AsyncGenerator<UserRecommendations<UserId, ItemId>[], void, undefined> {
  const { ids, index, k, batches, unknownBatch, signal, onProgress, itemId, popular, checkLive } = source;
  let p = 0; // next asked-for user to emit
  const popularFor = (position: number): UserRecommendations<UserId, ItemId> => ({ user: ids[position], items: popular() });
  if (batches !== undefined) {
    for await (const batch of batches) {
      checkLive();
      const out: UserRecommendations<UserId, ItemId>[] = [];
      for (let r = 0; r < batch.users.length; r++) {
        while (index[p] < 0) out.push(popularFor(p++));
        const items: RecommendedItem<ItemId>[] = [];
        for (let t = 0; t < batch.counts[r]; t++) items.push({ id: itemId(batch.items[r * k + t]), score: batch.scores[r * k + t], source: 'model' });
        out.push({ user: ids[p++], items });
      }
      onProgress?.(p, ids.length);
      yield out;
    }
    if (signal?.aborted) return;
  }
  // users after the last known one (or all of them when none is known): popular items
  while (p < ids.length) {
    if (signal?.aborted) return;
    const out: UserRecommendations<UserId, ItemId>[] = [];
    for (const end = Math.min(ids.length, p + unknownBatch); p < end; ) out.push(popularFor(p++));
    onProgress?.(p, ids.length);
    yield out;
  }
}

/**
 * The threads of `Recommender.recommendAll`: those of its index-level stream, or one (saying why
 * when more were asked) when no asked-for user is known.
 */
export function statusOf(batches: RecommendAllStream<RecommendAllBatch> | undefined, threads: number | 'auto' | undefined): ThreadStatus {
  return {
    get threads(): number {
      return batches?.threads ?? 1;
    },
    get fallbackReason(): string | undefined {
      if (batches !== undefined) return batches.fallbackReason;
      return threads === undefined || threads === 1 ? undefined : 'no asked-for user is known to the model: only popular items, no scoring';
    },
  };
}

/** What `Recommender.recommendAll` reads from its Recommender. */
export interface RecommendAllHost<UserId extends ExternalId, ItemId extends ExternalId> {
  readonly users: IdMap<UserId>;
  readonly items: IdMap<ItemId>;
  /** The Recommender's default policy for unknown users. */
  readonly unknownUser: UnknownUserPolicy;
  readonly seen: SeenItems;
  /** The Recommender's (cached) scorer. */
  readonly scorer: () => Scorer;
  /** The user's index, undefined when unknown. */
  readonly userIndex: (id: UserId) => number | undefined;
  /** The k most popular items. */
  readonly popular: (k: number) => RecommendedItem<ItemId>[];
  /** Throws once the Recommender is disposed. */
  readonly checkLive: () => void;
}

/** `Recommender.recommendAll`'s work (see its TSDoc): every id checked now, then the stream. */
export function recommendAllById<UserId extends ExternalId, ItemId extends ExternalId>(
  host: RecommendAllHost<UserId, ItemId>,
  options: RecommenderRecommendAllOptions<UserId>,
): RecommendAllStream<UserRecommendations<UserId, ItemId>[]> {
  const { k, excludeSeen, unknownUser } = checkRequest(options, host.unknownUser, host.items.size);
  const { users, batchUsers, threads, signal, onProgress } = options;
  // every id checked now, before any batch
  const { ids, index, knownUsers } = askedUsers(users, host.users, host.userIndex, unknownUser === 'error');
  const batches =
    knownUsers.length > 0
      ? recommendAll(host.scorer(), {
          k,
          users: knownUsers,
          ...(excludeSeen ? { exclude: host.seen } : {}),
          ...(batchUsers === undefined ? {} : { batchUsers }),
          ...(threads === undefined ? {} : { threads }),
          ...(signal === undefined ? {} : { signal }),
        })
      : undefined;
  const stream = streamUserBatches({
    ids,
    index,
    k,
    batches,
    unknownBatch: batchUsers ?? 256,
    signal,
    onProgress,
    itemId: (item) => host.items.id(item),
    popular: () => host.popular(k),
    checkLive: host.checkLive,
  });
  return withStatus(stream, statusOf(batches, threads));
}
