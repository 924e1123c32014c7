// Building a FeatureTable from rows: featuresFrom (and the readers' buildFeatures, which names rows
// by file and line): the options checked, each row's entity found or added, each field's values
// collected and turned into CSR.
import { RecsysError } from '../errors.js';
import { assertOneOf, show } from '../_lib/validate.js';
import { IdMap, assertId, type IdKind } from './id-map.js';
import { growableInt32 } from './_internal/growable.js';
import { bucketValue, cellValues, normalizeSpec } from './_internal/feature-values.js';
import { FeatureTable, type FeatureField, type FeatureOptions, type FeatureRow, type FeatureValue } from './features.js';

/** @internal Names a row in error messages (readers pass a file:line locator). */
export type RowLocator = (rowIndex: number) => string;

/**
 * Builds a {@link FeatureTable} from rows keyed by `id` (the shape of `itemFeatures` /
 * `userFeatures` of `Recommender.fit`). Each listed field becomes a value map plus CSR rows;
 * strings and numbers are categories (`'42'` and `42` are two values) unless the field is
 * bucketed (see {@link FieldSpec}); an array is a multi-valued cell (repeats dropped); `null`,
 * `undefined` or `[]` is no value. Entities of `ids` without a row get no values. A repeated id, a
 * bad value or a bad id is a RecsysError naming the row.
 *
 * @param rows - the feature rows
 * @param options - the fields, the interactions' id map, what to do with new ids
 * @returns the table; its `ids` extends `options.ids` with new ids (by default)
 * @example
 * ```ts
 * const { items } = await readMovieLens('ml-100k/u.data');
 * const movies = featuresFrom(await readMovieLensMovies('ml-100k/u.item'), {
 *   fields: ['genre', { name: 'year', bucket: 10 }],
 *   ids: items,
 * });
 * movies.valuesOf('genre', items.indexOf(1)); //=> ['Animation', "Children's", 'Comedy']
 * movies.valuesOf('year', items.indexOf(1)); //=> [1990]
 * ```
 */
export function featuresFrom(rows: Iterable<FeatureRow>, options: FeatureOptions): FeatureTable {
  return buildFeatures(rows, options, (r) => `rows[${r}]`);
}

/** @internal {@link featuresFrom} with a locator for messages. */
export function buildFeatures(rows: Iterable<FeatureRow>, options: FeatureOptions, where: RowLocator): FeatureTable {
  const o = featureSettings(rows, options);
  const { specs, idKey, kind } = o;
  const ids = options.ids === undefined ? new IdMap({ kind }) : IdMap.fromIds(options.ids.ids(), { kind });
  const numKnown = ids.size;
  // per field: value map, and (entity, row) pairs in row order; CSR is built at the end
  const maps = specs.map(() => new IdMap<FeatureValue>());
  const entityOf = specs.map(() => growableInt32(1024));
  const rowOf = specs.map(() => growableInt32(1024));
  const hasRow = new Set<number>();
  let skipped = 0;
  let r = -1;
  for (const row of rows) {
    r++;
    if (row === null || typeof row !== 'object') {
      throw new RecsysError('INVALID_ARGUMENT', `${where(r)} must be an object like { ${idKey}: ..., ${specs[0].name}: ... }, got ${show(row)}`);
    }
    const entity = entityOfRow(row, ids, o, where(r));
    if (entity === undefined) {
      skipped++;
      continue;
    }
    if (hasRow.has(entity)) {
      throw new RecsysError('INVALID_ARGUMENT', `${where(r)}: ${kind} ${show(row[idKey])} has a second row; give each ${kind} one row (arrays for several values)`, {
        value: row[idKey],
      });
    }
    hasRow.add(entity);
    for (let f = 0; f < specs.length; f++) {
      const first = rowOf[f].length;
      for (const v of cellValues(row[specs[f].name], specs[f].name, where(r))) {
        const valueRow = maps[f].add(bucketValue(specs[f], v, `${where(r)}.${specs[f].name}`)) + 1;
        let repeat = false;
        for (let j = first; j < rowOf[f].length; j++) if (rowOf[f].get(j) === valueRow) repeat = true;
        if (repeat) continue;
        entityOf[f].push(entity);
        rowOf[f].push(valueRow);
      }
    }
  }
  const fields = specs.map((spec, f) => fieldCsr(spec, maps[f], entityOf[f].view(), rowOf[f].view(), ids.size));
  return new FeatureTable(kind, ids, fields, numKnown, skipped);
}

/** The options of featuresFrom checked, with their defaults. */
function featureSettings(rows: Iterable<FeatureRow>, options: FeatureOptions) {
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object like { fields: ['genre'] }, got ${show(options)}`);
  }
  if (rows === null || typeof rows !== 'object' || typeof (rows as Iterable<FeatureRow>)[Symbol.iterator] !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `rows must be an array (or iterable) of objects, got ${show(rows)}`);
  }
  if (!Array.isArray(options.fields) || options.fields.length === 0) {
    throw new RecsysError('INVALID_ARGUMENT', `options.fields must be a non-empty array of field names, got ${show(options.fields)}`);
  }
  const idKey = options.idKey ?? 'id';
  if (typeof idKey !== 'string' || idKey.length === 0) throw new RecsysError('INVALID_ARGUMENT', `idKey must be a non-empty string, got ${show(idKey)}`);
  const newIds = options.newIds ?? 'extend';
  assertOneOf('newIds', newIds, ['extend', 'skip', 'error'] as const);
  if (options.ids !== undefined && !(options.ids instanceof IdMap)) {
    throw new RecsysError('INVALID_ARGUMENT', `options.ids must be an IdMap (the interactions' users or items), got ${show(options.ids)}`);
  }
  const kind: IdKind = options.kind ?? options.ids?.kind ?? 'item';
  assertOneOf('kind', kind, ['user', 'item'] as const);
  const specs = options.fields.map((s, i) => normalizeSpec(s, i));
  const seenNames = new Set<string>();
  for (const s of specs) {
    if (s.name === idKey) throw new RecsysError('INVALID_ARGUMENT', `field ${show(s.name)} is the id key; name the feature fields only`);
    if (seenNames.has(s.name)) throw new RecsysError('INVALID_ARGUMENT', `field ${show(s.name)} is listed twice`);
    seenNames.add(s.name);
  }
  return { specs, idKey, newIds, kind, fixedIds: options.ids !== undefined };
}

/** The row's entity index (added to `ids` when new and allowed), or undefined when it is skipped. */
function entityOfRow(row: FeatureRow, ids: IdMap, o: ReturnType<typeof featureSettings>, at: string): number | undefined {
  const id = row[o.idKey];
  assertId(id, `${at}.${o.idKey}`);
  const entity = ids.index(id);
  if (entity !== undefined) return entity;
  if (!o.fixedIds || o.newIds === 'extend') return ids.add(id);
  if (o.newIds === 'skip') return undefined;
  throw new RecsysError(o.kind === 'user' ? 'UNKNOWN_USER' : 'UNKNOWN_ITEM', `${at}: ${o.kind} ${show(id)} is not in the interactions' id map (newIds: 'error')`, {
    value: id,
  });
}

/** One field's (entity, value row) pairs as CSR over `n` entities. */
function fieldCsr(spec: ReturnType<typeof normalizeSpec>, values: IdMap<FeatureValue>, ents: Int32Array, vals: Int32Array, n: number): FeatureField {
  const offsets = new Int32Array(n + 1);
  for (let j = 0; j < ents.length; j++) offsets[ents[j] + 1]++;
  let multi = false;
  for (let e = 0; e < n; e++) {
    if (offsets[e + 1] > 1) multi = true;
    offsets[e + 1] += offsets[e];
  }
  const cursor = offsets.slice(0, n);
  const out = new Int32Array(ents.length);
  for (let j = 0; j < ents.length; j++) out[cursor[ents[j]]++] = vals[j];
  return { ...spec, values, numRows: values.size + 1, offsets, rows: out, multiValued: multi };
}
