// Side-feature fields as layers (internal), shared by the builders (side-features.ts) and the
// composable Embedding block: a feature table checked against the entity count, its fields resolved
// to padded entity indices, and one FeaturePool layer per field.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { FeatureTable } from '../data/features.js';
import type { NcfFeatureField, NcfSide } from '../ncf/index.js';
import { FeaturePool, paddedIndex, registerFeaturePool } from './feature-pool.js';

/** One resolved field: what the architecture records and the padded index the layer starts with. */
export interface ResolvedField {
  readonly arch: NcfFeatureField;
  readonly index: Int32Array;
  readonly values: FeatureTable['fields'][number];
}

/**
 * @internal Checks one side's feature table against the entity count and resolves its fields
 * (`argNames` name the arguments in messages: the builders' `itemFeatures`/`itemFields`,
 * Embedding's `features`/`fields`).
 */
export function resolveSide(
  side: NcfSide,
  table: FeatureTable | undefined,
  fields: readonly string[] | undefined,
  entities: number,
  argNames: { table: string; fields: string; count: string } = { table: `${side}Features`, fields: `${side}Fields`, count: `num${side === 'user' ? 'Users' : 'Items'}` },
): ResolvedField[] {
  const name = argNames.table;
  if (table === undefined) {
    if (fields !== undefined) throw new RecsysError('INVALID_ARGUMENT', `${argNames.fields} needs ${name}, got ${name} = undefined`);
    return [];
  }
  if (typeof table !== 'object' || table === null || !Array.isArray(table.fields) || typeof table.field !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a FeatureTable (see featuresFrom), got ${show(table)}`);
  }
  if (table.kind !== side) {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be a table of ${side}s, got a table of ${table.kind}s`);
  }
  if (table.numEntities !== entities) {
    throw new RecsysError(
      'SHAPE_MISMATCH',
      `${name} has ${table.numEntities} ${side}s but the model has ${entities} (build the model with ${argNames.count} = ${name}.numEntities)`,
      { features: table.numEntities, model: entities },
    );
  }
  if (fields !== undefined && (!Array.isArray(fields) || new Set(fields).size !== fields.length)) {
    throw new RecsysError('INVALID_ARGUMENT', `${argNames.fields} must be an array of distinct field names, got ${show(fields)}`);
  }
  const chosen = fields === undefined ? table.fields : fields.map((f) => table.field(f));
  return chosen.map((f) => {
    const { index, maxValues } = paddedIndex(f.offsets, f.rows, entities);
    return { arch: { name: f.name, rows: f.numRows, maxValues }, index, values: f };
  });
}

/**
 * @internal One FeaturePool layer per resolved field: the field's table `[rows, width]` (seeded by `seedOf(k)`) and its fixed entity index, named by `nameOf(k)`.
 */
export function featurePools(
  fields: readonly ResolvedField[],
  width: number,
  numEntities: number,
  nameOf: (k: number) => string | undefined,
  l2: number,
  seedOf: (k: number) => number | undefined,
): FeaturePool[] {
  registerFeaturePool();
  return fields.map((f, k) => {
    const { values } = f;
    const name = nameOf(k);
    return new FeaturePool(
      {
        ...(name === undefined ? {} : { name }),
        field: values.name,
        numRows: values.numRows,
        width,
        numEntities,
        maxValues: f.arch.maxValues,
        values: values.values.ids(),
        ...(values.bucket === undefined ? {} : { bucket: typeof values.bucket === 'number' ? values.bucket : [...values.bucket] }),
        l2,
        ...(seedOf(k) === undefined ? {} : { seed: seedOf(k) }),
      },
      f.index,
    );
  });
}
