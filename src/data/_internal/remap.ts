// Raw integer ids (e.g. MovieLens's 1-based ids) to dense indices in ascending id order, so that
// the indices do not depend on the order of the lines and, for gap-free ids, index = id - min.

/** Dense indices for `raw`, numbered in ascending order of the raw ids; `ids[index]` is the raw id. */
export function denseRemap(raw: Int32Array): { indices: Int32Array; ids: number[] } {
  const n = raw.length;
  let max = 0;
  for (let k = 0; k < n; k++) if (raw[k] > max) max = raw[k];
  const indices = new Int32Array(n);
  const ids: number[] = [];
  if (max <= 4 * n + 65536) {
    // a table over the id range: linear time, no hashing
    const table = new Int32Array(max + 1).fill(-1);
    for (let k = 0; k < n; k++) table[raw[k]] = 0;
    for (let v = 0; v <= max; v++) {
      if (table[v] === 0) {
        table[v] = ids.length;
        ids.push(v);
      }
    }
    for (let k = 0; k < n; k++) indices[k] = table[raw[k]];
  } else {
    const sorted = Int32Array.from(new Set(raw)).sort();
    const index = new Map<number, number>();
    for (const v of sorted) {
      index.set(v, ids.length);
      ids.push(v);
    }
    for (let k = 0; k < n; k++) indices[k] = index.get(raw[k])!;
  }
  return { indices, ids };
}
