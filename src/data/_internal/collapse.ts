// Collapsing repeated (user, item) pairs in O(n + numUsers + numItems): group the entries by user,
// then, per user, remember which entry first held each item (a per-item stamp avoids clearing).
import { groupByUser } from './group.js';

/** How repeated (user, item) pairs are handled: see {@link MappingOptions.duplicates}. @category Data */
export type DuplicatePolicy = 'sum' | 'first' | 'last' | 'keep';

export interface Columns {
  users: Int32Array;
  items: Int32Array;
  timestamps?: Float64Array;
  weights?: Float32Array;
}

/**
 * Collapses repeated pairs. The kept row sits where the pair first occurred (input order is kept).
 * - 'sum': weight = sum of the rows' weights (rows without weights count 1 each, and weights are
 *   created only when `countWeights` is set), timestamp = latest;
 * - 'first' / 'last': the row with the earliest / latest timestamp (input order breaks ties and
 *   decides when there are no timestamps), with its own weight and timestamp;
 * - 'keep': nothing is collapsed.
 * Returns the input columns themselves when nothing changes.
 */
export function collapseDuplicates(
  columns: Columns,
  numUsers: number,
  numItems: number,
  policy: DuplicatePolicy,
  countWeights: boolean,
): { columns: Columns; duplicates: number } {
  const { users, items, timestamps, weights } = columns;
  const n = users.length;
  const { offsets, order } = groupByUser(users, numUsers);
  const stamp = new Int32Array(numItems).fill(-1);
  const firstEntry = new Int32Array(numItems);
  const owner = new Int32Array(n);
  let duplicates = 0;
  for (let u = 0; u < numUsers; u++) {
    for (let p = offsets[u]; p < offsets[u + 1]; p++) {
      const k = order[p];
      const item = items[k];
      if (stamp[item] === u) {
        owner[k] = firstEntry[item];
        duplicates++;
      } else {
        stamp[item] = u;
        firstEntry[item] = k;
        owner[k] = k;
      }
    }
  }
  if (duplicates === 0 || policy === 'keep') return { columns, duplicates };

  const m = n - duplicates;
  const slot = new Int32Array(n);
  const outUsers = new Int32Array(m);
  const outItems = new Int32Array(m);
  let next = 0;
  for (let k = 0; k < n; k++) {
    if (owner[k] === k) {
      slot[k] = next;
      outUsers[next] = users[k];
      outItems[next] = items[k];
      next++;
    }
  }
  const out: Columns = { users: outUsers, items: outItems };
  if (policy === 'sum') {
    if (timestamps !== undefined) {
      const t = new Float64Array(m).fill(-Infinity);
      for (let k = 0; k < n; k++) {
        const s = slot[owner[k]];
        if (timestamps[k] > t[s]) t[s] = timestamps[k];
      }
      out.timestamps = t;
    }
    if (weights !== undefined || countWeights) {
      const w = new Float32Array(m);
      for (let k = 0; k < n; k++) w[slot[owner[k]]] += weights === undefined ? 1 : weights[k];
      out.weights = w;
    }
  } else {
    const chosen = new Int32Array(m).fill(-1);
    const later = policy === 'last';
    for (let k = 0; k < n; k++) {
      const s = slot[owner[k]];
      const c = chosen[s];
      if (c < 0) chosen[s] = k;
      else if (timestamps === undefined) {
        if (later) chosen[s] = k;
      } else if (later ? timestamps[k] >= timestamps[c] : timestamps[k] < timestamps[c]) {
        chosen[s] = k;
      }
    }
    if (timestamps !== undefined) out.timestamps = Float64Array.from(chosen, (k) => timestamps[k]);
    if (weights !== undefined) out.weights = Float32Array.from(chosen, (k) => weights[k]);
  }
  return { columns: out, duplicates };
}
