// Sparse user x item matrices in CSR form, the input of every baseline. Repeated (user, item)
// pairs are merged (their values summed), columns are sorted within each row.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';

/** Internal: a sparse matrix in CSR form, `rows x cols`, row `r` in `indices/values[offsets[r]..offsets[r+1])`. */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/**
 * Internal: the user x item matrix of `data`. Value 1 per distinct pair, or the sum of the pair's
 * `weights` when `weighted` (which then requires weights, finite and positive).
 */
export function userItemCsr(data: Interactions, weighted: boolean, name = 'train'): Csr {
  validateInteractions(data, name);
  if (data.users.length === 0) throw new RecsysError('EMPTY_INPUT', `${name} holds no interactions; a baseline needs at least one`);
  const weights = weighted ? data.weights : undefined;
  if (weighted) {
    if (weights === undefined) throw new RecsysError('INVALID_ARGUMENT', `weighted is true but ${name} has no weights`);
    for (let k = 0; k < weights.length; k++) {
      if (!(weights[k] > 0) || !Number.isFinite(weights[k])) {
        throw new RecsysError('INVALID_ARGUMENT', `${name}.weights[${k}] = ${show(weights[k])}; weights used as confidence must be finite and > 0`, { index: k });
      }
    }
  }
  const { numUsers, numItems, users, items } = data;
  const counts = new Int32Array(numUsers + 1);
  for (let k = 0; k < users.length; k++) counts[users[k] + 1]++;
  for (let u = 0; u < numUsers; u++) counts[u + 1] += counts[u];
  const order = new Int32Array(users.length);
  const fill = counts.slice(0, numUsers);
  for (let k = 0; k < users.length; k++) order[fill[users[k]]++] = k;
  // sort each row by item, merge repeats
  const offsets = new Int32Array(numUsers + 1);
  const outItems = new Int32Array(users.length);
  const outValues = new Float64Array(users.length);
  let n = 0;
  for (let u = 0; u < numUsers; u++) {
    const row = order.subarray(counts[u], counts[u + 1]).sort((a, b) => items[a] - items[b] || a - b);
    for (let t = 0; t < row.length; t++) {
      const k = row[t];
      const v = weights === undefined ? 1 : weights[k];
      if (n > offsets[u] && outItems[n - 1] === items[k]) {
        if (weights !== undefined) outValues[n - 1] += v;
      } else {
        outItems[n] = items[k];
        outValues[n++] = v;
      }
    }
    offsets[u + 1] = n;
  }
  return { rows: numUsers, cols: numItems, offsets, indices: outItems.slice(0, n), values: outValues.slice(0, n) };
}

/** Internal: the transpose of a CSR matrix (columns stay sorted). */
export function transpose(m: Csr): Csr {
  const offsets = new Int32Array(m.cols + 1);
  for (let k = 0; k < m.indices.length; k++) offsets[m.indices[k] + 1]++;
  for (let c = 0; c < m.cols; c++) offsets[c + 1] += offsets[c];
  const fill = offsets.slice(0, m.cols);
  const indices = new Int32Array(m.indices.length);
  const values = new Float64Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.offsets[r]; k < m.offsets[r + 1]; k++) {
      const p = fill[m.indices[k]]++;
      indices[p] = r;
      values[p] = m.values[k];
    }
  }
  return { rows: m.cols, cols: m.rows, offsets, indices, values };
}
