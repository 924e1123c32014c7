// Side features of users or items: categorical fields, single- or multi-valued, each with its own
// value id map, stored per field as CSR typed arrays indexed by the entity's dense index (the index
// the interactions use). Row 0 of every field is the "unknown" row: values never seen while the
// table was built map to it at serving time, so a new value is never an error.
import { RecsysError } from '../errors.js';
import { assertOneOf, show } from '../_lib/validate.js';
import { IdMap, type IdKind } from './id-map.js';
import { bucketValue, normalizeSpec, UNKNOWN_ROW } from './_internal/feature-values.js';

/** A feature value: a category given as a non-empty string or a finite number (`42` and `'42'` differ). */
export type FeatureValue = string | number;

/**
 * One row of features: the entity's id under `id` (or the key named by
 * {@link FeatureOptions.idKey}), and one entry per field: a value, an array of values (a
 * multi-valued field such as genres), or `null` / `undefined` / `[]` for none.
 *
 * @example
 * ```ts
 * const row: FeatureRow = { id: 'sku-1', genre: ['drama', 'crime'], brand: 'acme', year: 1994 };
 * ```
 */
export type FeatureRow = Readonly<Record<string, unknown>>;

/**
 * How a field is read. A bare string names a field whose values are categories as they are; the
 * object form can bucket numbers first:
 * - `bucket: width` (a positive number): a number `v` becomes `Math.floor(v / width) * width`,
 *   e.g. width 10 turns the year 1994 into the decade 1990;
 * - `bucket: [b0, b1, ...]` (ascending bounds): `v` becomes the largest bound `<= v`, e.g. the
 *   MovieLens-1M age groups `[1, 18, 25, 35, 45, 50, 56]` turn 30 into 25. A number below `b0` is
 *   a RecsysError (nothing is clamped).
 * A bucketed field accepts only finite numbers (or numeric strings, as CSV cells are).
 *
 * @example
 * ```ts
 * const fields: FieldSpec[] = ['genre', { name: 'year', bucket: 10 }, { name: 'age', bucket: [1, 18, 25, 35, 45, 50, 56] }];
 * ```
 */
export type FieldSpec = string | BucketedField;

/** The object form of a {@link FieldSpec}: a field name and an optional bucketing of numbers. */
export interface BucketedField {
  /** The field's name (the key in the rows). */
  readonly name: string;
  /** A positive bucket width, or ascending bucket bounds (see {@link FieldSpec}). */
  readonly bucket?: number | readonly number[];
}

/** Options of {@link featuresFrom}. */
export interface FeatureOptions {
  /** The fields to keep, in order; keys of the rows not listed here are ignored (except the id). */
  fields: readonly FieldSpec[];
  /** The key holding the entity id in each row. Default `'id'`. */
  idKey?: string;
  /**
   * The id map of the interactions (`items` or `users` of a reader's result): entity `i` of the
   * table is index `i` of that map. Not changed: the table holds its own copy
   * ({@link FeatureTable.ids}). Without it, ids are indexed in order of first appearance in `rows`.
   */
  ids?: IdMap;
  /**
   * What to do with a row whose id is not in `ids` (a new item with no interactions yet):
   * - `'extend'` (default): append it to the table's copy of the map, after the known ids, so it
   *   has an index (>= `ids.size`) and features: a model can score it from them;
   * - `'skip'`: leave the row out, counted in {@link FeatureTable.skipped};
   * - `'error'`: throw `UNKNOWN_ITEM` / `UNKNOWN_USER` naming the id and the row.
   */
  newIds?: 'extend' | 'skip' | 'error';
  /** `'item'` or `'user'`: names the error codes and the copied map's kind. Default: `ids.kind`, else `'item'`. */
  kind?: IdKind;
}

/** One field of a {@link FeatureTable}: its value map and its CSR rows. */
export interface FeatureField {
  /** The field's name (the key in the rows). */
  readonly name: string;
  /** The bucketing applied to numbers before lookup, as given in the {@link FieldSpec}; undefined when none. */
  readonly bucket?: number | readonly number[];
  /** The known values; value `v` is row `1 + values.index(v)` (row 0 is "unknown"). */
  readonly values: IdMap<FeatureValue>;
  /** Number of rows an embedding of this field needs: `values.size + 1` (row 0 = unknown). */
  readonly numRows: number;
  /** CSR offsets, length `numEntities + 1`: entity `e`'s rows are `rows[offsets[e] .. offsets[e + 1])`. */
  readonly offsets: Int32Array;
  /** The entities' value rows (1..numRows-1), concatenated in entity order, each entity's in first-seen order without repeats. */
  readonly rows: Int32Array;
  /** Whether some entity has more than one value. */
  readonly multiValued: boolean;
}

/** The JSON form of a {@link FeatureTable} (for bundles): plain arrays. */
export interface FeatureTableJSON {
  /** What the ids name. */
  kind: IdKind;
  /** The entity ids in index order. */
  ids: FeatureValue[];
  /** {@link FeatureTable.numKnown}: how many of `ids` came from the interactions' map. Default: all. */
  numKnown?: number;
  /** Per field: name, bucket, value ids in order, CSR offsets and rows. */
  fields: FeatureFieldJSON[];
}

/** The JSON form of one {@link FeatureField}. */
export interface FeatureFieldJSON {
  /** The field's name. */
  name: string;
  /** Its bucketing, when any. */
  bucket?: number | number[];
  /** The known values in order (value `values[j]` is row `j + 1`). */
  values: FeatureValue[];
  /** CSR offsets (numEntities + 1 entries). */
  offsets: number[];
  /** CSR value rows. */
  rows: number[];
}

/**
 * Per-user or per-item categorical features, one CSR block per field, indexed like the
 * interactions (entity `e` is index `e` of {@link FeatureTable.ids}). Build one with
 * {@link featuresFrom} (or the readers {@link readFeaturesCsv}, {@link readMovieLensMovies} +
 * `featuresFrom`, ...). Row 0 of each field is "unknown": {@link FeatureTable.encode} maps values
 * the table never saw there, never throwing, so a model can serve new values.
 *
 * @example
 * ```ts
 * const items = IdMap.fromIds(['sku-1', 'sku-2'], { kind: 'item' });
 * const table = featuresFrom(
 *   [{ id: 'sku-1', genre: ['drama', 'crime'], brand: 'acme' }, { id: 'sku-3', genre: 'drama' }],
 *   { fields: ['genre', 'brand'], ids: items },
 * );
 * table.numEntities; //=> 3 (sku-3, new, was appended)
 * table.rowsOf('genre', 0); //=> Int32Array [1, 2]
 * table.rowsOf('genre', 1); //=> Int32Array [] (sku-2 has no row)
 * table.encode('genre', ['crime', 'western']); //=> Int32Array [2, 0]
 * ```
 */
export class FeatureTable {
  /** `'item'` or `'user'`. */
  readonly kind: IdKind;
  /** The entity ids: the interactions' map, extended by the new ids of the rows (see {@link FeatureOptions.newIds}). */
  readonly ids: IdMap;
  /** Number of entities (`ids.size`); every field's offsets have `numEntities + 1` entries. */
  readonly numEntities: number;
  /** Size of the id map given in {@link FeatureOptions.ids} (entities at or above it are new); 0 without one. */
  readonly numKnown: number;
  /** The fields, in the order of {@link FeatureOptions.fields}. */
  readonly fields: readonly FeatureField[];
  /** Rows left out under `newIds: 'skip'`. */
  readonly skipped: number;
  private readonly byName: Map<string, FeatureField>;

  /**
   * Wraps built fields; use {@link featuresFrom} or {@link FeatureTable.fromJSON} instead.
   *
   * @param kind - `'item'` or `'user'`
   * @param ids - the entity id map
   * @param fields - the fields (offsets of length ids.size + 1)
   * @param numKnown - how many ids came from the interactions' map
   * @param skipped - rows left out
   */
  constructor(kind: IdKind, ids: IdMap, fields: readonly FeatureField[], numKnown = 0, skipped = 0) {
    this.kind = kind;
    this.ids = ids;
    this.numEntities = ids.size;
    this.numKnown = numKnown;
    this.fields = fields;
    this.skipped = skipped;
    this.byName = new Map(fields.map((f) => [f.name, f]));
    for (const f of fields) {
      if (f.offsets.length !== ids.size + 1) {
        throw new RecsysError('LENGTH_MISMATCH', `field ${show(f.name)} has ${f.offsets.length} offsets, expected ${ids.size + 1} (entities + 1)`);
      }
    }
  }

  /**
   * The field called `name`; throws INVALID_ARGUMENT naming the known fields otherwise.
   *
   * @param name - a field name
   * @returns the field
   * @example
   * ```ts
   * table.field('genre').numRows; //=> 3 (unknown, drama, crime)
   * ```
   */
  field(name: string): FeatureField {
    const f = this.byName.get(name);
    if (f === undefined) {
      throw new RecsysError('INVALID_ARGUMENT', `no feature field ${show(name)}; the fields are ${this.fields.map((x) => JSON.stringify(x.name)).join(', ')}`, {
        value: name,
      });
    }
    return f;
  }

  /**
   * The value rows of one entity in one field (a view into {@link FeatureField.rows}; empty when
   * the entity has no value).
   *
   * @param name - the field
   * @param entity - the entity's index (0..numEntities-1)
   * @returns the rows, each in 1..numRows-1
   * @example
   * ```ts
   * table.rowsOf('brand', 0); //=> Int32Array [1]
   * ```
   */
  rowsOf(name: string, entity: number): Int32Array {
    const f = this.field(name);
    if (!(Number.isInteger(entity) && entity >= 0 && entity < this.numEntities)) {
      const code = this.kind === 'user' ? 'USER_OUT_OF_RANGE' : 'ITEM_OUT_OF_RANGE';
      throw new RecsysError(code, `${this.kind} index ${show(entity)} is not in 0..${this.numEntities - 1}`, { value: entity });
    }
    return f.rows.subarray(f.offsets[entity], f.offsets[entity + 1]);
  }

  /**
   * The values of one entity in one field, as they were given (after bucketing).
   *
   * @param name - the field
   * @param entity - the entity's index
   * @returns the values
   * @example
   * ```ts
   * table.valuesOf('genre', 0); //=> ['drama', 'crime']
   * ```
   */
  valuesOf(name: string, entity: number): FeatureValue[] {
    const f = this.field(name);
    return Array.from(this.rowsOf(name, entity), (r) => f.values.id(r - 1));
  }

  /**
   * Maps values of a field to rows as a model needs them at serving time (e.g. a new item's
   * features): known values to their row, any value the table never saw (or that is not a
   * valid value at all) to row 0, "unknown". Never throws for a value; an unknown field name is
   * an error. Bucketing applies first; a value a bucketed field cannot bucket is unknown.
   *
   * @param name - the field
   * @param values - one value, an array of values, or null / undefined for none
   * @returns the rows, in order (repeats kept)
   * @example
   * ```ts
   * table.encode('genre', 'drama'); //=> Int32Array [1]
   * table.encode('genre', ['noir', 'crime']); //=> Int32Array [0, 2]
   * table.encode('genre', undefined); //=> Int32Array []
   * ```
   */
  encode(name: string, values: unknown): Int32Array {
    const f = this.field(name);
    const list: unknown[] = values === undefined || values === null ? [] : Array.isArray(values) ? values : [values];
    const out = new Int32Array(list.length);
    for (let j = 0; j < list.length; j++) {
      const v = list[j];
      if (!((typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v)))) {
        out[j] = UNKNOWN_ROW;
        continue;
      }
      let key: FeatureValue;
      try {
        key = bucketValue(f, v, 'encode');
      } catch {
        out[j] = UNKNOWN_ROW;
        continue;
      }
      const index = f.values.index(key);
      out[j] = index === undefined ? UNKNOWN_ROW : index + 1;
    }
    return out;
  }

  /**
   * The JSON form (plain arrays), for bundles; {@link FeatureTable.fromJSON} reverses it.
   *
   * @returns kind, ids and fields
   * @example
   * ```ts
   * const again = FeatureTable.fromJSON(JSON.parse(JSON.stringify(table)));
   * again.valuesOf('genre', 0); //=> ['drama', 'crime']
   * ```
   */
  toJSON(): FeatureTableJSON {
    return {
      kind: this.kind,
      ids: this.ids.ids(),
      numKnown: this.numKnown,
      fields: this.fields.map((f) => ({
        name: f.name,
        ...(f.bucket === undefined ? {} : { bucket: typeof f.bucket === 'number' ? f.bucket : f.bucket.slice() }),
        values: f.values.ids(),
        offsets: Array.from(f.offsets),
        rows: Array.from(f.rows),
      })),
    };
  }

  /**
   * Rebuilds a table from {@link FeatureTable.toJSON} output, checking offsets and rows.
   *
   * @param json - the JSON form
   * @returns the table
   * @example
   * ```ts
   * FeatureTable.fromJSON(table.toJSON()).numEntities === table.numEntities; //=> true
   * ```
   */
  static fromJSON(json: FeatureTableJSON): FeatureTable {
    if (json === null || typeof json !== 'object' || !Array.isArray(json.ids) || !Array.isArray(json.fields)) {
      throw new RecsysError('INVALID_ARGUMENT', `FeatureTable JSON must be { kind, ids, fields }, got ${show(json)}`);
    }
    assertOneOf('kind', json.kind, ['user', 'item'] as const);
    const ids = IdMap.fromJSON({ ids: json.ids, kind: json.kind });
    const fields = json.fields.map((raw, k): FeatureField => {
      const spec = normalizeSpec(raw, k);
      const values = IdMap.fromJSON<FeatureValue>(raw.values);
      const offsets = Int32Array.from(raw.offsets);
      const rows = Int32Array.from(raw.rows);
      let multi = false;
      for (let e = 0; e < offsets.length - 1; e++) {
        if (offsets[e + 1] < offsets[e]) throw new RecsysError('INVALID_ARGUMENT', `field ${show(spec.name)}: offsets decrease at ${e}`);
        if (offsets[e + 1] - offsets[e] > 1) multi = true;
      }
      if (offsets[0] !== 0 || offsets[offsets.length - 1] !== rows.length) {
        throw new RecsysError('INVALID_ARGUMENT', `field ${show(spec.name)}: offsets must run from 0 to rows.length (${rows.length})`);
      }
      for (let j = 0; j < rows.length; j++) {
        if (!(rows[j] >= 1 && rows[j] <= values.size)) {
          throw new RecsysError('INVALID_ARGUMENT', `field ${show(spec.name)}: rows[${j}] = ${rows[j]} is not a value row in 1..${values.size}`);
        }
      }
      return { ...spec, values, numRows: values.size + 1, offsets, rows, multiValued: multi };
    });
    const numKnown = json.numKnown ?? ids.size;
    if (!(Number.isInteger(numKnown) && numKnown >= 0 && numKnown <= ids.size)) {
      throw new RecsysError('INVALID_ARGUMENT', `numKnown must be an integer in 0..${ids.size}, got ${show(numKnown)}`);
    }
    return new FeatureTable(json.kind, ids, fields, numKnown);
  }
}
