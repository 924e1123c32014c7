// The model side of new-item.html, with no DOM (so it runs in Node too): a seeded synthetic
// catalogue whose items have a genre, a NeuMF that knows each item's genre (trained on the fused
// engine, as any NCF model), and the two
// measurements the page shows after `Recommender.addItem`: which users get the new item in their
// top-k from the feature model, and from a popularity recommender over the same interactions.
import { NeuMF, Recommender, train, type TrainHistory } from 'neural-recsys';
import { featuresFrom, interactionsFrom, syntheticInteractions, type FeatureTable, type IdMap, type Interactions } from 'neural-recsys/data';
import { fitPopularity } from 'neural-recsys/baselines';

/**
 * The genres, one per hidden item group of `syntheticInteractions` (traits 3: 4 item groups). A
 * user there likes exactly one group, so each user likes one genre: the planted truth, which the
 * page shows in colour and the model never sees. What the model sees is each item's genre.
 */
export const GENRES = ['Drama', 'Comedy', 'Sci-Fi', 'Horror'] as const;
export type Genre = (typeof GENRES)[number];

/** What the page trains on and shows. */
export interface Catalogue {
  /** the interactions, in the index spaces of `users` and `items` */
  data: Interactions;
  users: IdMap<string>;
  items: IdMap<string>;
  /** the item feature table (one field, `genre`), aligned with `items` */
  features: FeatureTable;
  /** each item's genre, by item id (the page adds the new items' genres) */
  genreOf: Map<string, string>;
  /** the genre each user likes (planted; never given to the model), by user id */
  likes: Map<string, Genre>;
}

/** Sizes and seed of the synthetic data: small enough to train in a page in seconds. */
export const DATA = { numUsers: 200, numItems: 150, interactionsPerUser: 15, seed: 7 } as const;

/** The catalogue: synthetic interactions with string ids, and every item's genre as a feature table. */
export function makeCatalogue(): Catalogue {
  const synthetic = syntheticInteractions({ ...DATA, traits: 3 });
  const { userTraits, itemTraits, likedTraits } = synthetic.truth;
  const rows = Array.from(synthetic.users, (u, j) => ({ user: `user ${u}`, item: `item ${synthetic.items[j]}`, time: synthetic.timestamps[j] }));
  const { data, users, items } = interactionsFrom<string, string>(rows, { user: 'user', item: 'item', time: 'time' });
  const genreOf = new Map<string, string>();
  for (let i = 0; i < synthetic.numItems; i++) genreOf.set(`item ${i}`, GENRES[itemTraits[i]]);
  // items nobody interacted with are not in `items`; newIds 'skip' leaves their rows out
  const features = featuresFrom(
    [...genreOf].map(([id, genre]) => ({ id, genre })),
    { fields: ['genre'], ids: items, newIds: 'skip' },
  );
  const likes = new Map<string, Genre>();
  for (let u = 0; u < synthetic.numUsers; u++) likes.set(`user ${u}`, GENRES[likedTraits[userTraits[u]]]);
  return { data, users, items, features, genreOf, likes };
}

/** Training settings of the page's model (NeuMF factors 8, MLP [16, 8]). */
export const TRAINING = { epochs: 8, batchSize: 256, learningRate: 0.005, negatives: 4, seed: 42 } as const;

/**
 * Builds a NeuMF with the genre as item feature, trains it (engine 'auto': `history.engineReason`
 * says which and why), and wraps it in a Recommender, which `addItem` grows. (The page keeps its
 * own id maps and feature table, which it also shows, hence the builder, `train` and
 * `Recommender.from`; `Recommender.fit(rows, { itemFeatures })` does the same in one call.)
 */
export async function trainRecommender(
  catalogue: Catalogue,
  onEpochEnd?: (epoch: number, loss: number) => void | Promise<void>,
): Promise<{ rec: Recommender<string, string>; history: TrainHistory }> {
  const { data, users, items, features } = catalogue;
  const model = NeuMF({ numUsers: users.size, numItems: features.numEntities, factors: 8, layers: [16, 8], itemFeatures: features, seed: TRAINING.seed });
  const history = await train(model, data, { ...TRAINING, onEpochEnd: (epoch, logs) => onEpochEnd?.(epoch, logs.loss) });
  return { rec: Recommender.from({ model, users, items, seen: data }), history };
}

/** Where one item stands in every user's top-k. */
export interface Reach {
  k: number;
  /** users whose top-k (seen items left out) holds the item, with its rank there (1 = first) */
  ranks: Map<string, number>;
  /** number of users ranked */
  users: number;
}

/** Ranks every user's top-k with `rec` (seen items left out) and records where `itemId` lands. */
export async function reachOf(rec: Recommender<string, string>, itemId: string, k: number): Promise<Reach> {
  const ranks = new Map<string, number>();
  let users = 0;
  for await (const batch of rec.recommendAll({ k })) {
    for (const { user, items } of batch) {
      users++;
      const at = items.findIndex((r) => r.id === itemId);
      if (at >= 0) ranks.set(user, at + 1);
    }
  }
  return { k, ranks, users };
}

/**
 * A popularity recommender over the same interactions and the same (grown) catalogue: every item
 * scores its number of users, so an item nobody has interacted with scores 0.
 */
export function popularityRecommender(catalogue: Catalogue, items: IdMap<string>): Recommender<string, string> {
  const data = { ...catalogue.data, numItems: items.size };
  return Recommender.from({ model: fitPopularity(data), users: catalogue.users, items, seen: data });
}
