// Private: interactions grouped by user (compressed rows, items ascending and distinct per user),
// so evaluation and serving find one user's items in O(their count) instead of scanning the data.
import type { Interactions } from '../data/interactions.js';

/** Each user's distinct items, ascending: `items[offsets[u] .. offsets[u + 1])`. */
export interface UserItems {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

/**
 * Groups `users[k] -> items[k]` by user (counting sort, then a sort per user), dropping
 * duplicate pairs. `numUsers` must exceed every user index (the caller has validated them).
 */
export function groupByUser(users: Int32Array, items: Int32Array, numUsers: number): UserItems {
  const counts = new Int32Array(numUsers + 1);
  for (let k = 0; k < users.length; k++) counts[users[k] + 1]++;
  for (let u = 0; u < numUsers; u++) counts[u + 1] += counts[u];
  const cursor = counts.slice(0, numUsers);
  const grouped = new Int32Array(users.length);
  for (let k = 0; k < users.length; k++) grouped[cursor[users[k]]++] = items[k];
  // Sort each user's run, then squeeze duplicates out in place.
  const offsets = new Int32Array(numUsers + 1);
  let write = 0;
  for (let u = 0; u < numUsers; u++) {
    const run = grouped.subarray(counts[u], counts[u + 1]).sort();
    offsets[u] = write;
    for (let j = 0; j < run.length; j++) {
      if (j > 0 && run[j] === run[j - 1]) continue;
      grouped[write++] = run[j];
    }
  }
  offsets[numUsers] = write;
  return { offsets, items: grouped.subarray(0, write) };
}

/** Groups an {@link Interactions} by user over `numUsers` users. */
export function groupInteractions(data: Interactions, numUsers: number): UserItems {
  return groupByUser(data.users, data.items, numUsers);
}

/** The distinct items of `user` (a view, ascending). */
export function itemsOf(index: UserItems, user: number): Int32Array {
  return index.items.subarray(index.offsets[user], index.offsets[user + 1]);
}
