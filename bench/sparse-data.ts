// A seeded synthetic long-tailed catalogue for the sparse development benchmark (bench/sparse.ts):
// tens of thousands of items with 1-5 positives each, grouped into latent taste clusters so that
// there is something to learn, split leave-one-out (one test and one validation positive per user)
// with 99 sampled negatives per held-out positive, as in the NCF protocol.
//
// Shape: item i belongs to cluster i mod C (after a seeded shuffle) and has c_i positives, c_i in
// 1..5 with P(c) proportional to 1 / c^1.2 (mean about 2.2: a long tail of items seen once or
// twice); each positive goes to a user of the item's cluster (with probability 1 - noise) or to a
// uniformly random user, users being dealt round-robin so that every user gets about
// `positivesPerUser` of them. Users left with fewer than 3 distinct positives are dropped (they
// would have nothing to train on after the split), and indices are renumbered densely.
import { mulberry32 } from '../src/_lib/random.js';
import type { Interactions } from '../src/data/interactions.js';
import type { ValidationLists } from '../src/training/types.js';

/** What {@link sparseCatalogue} builds. */
export interface SparseCatalogue {
  train: Interactions;
  /** One held-out positive per user, with 99 negatives (never a positive of the user). */
  validation: ValidationLists;
  test: ValidationLists;
  /** Positives per item in the whole data set (train + validation + test), for the description. */
  itemCounts: Int32Array;
}

/** Options of {@link sparseCatalogue}. */
export interface SparseOptions {
  numItems: number;
  /** Average positives per user before the split (the number of users follows). */
  positivesPerUser: number;
  clusters: number;
  /** Share of positives given to a random user instead of one of the item's cluster. */
  noise: number;
  seed: number;
  /** Negatives per held-out positive. */
  negatives: number;
}

export const SPARSE_DEFAULTS: SparseOptions = { numItems: 20_000, positivesPerUser: 8, clusters: 64, noise: 0.15, seed: 1, negatives: 99 };

/**
 * Builds the catalogue and its leave-one-out split.
 *
 * @param options - sizes and seed (see {@link SPARSE_DEFAULTS})
 * @returns training positives, validation and test lists
 */
export function sparseCatalogue(options: Partial<SparseOptions> = {}): SparseCatalogue {
  const o = { ...SPARSE_DEFAULTS, ...options };
  const random = mulberry32(o.seed);
  const int = (n: number) => Math.floor(random() * n);
  // positives per item: 1..5, P(c) ~ c^-1.2
  const weights = [1, 2, 3, 4, 5].map((c) => Math.pow(c, -1.2));
  const total = weights.reduce((a, b) => a + b, 0);
  const drawCount = (): number => {
    let r = random() * total;
    for (let c = 0; c < 5; c++) if ((r -= weights[c]) < 0) return c + 1;
    return 5;
  };
  const order = Int32Array.from({ length: o.numItems }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const itemCluster = new Int32Array(o.numItems);
  order.forEach((item, k) => (itemCluster[item] = k % o.clusters));
  const counts = Int32Array.from({ length: o.numItems }, drawCount);
  const positives = counts.reduce((a, b) => a + b, 0);
  const numUsers = Math.max(o.clusters, Math.round(positives / o.positivesPerUser));
  // users of cluster k: k, k + C, k + 2C, ...; dealt round-robin within the cluster
  const perCluster = Math.floor(numUsers / o.clusters);
  const next = new Int32Array(o.clusters);
  const pairs = new Set<number>();
  const users: number[] = [];
  const items: number[] = [];
  for (const item of order) {
    for (let c = 0; c < counts[item]; c++) {
      let user: number;
      if (random() < o.noise) {
        user = int(perCluster * o.clusters);
      } else {
        const k = itemCluster[item];
        user = k + o.clusters * (next[k]++ % perCluster);
      }
      const key = user * o.numItems + item;
      if (pairs.has(key)) continue;
      pairs.add(key);
      users.push(user);
      items.push(item);
    }
  }
  // per user, their positives; users with fewer than 3 are dropped (renumbered densely)
  const byUser = new Map<number, number[]>();
  users.forEach((u, k) => {
    let list = byUser.get(u);
    if (list === undefined) byUser.set(u, (list = []));
    list.push(items[k]);
  });
  const kept = [...byUser.keys()].filter((u) => byUser.get(u)!.length >= 3).sort((a, b) => a - b);
  return leaveOneOut(
    kept.map((u) => byUser.get(u)!),
    o.numItems,
    random,
    o.negatives,
  );
}

/**
 * The NCF protocol's leave-one-out split of per-user positive lists: each list is shuffled (seeded),
 * its first item held out as the user's test positive and its second as the validation positive
 * (users with exactly 2 positives get no validation row), the rest are training positives; each
 * held-out positive gets `negatives` distinct sampled items the user never interacted with
 * (validation lists first, then test lists, all from `random`). Users with fewer than 2 positives
 * are dropped (they would have nothing to train on); users keep their order, renumbered densely.
 *
 * @param lists - per user, their distinct positive items (shuffled in place)
 * @param numItems - catalogue size (item ids are 0..numItems-1)
 * @param random - a seeded generator of floats in [0, 1)
 * @param negatives - negatives per held-out positive
 * @returns training positives, validation and test lists, and the positives per item
 */
export function leaveOneOut(lists: number[][], numItems: number, random: () => number, negatives = 99): SparseCatalogue {
  const int = (n: number) => Math.floor(random() * n);
  const kept = lists.filter((list) => list.length >= 2);
  const trainUsers: number[] = [];
  const trainItems: number[] = [];
  const held = { validation: [] as [number, number][], test: [] as [number, number][] };
  const itemCounts = new Int32Array(numItems);
  kept.forEach((list, dense) => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [list[i], list[j]] = [list[j], list[i]];
    }
    for (const item of list) itemCounts[item]++;
    held.test.push([dense, list[0]]);
    const from = list.length >= 3 ? 2 : 1;
    if (from === 2) held.validation.push([dense, list[1]]);
    for (const item of list.slice(from)) {
      trainUsers.push(dense);
      trainItems.push(item);
    }
  });
  const seen = kept.map((list) => new Set(list));
  const sample = (rows: [number, number][]): ValidationLists => ({
    users: Int32Array.from(rows, ([u]) => u),
    items: Int32Array.from(rows, ([, i]) => i),
    negatives: rows.map(([u]) => {
      const out = new Int32Array(negatives);
      const taken = new Set<number>();
      for (let n = 0; n < negatives; ) {
        const item = int(numItems);
        if (seen[u].has(item) || taken.has(item)) continue;
        taken.add(item);
        out[n++] = item;
      }
      return out;
    }),
  });
  return {
    train: { users: Int32Array.from(trainUsers), items: Int32Array.from(trainItems), numUsers: kept.length, numItems },
    validation: sample(held.validation),
    test: sample(held.test),
    itemCounts,
  };
}

/**
 * Reads per-user positive lists in LightGCN's text format (`data/<name>/train.txt` / `test.txt` of
 * github.com/kuandeng/LightGCN: one line per user, `userId item item ...`, space separated), drops
 * duplicate items within a line and renumbers the items that occur densely (in order of id).
 *
 * @param text - the file's contents
 * @returns the lists (in order of user id) and the number of distinct items
 */
export function parseUserItemLists(text: string): { lists: number[][]; numItems: number; interactions: number } {
  const raw: [number, number[]][] = [];
  const ids = new Set<number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/).filter((f) => f.length > 0);
    if (fields.length === 0) continue;
    const numbers = fields.map(Number);
    if (numbers.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`not a user-item list line: ${line.slice(0, 80)}`);
    const items = [...new Set(numbers.slice(1))];
    for (const i of items) ids.add(i);
    raw.push([numbers[0], items]);
  }
  raw.sort((a, b) => a[0] - b[0]);
  const dense = new Map([...ids].sort((a, b) => a - b).map((id, k) => [id, k]));
  const lists = raw.map(([, items]) => items.map((i) => dense.get(i)!));
  return { lists, numItems: dense.size, interactions: lists.reduce((a, l) => a + l.length, 0) };
}
