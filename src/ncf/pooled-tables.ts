// What a model with side features feeds forward for each entity, as a plain table: row e is the id
// row plus, per field, the mean of the rows of e's values (FeaturePool's math; an entity with no
// value in a field gets nothing from it). With these tables in place of the id tables, the model
// is a plain NCF model: the fast scorer and fold-in compute it as one.
//
// No tfjs here.

/** One side-feature field of one block: its table and its fixed entity index. */
export interface PoolField {
  /** The field's table, [rows, width] row-major. */
  readonly table: Float32Array;
  /** Each entity's value rows, [entities, maxValues] row-major, padded with -1. */
  readonly index: Int32Array;
  readonly maxValues: number;
}

/**
 * The pooled table of one side and block: a new [entities, width] table, row e = id[e] + the sum
 * over fields of the mean of e's value rows (computed in double precision, rounded once).
 *
 * @param id - the id table, [entities, width] row-major
 * @param width - the row width
 * @param fields - the side's fields in this block
 * @returns the pooled table (a copy of `id` without fields)
 * @example
 * ```ts
 * const id = Float32Array.of(1, 1, 2, 2);                       // 2 entities, width 2
 * const genre = { table: Float32Array.of(0, 0, 10, 0, 0, 20), index: Int32Array.of(1, 2, 2, -1), maxValues: 2 };
 * pooledTable(id, 2, [genre]); //=> Float32Array [6, 11, 2, 22]  (entity 0: mean of rows 1 and 2)
 * ```
 */
export function pooledTable(id: Float32Array, width: number, fields: readonly PoolField[]): Float32Array {
  const out = Float32Array.from(id);
  if (fields.length === 0 || width === 0) return out;
  const entities = id.length / width;
  const sum = new Float64Array(width);
  for (let e = 0; e < entities; e++) {
    const at = e * width;
    for (let k = 0; k < width; k++) sum[k] = id[at + k];
    for (const { table, index, maxValues } of fields) {
      const base = e * maxValues;
      let n = 0;
      for (let j = 0; j < maxValues; j++) if (index[base + j] >= 0) n++;
      if (n === 0) continue;
      for (let j = 0; j < maxValues; j++) {
        const v = index[base + j];
        if (v < 0) continue;
        const row = v * width;
        for (let k = 0; k < width; k++) sum[k] += table[row + k] / n;
      }
    }
    for (let k = 0; k < width; k++) out[at + k] = sum[k];
  }
  return out;
}
