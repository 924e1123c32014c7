// Test-only fixture for the bench's hold-out selections (bench/baselines-ncf.ts): a small random
// data set with each user's first entry held out as its validation positive, ranked among every
// item the user has no positive for (bench/baselines.ts holds out each user's latest item the
// same way, against 99 sampled negatives).
import { mulberry32 } from '../../src/_lib/random.js';
import type { Interactions } from '../../src/data/interactions.js';
import type { ValidationLists } from '../../src/training/index.js';

export interface ToyHoldout {
  /** Every positive (what a refit trains on). */
  train: Interactions;
  /** `train` without each user's first entry (what a hold-out run trains on). */
  fit: Interactions;
  /** Each user's first entry, against all the user's non-positives. */
  validation: ValidationLists;
}

/**
 * A `numUsers` x `numItems` data set with a positive at (u, i) when the `seed`ed draw for that
 * pair (one per pair, users then items) falls below `chance(u, i)`.
 *
 * @example
 * const { fit, train, validation } = toyHoldout(12, 15, 7, (u, i) => 0.3 + 0.3 * ((u + i) % 2));
 */
export function toyHoldout(numUsers: number, numItems: number, seed: number, chance: (u: number, i: number) => number): ToyHoldout {
  const random = mulberry32(seed);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < numUsers; u++) {
    for (let i = 0; i < numItems; i++) {
      if (random() >= chance(u, i)) continue;
      users.push(u);
      items.push(i);
    }
  }
  const train = { users: Int32Array.from(users), items: Int32Array.from(items), numUsers, numItems };
  const firsts = [...new Set(users)].map((u) => users.indexOf(u));
  const held = new Set(firsts);
  const fit = { ...train, users: train.users.filter((_, k) => !held.has(k)), items: train.items.filter((_, k) => !held.has(k)) };
  const validation = {
    users: Int32Array.from(firsts, (k) => users[k]),
    items: Int32Array.from(firsts, (k) => items[k]),
    negatives: firsts.map((k) => Int32Array.from({ length: numItems }, (_, i) => i).filter((i) => !items.some((it, j) => users[j] === users[k] && it === i))),
  };
  return { train, fit, validation };
}
