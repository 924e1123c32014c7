// Test-only helpers shared by the io tests and the crash-test child process (never exported by the
// package): small seeded recommenders and an exact comparison of what two models predict.
import * as tf from '@tensorflow/tfjs';
import { IdMap } from '../../src/data/index.js';
import type { Interactions } from '../../src/data/interactions.js';
import { MLP, NeuMF } from '../../src/models/index.js';
import { Recommender } from '../../src/serving/recommender.js';

/** User ids that must survive a round trip as plain ids (prototype names, a number and its string). */
export const TRICKY_USERS: (string | number)[] = ['__proto__', 'constructor', 42, '42', 'hasOwnProperty', 'alice'];
/** Item ids, likewise. */
export const TRICKY_ITEMS: (string | number)[] = ['toString', '__proto__', 7, '7', 'valueOf', 'Heat', 'Up', 'Ronin'];

/**
 * A seeded, untrained NeuMF recommender over the tricky ids (weights from the seed, so two calls
 * with the same seed give identical models). `scale` multiplies the number of users (for big bundles).
 */
export function trickyRecommender(seed = 1, scale = 1): Recommender {
  const users = IdMap.fromIds(
    Array.from({ length: TRICKY_USERS.length * scale }, (_, i) => (i < TRICKY_USERS.length ? TRICKY_USERS[i] : `user-${i}`)),
    { kind: 'user' },
  );
  const items = IdMap.fromIds(TRICKY_ITEMS, { kind: 'item' });
  const seen: Interactions = {
    users: Int32Array.of(0, 0, 1, 2, 3, 3, 3, 5),
    items: Int32Array.of(1, 4, 0, 2, 3, 7, 2, 6),
    numUsers: users.size,
    numItems: items.size,
  };
  const model = NeuMF({ numUsers: users.size, numItems: items.size, factors: 4, layers: [8, 4], seed });
  return Recommender.from({ model, users, items, seen });
}

/** A seeded NeuMF recommender whose bundle is about 5 MB (for the crash test: saves take a while). */
export function bigRecommender(seed: number): Recommender {
  const numUsers = 20000;
  const users = IdMap.fromIds(Array.from({ length: numUsers }, (_, i) => `user-${i}`), { kind: 'user' });
  const items = IdMap.fromIds(Array.from({ length: 50 }, (_, i) => `item-${i}`), { kind: 'item' });
  const model = NeuMF({ numUsers, numItems: items.size, factors: 32, layers: [64, 32], seed });
  return Recommender.from({ model, users, items });
}

/** A bare seeded MLP model. */
export function bareModel(seed = 3): tf.LayersModel {
  return MLP({ numUsers: 5, numItems: 6, layers: [8, 4, 2], seed });
}

/** Every (user, item) score of a model, as a plain array (for exact comparison). */
export function allScores(model: tf.LayersModel, numUsers: number, numItems: number): number[] {
  return tf.tidy(() => {
    const users: number[] = [];
    const items: number[] = [];
    for (let u = 0; u < numUsers; u++) {
      for (let i = 0; i < numItems; i++) {
        users.push(u);
        items.push(i);
      }
    }
    const out = model.predict([tf.tensor2d(users, [users.length, 1], 'int32'), tf.tensor2d(items, [items.length, 1], 'int32')]) as tf.Tensor;
    return Array.from(out.dataSync());
  });
}
