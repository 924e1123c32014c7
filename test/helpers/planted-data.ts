// Test-only fixtures for the training tests (not exported from the package): a tiny dataset in
// user/item clusters, whose cluster labels let a test script what validation will say (the
// early-stopping test builds a validation set that training provably makes worse). Accuracy tests
// use syntheticInteractions from data/; popularity to compare against is fitPopularity.
import type { Interactions } from '../../src/data/interactions.js';
import { mulberry32, randomInt } from '../../src/_lib/random.js';

/** A train/validation/test split of planted data. */
export interface PlantedSplit {
  train: Interactions;
  validation: Interactions;
  test: Interactions;
  /** Cluster of each user and of each item (users like items of their own cluster). */
  userCluster: Int32Array;
  itemCluster: Int32Array;
}

/**
 * `clusters` groups of users and items: each user interacts with `perUser + 2` distinct items of
 * their own group (one held out for validation, one for test), plus a few globally popular items
 * (so that popularity is a real, but beatable, baseline).
 */
export function plantedData({ numUsers = 60, numItems = 40, clusters = 4, perUser = 6, seed = 7 } = {}): PlantedSplit {
  const random = mulberry32(seed);
  const userCluster = Int32Array.from({ length: numUsers }, (_, u) => u % clusters);
  const itemCluster = Int32Array.from({ length: numItems }, (_, i) => i % clusters);
  const train: [number, number][] = [];
  const validation: [number, number][] = [];
  const test: [number, number][] = [];
  const popular = [0, 1];
  for (let u = 0; u < numUsers; u++) {
    const own = [...itemCluster.keys()].filter((i) => itemCluster[i] === userCluster[u] && !popular.includes(i));
    // a seeded shuffle of the user's cluster items
    for (let k = own.length - 1; k > 0; k--) {
      const j = randomInt(random, k + 1);
      [own[k], own[j]] = [own[j], own[k]];
    }
    const chosen = own.slice(0, perUser + 2);
    validation.push([u, chosen[0]]);
    test.push([u, chosen[1]]);
    for (const i of chosen.slice(2)) train.push([u, i]);
    for (const i of popular) if (random() < 0.7) train.push([u, i]);
  }
  const toInteractions = (rows: [number, number][]): Interactions => ({
    users: Int32Array.from(rows, (r) => r[0]),
    items: Int32Array.from(rows, (r) => r[1]),
    numUsers,
    numItems,
  });
  return { train: toInteractions(train), validation: toInteractions(validation), test: toInteractions(test), userCluster, itemCluster };
}
