// Item-based k-nearest-neighbours (Sarwar et al., WWW 2001; the tuned form of Dacrema et al.,
// RecSys 2019): cosine similarity between the items' user columns with a shrink term, each item
// keeps its top-N neighbours, a user's score for an item sums its similarities to the user's items.
import type { Interactions } from '../data/interactions.js';
import { assertIndex, assertInRange, assertInteger } from '../_lib/validate.js';
import { transpose, userItemCsr, type Csr } from './csr.js';
import { csrPart } from './part-array.js';
import { BaseScorer, booleanOption, checkKnownOptions, checkOptionsObject, secondsSince, type BaselineScorer } from './scorer.js';

/** Options of {@link fitItemKNN}. Defaults are Dacrema et al.'s `ItemKNNCFRecommender` defaults. */
export interface ItemKNNOptions {
  /** Neighbours kept per item (the top-N most similar), a positive integer. Default 50. */
  neighbours?: number;
  /**
   * Shrink term `h` of the similarity `x_i . x_j / (|x_i| |x_j| + h)`, >= 0: damps similarities
   * resting on few common users. Default 100.
   */
  shrink?: number;
  /** Use the interactions' `weights` as the matrix values instead of 1. Default false. */
  weighted?: boolean;
}

/** An item's kept neighbours, from {@link ItemKNNScorer.neighboursOf}. */
export interface ItemNeighbours {
  /** The neighbour items, most similar first. */
  items: Int32Array;
  /** Their similarities, aligned with `items`. */
  similarities: Float32Array;
}

/** The scorer {@link fitItemKNN} returns. */
export interface ItemKNNScorer extends BaselineScorer {
  /** Always `'item-knn'`. */
  readonly kind: 'item-knn';
  /** The options used, defaults filled in. */
  readonly options: Required<ItemKNNOptions>;
  /**
   * The neighbours kept for `item` (at most `neighbours`, most similar first) and their
   * similarities. Only items sharing at least one user are neighbours.
   * @param item - an item index
   */
  neighboursOf(item: number): ItemNeighbours;
}

/** Internal: rebuilds an item-kNN scorer from its parts. */
export function restoreItemKNN(numUsers: number, numItems: number, options: Required<ItemKNNOptions>, arrays: Record<string, unknown>): ItemKNNScorer {
  const x = csrPart(arrays, 'x', numUsers, numItems);
  const byColumn = csrPart(arrays, 'sim', numItems, numItems);
  return new ItemKNN(x, byColumn, transpose(byColumn), options);
}

class ItemKNN extends BaseScorer implements ItemKNNScorer {
  readonly kind = 'item-knn' as const;
  constructor(
    private readonly x: Csr,
    /** column j: its kept neighbours i and s_ij, most similar first */
    private readonly byColumn: Csr,
    /** row i: every column j that kept i, with s_ij (for scoring) */
    private readonly byRow: Csr,
    readonly options: Required<ItemKNNOptions>,
  ) {
    super(x.rows, x.cols);
  }

  parts() {
    const { x, byColumn } = this;
    return {
      options: this.options,
      arrays: { xOffsets: x.offsets, xIndices: x.indices, xValues: x.values, simOffsets: byColumn.offsets, simIndices: byColumn.indices, simValues: byColumn.values },
    };
  }

  neighboursOf(item: number): ItemNeighbours {
    assertIndex('item', item, this.numItems);
    const { offsets, indices, values } = this.byColumn;
    return { items: indices.slice(offsets[item], offsets[item + 1]), similarities: Float32Array.from(values.subarray(offsets[item], offsets[item + 1])) };
  }

  protected scoreRow(user: number, row: Float32Array): void {
    row.fill(0);
    const { offsets, indices, values } = this.byRow;
    for (let k = this.x.offsets[user]; k < this.x.offsets[user + 1]; k++) {
      const i = this.x.indices[k];
      const v = this.x.values[k];
      for (let p = offsets[i]; p < offsets[i + 1]; p++) row[indices[p]] += v * values[p];
    }
  }

  protected override scoreSome(user: number, items: Int32Array, out: Float32Array): void {
    // few candidates (e.g. 100 in the NCF protocol): look each up in its column instead of a full row
    if (items.length * 8 >= this.numItems) {
      super.scoreSome(user, items, out);
      return;
    }
    const xs = this.x.indices.subarray(this.x.offsets[user], this.x.offsets[user + 1]);
    const xv = this.x.values.subarray(this.x.offsets[user], this.x.offsets[user + 1]);
    const { offsets, indices, values } = this.byColumn;
    for (let t = 0; t < items.length; t++) {
      const j = items[t];
      let s = 0;
      for (let p = offsets[j]; p < offsets[j + 1]; p++) {
        const at = binarySearch(xs, indices[p]);
        if (at >= 0) s += xv[at] * values[p];
      }
      out[t] = s;
    }
  }
}

function binarySearch(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else if (sorted[mid] > value) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/**
 * Internal: the shrunk cosine similarities of every item `j` with every other item, keeping
 * `neighbours` per item; CSR by column j (neighbours most similar first, ties by lower index).
 */
export function knnSimilarities(x: Csr, neighbours: number, shrink: number): Csr {
  const xt = transpose(x);
  const n = x.cols;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = xt.offsets[i]; p < xt.offsets[i + 1]; p++) s += xt.values[p] * xt.values[p];
    norms[i] = Math.sqrt(s);
  }
  const dot = new Float64Array(n);
  const touched = new Int32Array(n);
  const mark = new Uint8Array(n);
  const offsets = new Int32Array(n + 1);
  let indices = new Int32Array(Math.min(n * neighbours, 1 << 20));
  let values = new Float64Array(indices.length);
  let size = 0;
  for (let j = 0; j < n; j++) {
    let count = 0;
    for (let p = xt.offsets[j]; p < xt.offsets[j + 1]; p++) {
      const u = xt.indices[p];
      const vj = xt.values[p];
      for (let q = x.offsets[u]; q < x.offsets[u + 1]; q++) {
        const i = x.indices[q];
        if (i === j) continue;
        if (mark[i] === 0) {
          mark[i] = 1;
          touched[count++] = i;
        }
        dot[i] += vj * x.values[q];
      }
    }
    const cand = touched.slice(0, count);
    const sims = new Float64Array(count);
    for (let t = 0; t < count; t++) {
      const i = cand[t];
      sims[t] = dot[i] / (norms[i] * norms[j] + shrink);
      dot[i] = 0;
      mark[i] = 0;
    }
    const order = Int32Array.from({ length: count }, (_, t) => t).sort((a, b) => sims[b] - sims[a] || cand[a] - cand[b]);
    const keep = Math.min(neighbours, count);
    if (size + keep > indices.length) {
      const grown = Math.max(indices.length * 2, size + keep);
      const i2 = new Int32Array(grown);
      i2.set(indices.subarray(0, size));
      const v2 = new Float64Array(grown);
      v2.set(values.subarray(0, size));
      indices = i2;
      values = v2;
    }
    for (let t = 0; t < keep; t++) {
      indices[size] = cand[order[t]];
      values[size++] = sims[order[t]];
    }
    offsets[j + 1] = size;
  }
  return { rows: n, cols: n, offsets, indices: indices.slice(0, size), values: values.slice(0, size) };
}

/**
 * Fits item-based kNN: the similarity of items `i` and `j` is the cosine of their user columns with
 * a shrink term, `s_ij = x_i . x_j / (|x_i| |x_j| + shrink)`; each item `j` keeps its `neighbours`
 * most similar items; user `u`'s score for `j` is `sum over u's items i of x_ui * s_ij` (Sarwar
 * et al., WWW 2001; shrinkage and top-N as in Dacrema et al., "Are we really making much
 * progress?", RecSys 2019). Sparse throughout: similarities are accumulated per item from the
 * CSR matrices, never as a dense item x item matrix (memory: items x neighbours entries).
 *
 * @param train - the training interactions
 * @param options - `neighbours` (50), `shrink` (100), `weighted` (false); see {@link ItemKNNOptions}
 * @returns an {@link ItemKNNScorer}
 * @example
 * ```ts
 * // items 0 and 1 share users 0 and 1; item 2 only user 2
 * const train = { users: Int32Array.of(0, 0, 1, 1, 2), items: Int32Array.of(0, 1, 0, 1, 2), numUsers: 3, numItems: 3 };
 * const knn = fitItemKNN(train, { neighbours: 10, shrink: 0 });
 * knn.neighboursOf(0);                            //=> { items: Int32Array [1], similarities: Float32Array [1] }
 * knn.scoreItems(0, Int32Array.of(0, 1, 2));      //=> Float32Array [1, 1, 0]
 * ```
 */
export function fitItemKNN(train: Interactions, options?: ItemKNNOptions): ItemKNNScorer {
  const start = performance.now();
  const opts = checkOptionsObject(options, 'fitItemKNN');
  checkKnownOptions(opts, ['neighbours', 'shrink', 'weighted'], 'fitItemKNN');
  const { neighbours = 50, shrink = 100 } = opts;
  assertInteger('neighbours', neighbours, 1);
  assertInRange('shrink', shrink, 0, Number.MAX_VALUE);
  const weighted = booleanOption('weighted', opts.weighted, false);
  const x = userItemCsr(train, weighted);
  const byColumn = knnSimilarities(x, neighbours, shrink);
  const scorer = new ItemKNN(x, byColumn, transpose(byColumn), { neighbours, shrink, weighted });
  scorer.fitSeconds = secondsSince(start);
  return scorer;
}

