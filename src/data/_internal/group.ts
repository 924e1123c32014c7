// Grouping interactions by user with a stable counting sort: O(n + numUsers), no comparisons.

/** Entry indices grouped by user: user u's entries are `order[offsets[u] .. offsets[u+1])`, in input order. */
export interface UserGroups {
  readonly offsets: Int32Array;
  readonly order: Int32Array;
}

export function groupByUser(users: Int32Array, numUsers: number): UserGroups {
  const offsets = new Int32Array(numUsers + 1);
  for (let k = 0; k < users.length; k++) offsets[users[k] + 1]++;
  for (let u = 0; u < numUsers; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, numUsers);
  const order = new Int32Array(users.length);
  for (let k = 0; k < users.length; k++) order[next[users[k]]++] = k;
  return { offsets, order };
}
