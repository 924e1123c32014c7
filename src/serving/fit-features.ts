// Recommender.fit's side features: the app's feature rows (keyed by `id`) turned into the feature
// tables the builders take, indexed like the ids the interactions gave; item rows that no
// interaction mentions are set aside, to be added after training as new items (addItems), so they
// are scored from their features and never trained as negatives.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { featuresFrom, type FeatureRow, type FeatureTable, type FieldSpec, type IdMap } from '../data/index.js';
import type { ExternalId } from './recommender-types.js';

/** What fit builds the model with, and the items it adds after training. */
export interface FitFeatures {
  readonly userFeatures?: FeatureTable;
  readonly itemFeatures?: FeatureTable;
  /** Item rows whose id no interaction mentions: `{ id, features }` for addItems. */
  readonly newItems: { id: ExternalId; features: Record<string, unknown> }[];
}

/** Every key of the rows but `id`, in order of first appearance. */
function allFields(rows: readonly FeatureRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) if (key !== 'id') names.add(key);
  return [...names];
}

function rowsOf(value: unknown, name: string): FeatureRow[] {
  if (value === null || typeof value !== 'object' || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new RecsysError('INVALID_ARGUMENT', `${name} must be an iterable of rows keyed by id (e.g. [{ id: 'sku-1', genre: 'drama' }]), got ${show(value)}`);
  }
  const rows = Array.from(value as Iterable<FeatureRow>);
  rows.forEach((row, k) => {
    if (row === null || typeof row !== 'object' || !('id' in row)) {
      throw new RecsysError('INVALID_ARGUMENT', `${name}[${k}] must be an object with an id, got ${show(row)}`);
    }
  });
  return rows;
}

function table(rows: FeatureRow[], fields: readonly FieldSpec[] | undefined, ids: IdMap, kind: 'user' | 'item', name: string): FeatureTable {
  const chosen = fields ?? allFields(rows);
  if (chosen.length === 0) throw new RecsysError('INVALID_ARGUMENT', `${name} rows have no field besides id`);
  return featuresFrom(rows, { fields: chosen, ids, newIds: 'skip', kind });
}

/**
 * @internal The feature tables of `Recommender.fit`'s options (`itemFeatures`, `itemFields`,
 * `userFeatures`, `userFields`) for the interactions' id maps.
 */
export function fitFeatures(
  options: { itemFeatures?: unknown; itemFields?: readonly FieldSpec[]; userFeatures?: unknown; userFields?: readonly FieldSpec[] },
  users: IdMap,
  items: IdMap,
): FitFeatures {
  const { itemFeatures, itemFields, userFeatures, userFields } = options;
  if (itemFields !== undefined && itemFeatures === undefined) throw new RecsysError('INVALID_ARGUMENT', 'itemFields needs itemFeatures, got itemFeatures = undefined');
  if (userFields !== undefined && userFeatures === undefined) throw new RecsysError('INVALID_ARGUMENT', 'userFields needs userFeatures, got userFeatures = undefined');
  const newItems: FitFeatures['newItems'] = [];
  let itemTable: FeatureTable | undefined;
  if (itemFeatures !== undefined) {
    const rows = rowsOf(itemFeatures, 'itemFeatures');
    itemTable = table(rows, itemFields, items, 'item', 'itemFeatures');
    const names = itemTable.fields.map((f) => f.name);
    for (const row of rows) {
      const id = row.id as ExternalId;
      if (items.index(id) !== undefined) continue;
      const features: Record<string, unknown> = {};
      for (const name of names) if (name in row) features[name] = row[name];
      newItems.push({ id, features });
    }
  }
  const userTable = userFeatures === undefined ? undefined : table(rowsOf(userFeatures, 'userFeatures'), userFields, users, 'user', 'userFeatures');
  return { ...(userTable ? { userFeatures: userTable } : {}), ...(itemTable ? { itemFeatures: itemTable } : {}), newItems };
}
