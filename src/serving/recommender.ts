// The app facade: a trained model together with the id maps, the items each user has seen and
// the item popularity, so an app speaks its own ids (`rec.recommend('alice')`) and never dense
// indices. It is also the unit that saveModel/loadModel persist.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertK, assertOneOf, show } from '../_lib/validate.js';
import { IdMap, interactionsFrom } from '../data/index.js';
import { assertId } from '../data/id-map.js';
import { itemsSeenBy, type SeenItems } from '../data/seen-items.js';
import type { NcfArchitecture } from '../ncf/index.js';
import { train } from '../training/index.js';
import type { TrainHistory } from '../training/types.js';
import { createScorer, type Scorer } from '../scoring/index.js';
import { recommend } from './recommend.js';
import type { RecommendAllStream } from './recommend-all.js';
import { POLICIES, allowedItemIndices, checkRequest, popularItems, recommendAllById } from './recommender-batch.js';
import { runExclusive } from './exclusive.js';
import { hasNeighbours, neighboursOf } from './similar.js';
import type { FoldInOptions, FoldInResult } from './fold-in.js';
import { fitFeatures } from './fit-features.js';
import { addItemsTo, addItemTo, foldInUser, type ModelHost, type ModelState } from './recommender-grow.js';
import { buildNcf, checkParts, popularityOrder, withUserId } from './recommender-parts.js';
import type {
  ExternalId,
  RecommendedItem,
  RecommenderFitOptions,
  RecommenderParts,
  RecommenderRecommendAllOptions,
  RecommenderRecommendOptions,
  RecommenderSimilarOptions,
  UserRecommendations,
  SimilarItem,
  UnknownUserPolicy,
} from './recommender-types.js';

const MODELS = ['neumf', 'gmf', 'mlp'] as const;

/**
 * A trained recommender that speaks an app's own ids: the model, the user and item id maps, the
 * items each user has seen and the item popularity. Build one with {@link Recommender.fit} (from
 * rows, trains a model) or {@link Recommender.from} (around an already trained model); persist it
 * with `saveModel` / `loadModel`.
 *
 * A user the model does not know gets the most popular items (marked `source: 'popularity'`), or
 * an `UNKNOWN_USER` error with `unknownUser: 'error'`; {@link Recommender.foldIn} teaches the model
 * a new user from a few items without retraining, and {@link Recommender.addItem} adds a new item
 * to a model with item features (scored from its features).
 *
 * @typeParam UserId - the type of the external user ids
 * @typeParam ItemId - the type of the external item ids
 * @example
 * ```ts
 * const rec = await Recommender.fit(rows, { model: 'neumf', epochs: 20 });
 * rec.recommend('alice', { k: 3 });
 * //=> [{ id: 'Heat', score: 0.93, source: 'model' }, { id: 'Ronin', score: 0.88, source: 'model' }, ...]
 * rec.similar('Heat', { k: 1 }); //=> [{ id: 'Ronin', score: 0.91 }]
 * ```
 * @category Serving
 */
export class Recommender<UserId extends ExternalId = ExternalId, ItemId extends ExternalId = ExternalId> {
  /** External user id <-> user index. Grows when {@link Recommender.foldIn} adds a user. */
  readonly users: IdMap<UserId>;
  /** External item id <-> item index. Grows when {@link Recommender.addItem} adds an item. */
  readonly items: IdMap<ItemId>;
  /** What `recommend` does for an unknown user, unless a call overrides it. */
  readonly unknownUser: UnknownUserPolicy;
  /** The training history when built by {@link Recommender.fit}; undefined otherwise. */
  readonly history: TrainHistory | undefined;

  /** The model, its architecture, the seen items and the popularity: what fold-in and addItem replace. */
  private readonly state: ModelState;
  /** The Scorer given instead of a model (e.g. a baseline), owned; null for a model. */
  private readonly served: Scorer | null;
  private modelScorer: Scorer | undefined;
  private popularOrder: Int32Array | undefined;
  private disposed = false;

  /**
   * Wraps an already trained model; same as {@link Recommender.from}.
   *
   * @param parts - the model, the id maps, and optionally seen items, popularity and the unknown-user policy
   * @param history - the training history to keep, if any
   */
  constructor(parts: RecommenderParts<UserId, ItemId>, history?: TrainHistory) {
    const { served, users, items, unknownUser, state } = checkParts(parts);
    this.served = served;
    this.users = users;
    this.items = items;
    this.unknownUser = unknownUser;
    this.history = history;
    this.state = state;
  }

  /**
   * Wraps an already trained model with its id maps (and optionally the seen items and popularity).
   *
   * @param parts - see {@link RecommenderParts}
   * @returns the recommender (owning the model)
   * @example
   * ```ts
   * const { data, users, items } = interactionsFrom(rows, { user: 'user', item: 'item' });
   * const model = NeuMF({ numUsers: users.size, numItems: items.size });
   * await train(model, data, { epochs: 10 });
   * const rec = Recommender.from({ model, users, items, seen: data });
   * rec.recommend('alice', { k: 1 }); //=> [{ id: 'Heat', score: 0.93, source: 'model' }]
   * ```
   */
  static from<U extends ExternalId, I extends ExternalId>(parts: RecommenderParts<U, I>): Recommender<U, I> {
    return new Recommender(parts);
  }

  /**
   * Builds the id maps from `rows`, builds a model (NeuMF by default), trains it, and keeps the seen
   * items and the popularity.
   *
   * @param rows - interaction rows: objects with a user and an item field (see `options.columns`)
   * @param options - the model (`'neumf' | 'gmf' | 'mlp'`, `factors`, `layers`), `columns`,
   *   `unknownUser`, side features (`itemFeatures` / `userFeatures`: rows keyed by `id`, with
   *   `itemFields` / `userFields` to choose and bucket fields; catalogue items without interactions
   *   are added after training, scored from their features), and any `train()` option (`epochs`,
   *   `seed`, ...; `seed` also seeds the weights)
   * @returns the trained recommender; `history` holds the training history
   * @example
   * ```ts
   * const rec = await Recommender.fit(
   *   [{ user: 'alice', item: 'Heat' }, { user: 'bob', item: 'Up' }],
   *   { model: 'gmf', factors: 8, epochs: 5 },
   * );
   * rec.users.size; //=> 2
   *
   * // with side features: 'sku-new' has no interaction yet, and is recommended from its genre
   * const hybrid = await Recommender.fit(events, {
   *   itemFeatures: [{ id: 'sku-1', genre: ['drama', 'crime'], brand: 'acme' }, { id: 'sku-new', genre: 'drama' }],
   *   userFeatures: [{ id: 'alice', country: 'fr' }],
   *   epochs: 10,
   * });
   * hybrid.recommend('alice', { k: 10, candidates: ['sku-1', 'sku-new'] });
   * ```
   */
  static async fit<U extends ExternalId = ExternalId, I extends ExternalId = ExternalId>(
    rows: Iterable<Record<string, unknown>> | ArrayLike<Record<string, unknown>>,
    options: RecommenderFitOptions = {},
  ): Promise<Recommender<U, I>> {
    if (options === null || typeof options !== 'object') {
      throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
    }
    const {
      model: kind = 'neumf', columns = { user: 'user', item: 'item' }, factors, layers, unknownUser = 'popular',
      itemFeatures, itemFields, userFeatures, userFields, ...trainOptions
    } = options;
    assertOneOf('model', kind, MODELS);
    assertOneOf('unknownUser', unknownUser, POLICIES);
    const { data, users, items } = interactionsFrom<U, I>(rows, columns);
    if (data.users.length === 0) throw new RecsysError('EMPTY_INPUT', 'rows hold no interactions to fit on');
    const { newItems, ...features } = fitFeatures({ itemFeatures, itemFields, userFeatures, userFields }, users, items);
    const seed = trainOptions.seed ?? 42;
    const sizes = { numUsers: users.size, numItems: items.size, seed };
    const model = buildNcf(kind, sizes, factors, layers, features);
    let rec: Recommender<U, I> | null = null;
    try {
      const history = await train(model, data, trainOptions);
      rec = new Recommender<U, I>({ model, users, items, seen: data, unknownUser }, history);
      // catalogue items nobody interacted with yet: scored from their features, never negatives
      if (newItems.length > 0) await rec.addItems(newItems as { id: I; features: Record<string, unknown> }[]);
      return rec;
    } catch (e) {
      if (rec === null) model.dispose();
      else rec.dispose();
      throw withUserId(e, users);
    }
  }

  /**
   * The model. {@link Recommender.foldIn} of a new user and {@link Recommender.addItem} replace it
   * with a grown copy. A Recommender built around a Scorer (e.g. a baseline) has none:
   * UNSUPPORTED_MODEL, use {@link Recommender.scorer}.
   */
  get model(): tf.LayersModel {
    this.checkLive();
    if (this.state.model === null) {
      throw new RecsysError('UNSUPPORTED_MODEL', `this Recommender serves a Scorer${this.servedKind()}, not a tfjs model: use rec.scorer`);
    }
    return this.state.model;
  }

  /** True when the Recommender serves a tfjs model ({@link Recommender.model}); false around a Scorer such as a baseline. */
  get hasModel(): boolean {
    return this.state.model !== null;
  }

  /**
   * What scores this Recommender's users: the Scorer it was built around (e.g. a baseline), or the
   * scorer it keeps for its model (rebuilt after fold-in). Owned by the Recommender: do not dispose it.
   */
  get scorer(): Scorer {
    this.checkLive();
    return this.getScorer();
  }

  /** The standard NCF architecture of the model, or null for a custom model. */
  get architecture(): NcfArchitecture | null {
    return this.state.arch === null ? null : { ...this.state.arch, numUsers: this.users.size };
  }

  /** The items each user has seen (CSR over dense indices; a copy is not made, do not modify). */
  get seen(): SeenItems {
    return this.state.seen;
  }

  /** Popularity per item index: by default, how many users have seen the item (do not modify). */
  get popularity(): Float64Array {
    return this.state.popularity;
  }

  /**
   * The external ids of the items a user has seen.
   *
   * @param userId - a user id
   * @returns the seen item ids ([] for an unknown user)
   * @example
   * ```ts
   * rec.seenBy('alice'); //=> ['Heat', 'Ronin']
   * ```
   */
  seenBy(userId: UserId): ItemId[] {
    const u = this.userIndex(userId);
    if (u === undefined) return [];
    const out: ItemId[] = [];
    for (let j = this.state.seen.offsets[u]; j < this.state.seen.offsets[u + 1]; j++) out.push(this.items.id(this.state.seen.items[j]));
    return out;
  }

  /**
   * The top-k items for a user, by external id, best first. Seen items are left out unless
   * `excludeSeen: false`. An unknown user gets the k most popular items (`source: 'popularity'`),
   * or a `UNKNOWN_USER` error when the policy is `'error'`.
   *
   * @param userId - the user's external id
   * @param options - `k` (default 10), `excludeSeen` (default true), `unknownUser`
   * @returns up to k recommendations (fewer only when the user has seen nearly every item)
   * @example
   * ```ts
   * rec.recommend('alice', { k: 2 });
   * //=> [{ id: 'Heat', score: 0.93, source: 'model' }, { id: 'Ronin', score: 0.88, source: 'model' }]
   * rec.recommend('a-new-visitor', { k: 1 }); //=> [{ id: 'Up', score: 0.04, source: 'popularity' }]
   * ```
   */
  recommend(userId: UserId, options: RecommenderRecommendOptions<ItemId> = {}): RecommendedItem<ItemId>[] {
    this.checkLive();
    const { k, excludeSeen, unknownUser } = checkRequest(options, this.unknownUser, this.items.size);
    const { candidates, filter } = options;
    const allowed = candidates === undefined && filter === undefined ? undefined : this.allowedItems(candidates, filter);
    const u = this.userIndex(userId);
    if (u === undefined) {
      if (unknownUser === 'error') this.users.indexOf(userId, 'user');
      return this.popular(k, allowed);
    }
    if (allowed !== undefined && allowed.length === 0) return [];
    // the user's own row: recommend checks only these items, not the whole index, per request
    const exclude = excludeSeen ? itemsSeenBy(this.state.seen, u) : [];
    const top = recommend(this.getScorer(), u, { k, exclude, ...(allowed === undefined ? {} : { candidates: allowed }) });
    return top.map(({ item, score }) => ({ id: this.items.id(item), score, source: 'model' as const }));
  }

  /**
   * Builds now what the first request would otherwise build: the scorer (the model's weights read
   * once, the item side of the network computed for every item), the popularity order, and, for
   * models with item embeddings, the normalised item vectors of {@link Recommender.similar}; then
   * scores one user so that the scoring code is compiled. `loadModel` calls it, so the first
   * `recommend` after loading is as fast as the ones after it. Fold-in and training through the
   * Recommender drop these caches; call `warm()` again after them to keep the next request fast.
   *
   * @returns the recommender itself
   * @example
   * ```ts
   * const rec = Recommender.from({ model, users, items, seen: train }).warm();
   * rec.recommend('alice'); // no first-call cost
   * ```
   */
  warm(): this {
    this.checkLive();
    this.getScorer();
    this.popularOrder ??= popularityOrder(this.state.popularity);
    // one request through the whole path (scoring, exclusion, top-K), so its code is compiled
    if (this.users.size > 0 && this.items.size > 0) this.recommend(this.users.id(0), { k: 1 });
    const source = this.state.model ?? this.served!;
    if (this.items.size > 1 && hasNeighbours(source)) neighboursOf(source, 0, 1, '');
    return this;
  }

  /**
   * Recommendations for many users (every known user by default), streamed a batch of users at a
   * time so that all users' lists never sit in memory together: for batch jobs, e-mails and
   * precomputed feeds. Each user gets what {@link Recommender.recommend} would return (seen items
   * left out; an unknown id gets popular items, or UNKNOWN_USER with `unknownUser: 'error'`, raised
   * before the first batch). Users are scored through one cached scorer and one seen-items index.
   *
   * With `threads` > 1 the known users are ranked on worker threads (in order, with the scores of
   * one thread; a Recommender around a baseline or a custom model stays on the calling thread and
   * the stream's `fallbackReason` says so).
   *
   * @param options - `k` (10), `users`, `excludeSeen` (true), `unknownUser`, `batchUsers`, `threads` (1), `signal`, `onProgress`
   * @returns a {@link RecommendAllStream} of batches, each an array of `{ user, items }` in the order asked for
   * @example
   * ```ts
   * for await (const batch of rec.recommendAll({ k: 10 })) {
   *   for (const { user, items } of batch) await feeds.put(user, items.map((r) => r.id));
   * }
   * ```
   */
  recommendAll(options: RecommenderRecommendAllOptions<UserId> = {}): RecommendAllStream<UserRecommendations<UserId, ItemId>[]> {
    this.checkLive();
    const { users, items, unknownUser, state } = this;
    const host = { users, items, unknownUser, seen: state.seen, scorer: () => this.getScorer(), userIndex: (id: UserId) => this.userIndex(id) };
    return recommendAllById({ ...host, popular: (k: number) => this.popular(k), checkLive: () => this.checkLive() }, options);
  }

  /**
   * The items most similar to an item (cosine similarity of the item embeddings), by external id.
   *
   * @param itemId - the item's external id (unknown -> `UNKNOWN_ITEM`)
   * @param options - `k` (default 10)
   * @returns the k nearest items, most similar first, the item itself left out
   * @example
   * ```ts
   * rec.similar('Heat', { k: 2 }); //=> [{ id: 'Ronin', score: 0.91 }, { id: 'Thief', score: 0.87 }]
   * ```
   */
  similar(itemId: ItemId, options: RecommenderSimilarOptions = {}): SimilarItem<ItemId>[] {
    this.checkLive();
    if (options === null || typeof options !== 'object') throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
    const { k = 10 } = options;
    assertK(k);
    const i = this.items.indexOf(itemId, 'item');
    const neighbours = neighboursOf(this.state.model ?? this.served!, i, k, `a Scorer${this.servedKind()}`);
    return neighbours.map(({ item, score }) => ({ id: this.items.id(item), score }));
  }

  /**
   * Teaches the model one user's taste from the items they interacted with, without retraining:
   * a few optimizer steps (binary cross-entropy against freshly sampled unseen items) on that
   * user's embedding rows only; item embeddings, the MLP tower and the output layer stay frozen.
   * A new user is added (the model grows by one row, rebuilt from its own topology, and
   * {@link Recommender.model} becomes the grown copy; the old model is disposed). For a known
   * user, `itemIds` join the items they have seen and their rows are re-learned from all of them.
   * The items also count toward popularity. Requires a standard GMF, MLP or NeuMF model, with or
   * without side features: the items are then their pooled vectors, and a new user of a model with
   * user features may bring theirs (`features`: their vector is the learned id rows plus those
   * fields' pooled rows, and the user index grows with them).
   *
   * @param userId - the user's external id (new or known)
   * @param itemIds - external ids of the items the user interacted with (at least one; each known)
   * @param options - `steps` (50), `learningRate` (0.05), `negatives` (4), `seed` (42), `l2` (0),
   *   `features` (a new user's side features, e.g. `{ country: 'fr' }`)
   * @returns the user's index, whether they were added, the number of positives and the last loss
   * @example
   * ```ts
   * await rec.foldIn('carol', ['Heat', 'Ronin']);
   * //=> { user: 2, added: true, positives: 2, loss: 0.21, steps: 50 }
   * rec.recommend('carol', { k: 1 }); //=> [{ id: 'Thief', score: 0.86, source: 'model' }]
   * ```
   */
  foldIn(userId: UserId, itemIds: Iterable<ItemId>, options: FoldInOptions = {}): Promise<FoldInResult> {
    // Calls run one after another: each one reads the model the previous one may have replaced.
    return runExclusive(this, () => foldInUser(this.host(), userId, itemIds, options));
  }

  /**
   * Adds a brand-new item (in the catalogue, no interactions yet) to a model with item features,
   * without retraining: it is scored from its features. `features` is a row like `featuresFrom`'s,
   * keyed by the model's item field names; values are encoded with the model's own value maps (a
   * value it never saw maps to the "unknown" row, never an error; a field left out adds nothing).
   * The model grows by one item (a zero id row, so the item's vector is exactly its features'
   * pooled rows) and {@link Recommender.model} becomes the grown copy; nobody has seen the item and
   * its popularity is 0. Runs in the same queue as `foldIn` and `saveModel`.
   *
   * @param itemId - the new item's external id (an id already present: INVALID_ARGUMENT)
   * @param features - the item's field values, e.g. `{ genre: ['Comedy'], year: 1995 }`
   * @returns the new item's index
   * @example
   * ```ts
   * await rec.addItem('Toy Story 5', { genre: ['Animation', 'Comedy'], year: 2026 }); //=> 1682
   * rec.recommend('alice', { candidates: ['Toy Story 5', 'Heat'] });
   * //=> [{ id: 'Toy Story 5', score: 0.71, source: 'model' }, { id: 'Heat', score: 0.42, source: 'model' }]
   * ```
   */
  addItem(itemId: ItemId, features: Readonly<Record<string, unknown>>): Promise<number> {
    return runExclusive(this, () => addItemTo(this.host(), itemId, features));
  }

  /**
   * {@link Recommender.addItem} for many new items at once: the model is rebuilt once (O(model
   * size)), not once per item, so a catalogue update of thousands of items takes about as long as
   * one. All or nothing: a bad entry (a known or repeated id, a field the model lacks) throws
   * before anything changes.
   *
   * @param items - the new items, each `{ id, features }` (features as in `addItem`)
   * @returns the new items' indices, in order
   * @example
   * ```ts
   * await rec.addItems([
   *   { id: 'Toy Story 5', features: { genre: ['Animation', 'Comedy'] } },
   *   { id: 'Heat 2', features: { genre: ['Crime', 'Thriller'] } },
   * ]); //=> [1682, 1683]
   * ```
   */
  addItems(items: Iterable<{ id: ItemId; features: Readonly<Record<string, unknown>> }>): Promise<number[]> {
    return runExclusive(this, () => addItemsTo(this.host(), items));
  }

  /**
   * Releases the model's weights and any cached scorer. The recommender cannot be used afterwards.
   *
   * @returns nothing
   * @example
   * ```ts
   * rec.dispose();
   * rec.recommend('alice'); //=> throws RecsysError INVALID_ARGUMENT: the Recommender was disposed
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.invalidate();
    if (this.served !== null) this.served.dispose();
    else this.state.model?.dispose();
    this.disposed = true;
  }

  /** ' (a fitted item-knn baseline)' for a baseline, '' otherwise: for messages. */
  private servedKind(): string {
    const kind = (this.served as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? ` (a fitted ${kind} baseline)` : '';
  }

  /** The state and the helpers fold-in and addItem work on (recommender-grow.ts). */
  private host(): ModelHost {
    const { users, items, state } = this;
    const userIndex = (id: ExternalId) => this.userIndex(id as UserId);
    return { users, items, state, servedKind: this.servedKind(), checkLive: () => this.checkLive(), userIndex, invalidate: () => this.invalidate() };
  }

  private checkLive(): void {
    if (this.disposed) throw new RecsysError('INVALID_ARGUMENT', 'the Recommender was disposed');
  }

  /** The user's index, undefined when unknown; a value that cannot be an id throws INVALID_ID. */
  private userIndex(userId: UserId): number | undefined {
    const u = this.users.index(userId);
    if (u === undefined) {
      assertId(userId, 'user');
      // the number 7 where the ids are strings ('7'), or the reverse: an error, never a popularity fallback
      this.users.assertNoTypeTwin(userId, 'user');
    }
    return u;
  }

  private getScorer(): Scorer {
    if (this.served !== null) return this.served;
    this.modelScorer ??= createScorer(this.state.model!);
    return this.modelScorer;
  }

  private invalidate(): void {
    this.modelScorer?.dispose();
    this.modelScorer = undefined;
    this.popularOrder = undefined;
  }

  /** The most popular items (only `allowed` ones when given). */
  private popular(k: number, allowed?: Int32Array): RecommendedItem<ItemId>[] {
    this.popularOrder ??= popularityOrder(this.state.popularity);
    return popularItems(this.state.popularity, this.popularOrder, k, allowed, (item) => this.items.id(item));
  }

  /** Item indices allowed by `candidates` (ids) and `filter`, ascending and distinct. */
  private allowedItems(candidates: Iterable<ItemId> | undefined, filter: ((itemId: ItemId) => boolean) | undefined): Int32Array {
    return allowedItemIndices(this.items, candidates, filter);
  }
}
