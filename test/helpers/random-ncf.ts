// Test-only: standard NCF models with random weights (scores well spread, not ~0.5 as untrained),
// and every (user, item) score through model.predict, the reference the scorers are checked against.
import * as tf from '@tensorflow/tfjs';
import { GMF, MLP, NeuMF } from '../../src/models/index.js';

/** A standard model's kind and sizes, as the property tests draw them. */
export interface RandomNcfConfig {
  kind: string;
  numUsers: number;
  numItems: number;
  factors: number;
  layers: number[];
  seed: number;
}

/** Replaces every weight with N(0, std) values so that scores spread well away from 0.5. */
export function randomizeWeights(model: tf.LayersModel, seed: number, std = 0.6): tf.LayersModel {
  const fresh = model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, std, 'float32', seed + i));
  model.setWeights(fresh);
  tf.dispose(fresh);
  return model;
}

/** Every (user, item) score through model.predict, row-major [numUsers, numItems]. */
export function predictAll(model: tf.LayersModel, numUsers: number, numItems: number): Float32Array {
  const users = new Int32Array(numUsers * numItems);
  const items = new Int32Array(numUsers * numItems);
  for (let u = 0; u < numUsers; u++) {
    for (let i = 0; i < numItems; i++) {
      users[u * numItems + i] = u;
      items[u * numItems + i] = i;
    }
  }
  return tf
    .tidy(() => {
      const y = model.predict([tf.tensor2d(users, [users.length, 1], 'int32'), tf.tensor2d(items, [items.length, 1], 'int32')]) as tf.Tensor;
      return y.dataSync() as Float32Array;
    })
    .slice();
}

/** A GMF, MLP or NeuMF of the given sizes with random weights. */
export function randomNcf(config: RandomNcfConfig): tf.LayersModel {
  const { kind, numUsers, numItems, factors, layers, seed } = config;
  const model =
    kind === 'gmf'
      ? GMF({ numUsers, numItems, factors, seed })
      : kind === 'mlp'
        ? MLP({ numUsers, numItems, layers, seed })
        : NeuMF({ numUsers, numItems, factors, layers, seed });
  return randomizeWeights(model, seed);
}

/** The user indices 0..n-1. */
export function allUsers(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, u) => u);
}
