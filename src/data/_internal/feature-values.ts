// Checks and conversions of feature values shared by the feature table and its readers.
import { RecsysError } from '../../errors.js';
import { show } from '../../_lib/validate.js';

/** A feature value: a non-empty string or a finite number. */
type FeatureValue = string | number;

/** The row every field reserves for values never seen while building (serving-time unknowns). */
export const UNKNOWN_ROW = 0;

/** Makes a {@link FieldSpec} into `{ name, bucket }`, checking it. */
export function normalizeSpec(spec: unknown, index: number): { name: string; bucket?: number | readonly number[] } {
  const s = typeof spec === 'string' ? { name: spec } : spec;
  if (s === null || typeof s !== 'object' || typeof (s as { name?: unknown }).name !== 'string' || (s as { name: string }).name.length === 0) {
    throw new RecsysError('INVALID_ARGUMENT', `fields[${index}] must be a field name or { name, bucket? }, got ${show(spec)}`);
  }
  const { name, bucket } = s as { name: string; bucket?: unknown };
  if (bucket === undefined) return { name };
  if (typeof bucket === 'number') {
    if (!(Number.isFinite(bucket) && bucket > 0)) {
      throw new RecsysError('INVALID_ARGUMENT', `fields[${index}] (${show(name)}): bucket width must be a positive number, got ${show(bucket)}`);
    }
    return { name, bucket };
  }
  if (Array.isArray(bucket) && bucket.length > 0 && bucket.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > (bucket[i - 1] as number)))) {
    return { name, bucket: bucket.slice() as number[] };
  }
  throw new RecsysError('INVALID_ARGUMENT', `fields[${index}] (${show(name)}): bucket must be a positive width or non-empty ascending bounds, got ${show(bucket)}`);
}

/** Applies a field's bucketing; returns the value unchanged without one. Throws with `where` on a bad value. */
export function bucketValue(field: { name: string; bucket?: number | readonly number[] }, value: FeatureValue, where: string): FeatureValue {
  const { bucket } = field;
  if (bucket === undefined) return value;
  const v = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(v)) {
    throw new RecsysError('INVALID_ARGUMENT', `${where}: field ${show(field.name)} is bucketed, so its values must be numbers, got ${show(value)}`, {
      field: field.name,
      value,
    });
  }
  if (typeof bucket === 'number') return Math.floor(v / bucket) * bucket;
  if (v < bucket[0]) {
    throw new RecsysError('INVALID_ARGUMENT', `${where}: ${show(value)} of field ${show(field.name)} is below the first bucket bound ${bucket[0]}`, {
      field: field.name,
      value,
    });
  }
  let lo = 0;
  let hi = bucket.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bucket[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return bucket[lo];
}

/** The values of one cell as a list: none, one, or the array's elements. */
export function cellValues(cell: unknown, fieldName: string, where: string): FeatureValue[] {
  if (cell === undefined || cell === null) return [];
  const list = Array.isArray(cell) ? cell : [cell];
  for (let j = 0; j < list.length; j++) {
    const v: unknown = list[j];
    const ok = typeof v === 'string' ? v.length > 0 : typeof v === 'number' && Number.isFinite(v);
    if (!ok) {
      const at = Array.isArray(cell) ? `[${j}]` : '';
      throw new RecsysError('INVALID_ARGUMENT', `${where}.${fieldName}${at} must be a non-empty string or a finite number, got ${show(v)}`, {
        field: fieldName,
        value: v,
      });
    }
  }
  return list as FeatureValue[];
}
