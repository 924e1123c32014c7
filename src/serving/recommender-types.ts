// The public types of the Recommender facade: ids, options and what its calls return.
import type * as tf from '@tensorflow/tfjs';
import type { FeatureRow, FieldSpec, IdMap, InteractionColumns } from '../data/index.js';
import type { Interactions } from '../data/interactions.js';
import type { SeenItems } from '../data/seen-items.js';
import type { TrainOptions } from '../training/types.js';
import type { Scorer } from '../scoring/index.js';

/** An external id: a non-empty string or a finite number. @category Serving */
export type ExternalId = string | number;

/** What `recommend` does for a user the model does not know. @category Serving */
export type UnknownUserPolicy = 'popular' | 'error';

/** One recommended item. @category Serving */
export interface RecommendedItem<ItemId extends ExternalId = ExternalId> {
  /** The item's external id. */
  readonly id: ItemId;
  /**
   * For `source: 'model'`, the model's score (a probability in (0, 1) for the standard models);
   * for `source: 'popularity'`, the item's share of all seen (user, item) pairs.
   */
  readonly score: number;
  /** `'model'` for a known user; `'popularity'` for the fallback given to an unknown user. */
  readonly source: 'model' | 'popularity';
}

/** One item similar to another. @category Serving */
export interface SimilarItem<ItemId extends ExternalId = ExternalId> {
  /** The item's external id. */
  readonly id: ItemId;
  /** Cosine similarity of the item embeddings, in [-1, 1]. */
  readonly score: number;
}

/** Options of {@link Recommender.recommend}. @category Serving */
export interface RecommenderRecommendOptions<ItemId extends ExternalId = ExternalId> {
  /** How many items, a positive integer no larger than the number of items. Default 10. */
  k?: number;
  /** Leave out the items the user has already seen. Default true. */
  excludeSeen?: boolean;
  /** Overrides the recommender's {@link RecommenderParts.unknownUser} for this call. */
  unknownUser?: UnknownUserPolicy;
  /**
   * Rank only these items (ids; duplicates count once), e.g. what is in stock. An unknown id is
   * UNKNOWN_ITEM. Applies to the popularity fallback too.
   */
  candidates?: Iterable<ItemId>;
  /**
   * Keep only the items for which this returns true (a business rule), checked once per item per
   * call (over `candidates` when given). Applies to the popularity fallback too.
   */
  filter?(itemId: ItemId): boolean;
}

/** Options of {@link Recommender.recommendAll}. @category Serving */
export interface RecommenderRecommendAllOptions<UserId extends ExternalId = ExternalId> {
  /** How many items per user, a positive integer no larger than the number of items. Default 10. */
  k?: number;
  /** The users, by external id, in this order. Default: every known user, in index order. */
  users?: Iterable<UserId>;
  /** Leave out the items each user has already seen. Default true. */
  excludeSeen?: boolean;
  /** What an unknown id in `users` gets: popular items or, with `'error'`, UNKNOWN_USER before the first batch. Default: the recommender's policy. */
  unknownUser?: UnknownUserPolicy;
  /** Users per batch. Default: as many as keep a batch's scores within 16 MB, at most 256. */
  batchUsers?: number;
  /**
   * Threads that rank the known users (a positive integer or `'auto'`, the logical cores). Default 1.
   * See `RecommendAllOptions.threads`.
   */
  threads?: number | 'auto';
  /** Stops at the next batch boundary (the iteration then ends without error; check `signal.aborted`). */
  signal?: AbortSignal;
  /** Called after each batch with the users done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** One user's recommendations in a batch of {@link Recommender.recommendAll}. @category Serving */
export interface UserRecommendations<UserId extends ExternalId = ExternalId, ItemId extends ExternalId = ExternalId> {
  /** The user's external id. */
  readonly user: UserId;
  /** The user's top K, best first (as {@link Recommender.recommend} returns them). */
  readonly items: RecommendedItem<ItemId>[];
}

/** Options of {@link Recommender.similar}. @category Serving */
export interface RecommenderSimilarOptions {
  /** How many neighbours, a positive integer up to the number of items - 1 (the item itself is left out). Default 10. */
  k?: number;
}

/** The parts of a {@link Recommender} built around an already trained model. @category Serving */
export interface RecommenderParts<UserId extends ExternalId = ExternalId, ItemId extends ExternalId = ExternalId> {
  /**
   * The model, with inputs [user, item], or any {@link Scorer} (e.g. a fitted baseline from
   * `neural-recsys/baselines`). The Recommender takes ownership (see {@link Recommender.dispose}).
   */
  model: tf.LayersModel | Scorer;
  /** External user id <-> the model's user index; its size must equal the model's number of users. */
  users: IdMap<UserId>;
  /** External item id <-> the model's item index; its size must equal the model's number of items. */
  items: IdMap<ItemId>;
  /** Items seen per user (as training interactions, or CSR). Default: none seen. */
  seen?: Interactions | SeenItems;
  /** Popularity per item index, `items.size` finite numbers >= 0. Default: the number of users who have seen each item. */
  popularity?: ArrayLike<number>;
  /** What `recommend` does for an unknown user: popular items (default) or a `UNKNOWN_USER` error. */
  unknownUser?: UnknownUserPolicy;
}

/** Options of {@link Recommender.fit}: the model to build, where the ids are, and training options. @category Serving */
export interface RecommenderFitOptions extends TrainOptions {
  /** Which model to build. Default `'neumf'`. */
  model?: 'neumf' | 'gmf' | 'mlp';
  /** Which fields of a row hold the user, the item (and optionally time and weight). Default `{ user: 'user', item: 'item' }`. */
  columns?: InteractionColumns;
  /** GMF embedding width (GMF and NeuMF). Default 8. */
  factors?: number;
  /** MLP layer sizes as in the paper (MLP and NeuMF). Default `[64, 32, 16, 8]`. */
  layers?: readonly number[];
  /** What `recommend` does for an unknown user. Default `'popular'`. */
  unknownUser?: UnknownUserPolicy;
  /**
   * Item side features: one row per item keyed by `id` (e.g. `{ id: 'sku-1', genre: ['drama',
   * 'crime'], brand: 'acme' }`; arrays are multi-valued fields). The model sums each item's id
   * embedding with the mean-pooled embeddings of its values (docs/features.md). Items of these rows
   * that no interaction mentions are added after training, scored from their features (as
   * `addItems` would add them: never trained as negatives). Default: none.
   */
  itemFeatures?: Iterable<FeatureRow>;
  /** Which keys of the item rows are fields, and how to bucket numbers (`{ name: 'year', bucket: 10 }`). Default: every key but `id`. */
  itemFields?: readonly FieldSpec[];
  /**
   * User side features, rows keyed by `id` (e.g. `{ id: 'alice', country: 'fr' }`). Rows of users
   * without interactions are not used (bring them later with `foldIn(id, items, { features })`).
   * Default: none.
   */
  userFeatures?: Iterable<FeatureRow>;
  /** Which keys of the user rows are fields. Default: every key but `id`. */
  userFields?: readonly FieldSpec[];
}
