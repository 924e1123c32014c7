// Internal: reading a saved baseline's arrays back, each checked for its type and length.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { Csr } from './csr.js';

type ArrayCtor<T> = { new (length: number): T; readonly name: string };

/** Internal: `arrays[name]`, which must be a `ctor` (of `length` entries when given). */
export function partArray<T extends Int32Array | Float32Array | Float64Array>(arrays: Record<string, unknown>, name: string, ctor: ArrayCtor<T>, length?: number): T {
  const a = arrays[name];
  if (!(a instanceof (ctor as unknown as typeof Float64Array))) {
    throw new RecsysError('BUNDLE_CORRUPT', `baseline array ${show(name)} must be a ${ctor.name}, got ${show(a)}`);
  }
  if (length !== undefined && a.length !== length) {
    throw new RecsysError('BUNDLE_CORRUPT', `baseline array ${show(name)} has ${a.length} entries, expected ${length}`);
  }
  return a as unknown as T;
}

/** Internal: a CSR matrix saved as `<prefix>Offsets`, `<prefix>Indices`, `<prefix>Values`, checked. */
export function csrPart(arrays: Record<string, unknown>, prefix: string, rows: number, cols: number): Csr {
  const offsets = partArray(arrays, `${prefix}Offsets`, Int32Array, rows + 1);
  const indices = partArray(arrays, `${prefix}Indices`, Int32Array);
  const values = partArray(arrays, `${prefix}Values`, Float64Array, indices.length);
  let ok = offsets[0] === 0 && offsets[rows] === indices.length;
  for (let r = 0; ok && r < rows; r++) ok = offsets[r] <= offsets[r + 1];
  for (let k = 0; ok && k < indices.length; k++) ok = indices[k] >= 0 && indices[k] < cols;
  if (!ok) throw new RecsysError('BUNDLE_CORRUPT', `baseline matrix ${show(prefix)} has inconsistent offsets or indices`);
  return { rows, cols, offsets, indices, values };
}
