// Internal: the weighted draws of the synthetic data generators (a sum tree, a shuffle, and an
// exact integer split of a total by weights).
import { randomInt, type Random } from '../../_lib/random.js';

/**
 * A sum tree over non-negative weights: draw an index proportionally to its weight in O(log n),
 * set a weight in O(log n). Parents are recomputed as sums of their children (never incremented),
 * so zeroing and restoring weights millions of times accumulates no rounding drift.
 */
export class SumTree {
  private readonly tree: Float64Array;
  private readonly leaves: number;

  constructor(weights: ArrayLike<number>) {
    let leaves = 1;
    while (leaves < weights.length) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Float64Array(2 * leaves);
    for (let i = 0; i < weights.length; i++) this.tree[leaves + i] = weights[i];
    for (let node = leaves - 1; node >= 1; node--) this.tree[node] = this.tree[2 * node] + this.tree[2 * node + 1];
  }

  get total(): number {
    return this.tree[1];
  }

  set(index: number, weight: number): void {
    const tree = this.tree;
    let node = this.leaves + index;
    tree[node] = weight;
    for (node >>= 1; node >= 1; node >>= 1) tree[node] = tree[2 * node] + tree[2 * node + 1];
  }

  /** An index drawn proportionally to the weights; call only when `total > 0`. Never a zero weight. */
  draw(random: Random): number {
    const tree = this.tree;
    let r = random() * tree[1];
    let node = 1;
    while (node < this.leaves) {
      const left = tree[2 * node];
      const right = tree[2 * node + 1];
      // the right subtree only when it has mass and r is past the left one (rounding cannot reach an empty leaf)
      if (r < left || !(right > 0)) {
        node = 2 * node;
      } else {
        r -= left;
        node = 2 * node + 1;
      }
    }
    return node - this.leaves;
  }
}

/** Fisher-Yates shuffle of `values[from..to)` in place. */
export function shuffle(random: Random, values: Int32Array, from = 0, to = values.length): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + randomInt(random, i - from + 1);
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
}

/**
 * Splits `total` among ranks with weights `w` (decreasing), each getting at most `cap`, exactly
 * (integers summing to `total`): water-filling (the capped ranks are a prefix), then floors, then
 * the remainder one unit at a time to the first ranks below the cap. O(ranks).
 */
export function allocate(w: Float64Array, total: number, cap: number): Int32Array {
  const n = w.length;
  const out = new Int32Array(n);
  let rest = 0;
  for (let r = 0; r < n; r++) rest += w[r];
  if (!(rest > 0)) {
    // a flat law (exponent 0, or a single rank): equal shares
    w.fill(1);
    rest = n;
  }
  let capped = 0;
  let left = total;
  // smallest prefix p such that, spreading what is left over ranks p.. proportionally, rank p fits
  while (capped < n && (left * w[capped]) / rest > cap) {
    out[capped] = cap;
    left -= cap;
    rest -= w[capped];
    capped++;
  }
  let given = capped * cap;
  for (let r = capped; r < n; r++) {
    out[r] = Math.min(cap, Math.floor((left * w[r]) / rest));
    given += out[r];
  }
  for (let r = 0; given < total; r = (r + 1) % n) {
    if (out[r] < cap) {
      out[r]++;
      given++;
    }
  }
  return out;
}
