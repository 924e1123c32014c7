// Shared by interactionsFrom and readCsv: maps external ids through IdMaps, converts time and weight
// values, appends to growable typed arrays, and collapses duplicates at the end.
import { RecsysError } from '../../errors.js';
import { show } from '../../_lib/validate.js';
import { IdMap, type IdKind } from '../id-map.js';
import type { Interactions } from '../interactions.js';
import { collapseDuplicates, type DuplicatePolicy } from './collapse.js';
import { growableFloat32, growableFloat64, growableInt32 } from './growable.js';

/** What to do with an id that is not yet in a map passed in by the caller. @category Data */
export type UnknownIdPolicy = 'add' | 'error' | 'skip';

/** Where a value came from, for error messages: `row 3, column "ts"` or `data.csv:4, column "ts"`. */
export interface Locator {
  at(column: string): string;
}

/** Whether a cell counts as missing. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A finite number from a number or a numeric string; NaN otherwise. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string' && NUMBER.test(value)) return Number(value);
  return NaN;
}

/** A time: a number, a numeric string, a Date or an ISO-8601 date string (both as milliseconds). */
export function toTime(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  const n = toNumber(value);
  if (!Number.isNaN(n)) return n;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  return NaN;
}

export class InteractionsBuilder<U extends string | number, I extends string | number> {
  private readonly userIndex = growableInt32();
  private readonly itemIndex = growableInt32();
  private readonly times;
  private readonly weights;
  private readonly userPolicy: UnknownIdPolicy;
  private readonly itemPolicy: UnknownIdPolicy;
  /** Rows left out because an id was unknown and the policy is 'skip'. */
  skipped = 0;

  constructor(
    readonly users: IdMap<U>,
    readonly items: IdMap<I>,
    hasTime: boolean,
    hasWeight: boolean,
    unknownIds: UnknownIdPolicy,
    /** Which maps were passed in by the caller: unknownIds applies to those only; new maps always add. */
    given: { users: boolean; items: boolean },
    /** Code for bad values: readers report PARSE_ERROR, interactionsFrom INVALID_ID / NOT_FINITE. */
    private readonly errorCode?: 'PARSE_ERROR',
  ) {
    this.userPolicy = given.users ? unknownIds : 'add';
    this.itemPolicy = given.items ? unknownIds : 'add';
    this.times = hasTime ? growableFloat64() : undefined;
    this.weights = hasWeight ? growableFloat32() : undefined;
  }

  /** Appends one row; the values are checked and converted, `where` names it in errors. */
  add(user: unknown, item: unknown, time: unknown, weight: unknown, where: Locator, columns: { user: string; item: string; time?: string; weight?: string }): void {
    const u = this.resolve(this.users, 'user', user, where, columns.user, this.userPolicy);
    const i = this.resolve(this.items, 'item', item, where, columns.item, this.itemPolicy);
    let t = 0;
    let w = 0;
    if (this.times !== undefined) {
      if (isMissing(time)) throw new RecsysError(this.errorCode ?? 'NOT_FINITE', `${where.at(columns.time!)}: the time is missing`);
      t = toTime(time);
      if (Number.isNaN(t)) throw new RecsysError(this.errorCode ?? 'NOT_FINITE', `${where.at(columns.time!)}: expected a number or a date, got ${show(time)}`, { value: time });
    }
    if (this.weights !== undefined) {
      if (isMissing(weight)) throw new RecsysError(this.errorCode ?? 'NOT_FINITE', `${where.at(columns.weight!)}: the weight is missing`);
      w = toNumber(weight);
      if (Number.isNaN(w)) throw new RecsysError(this.errorCode ?? 'NOT_FINITE', `${where.at(columns.weight!)}: expected a finite number, got ${show(weight)}`, { value: weight });
    }
    if (u < 0 || i < 0) {
      this.skipped++;
      return;
    }
    this.userIndex.push(u);
    this.itemIndex.push(i);
    this.times?.push(t);
    this.weights?.push(w);
  }

  private resolve<Id extends string | number>(map: IdMap<Id>, kind: IdKind, value: unknown, where: Locator, column: string, policy: UnknownIdPolicy): number {
    if (isMissing(value)) throw new RecsysError(this.errorCode ?? 'INVALID_ID', `${where.at(column)}: the ${kind} id is missing`, { value });
    const ok = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) {
      throw new RecsysError(this.errorCode ?? 'INVALID_ID', `${where.at(column)}: a ${kind} id must be a non-empty string or a finite number, got ${show(value)}`, {
        value,
      });
    }
    const id = value as Id;
    if (policy === 'add') return map.add(id);
    const index = map.index(id);
    if (index !== undefined) return index;
    if (policy === 'skip') return -1;
    const code = kind === 'user' ? 'UNKNOWN_USER' : 'UNKNOWN_ITEM';
    throw new RecsysError(code, `${where.at(column)}: unknown ${kind} ${show(value)} (unknownIds: 'error')`, { value });
  }

  /** Number of rows kept so far. */
  get length(): number {
    return this.userIndex.length;
  }

  finish(policy: DuplicatePolicy, name: string): { data: Interactions; users: IdMap<U>; items: IdMap<I>; duplicates: number; skipped: number } {
    if (this.userIndex.length === 0) {
      const why = this.skipped > 0 ? ` (all ${this.skipped} rows had unknown ids)` : '';
      throw new RecsysError('EMPTY_INPUT', `${name} has no interactions${why}`);
    }
    const numUsers = this.users.size;
    const numItems = this.items.size;
    const { columns, duplicates } = collapseDuplicates(
      {
        users: this.userIndex.finish(),
        items: this.itemIndex.finish(),
        ...(this.times === undefined ? {} : { timestamps: this.times.finish() }),
        ...(this.weights === undefined ? {} : { weights: this.weights.finish() }),
      },
      numUsers,
      numItems,
      policy,
      true,
    );
    const data: Interactions = { ...columns, numUsers, numItems };
    return { data, users: this.users, items: this.items, duplicates, skipped: this.skipped };
  }
}
