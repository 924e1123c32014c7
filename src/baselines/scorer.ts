// The Scorer every baseline returns: argument checks once here, the math in each baseline.
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import type { Scorer } from '../scoring/scorer.js';
import { checkItems, checkOut, checkUser, checkUsers } from '../scoring/scorer-checks.js';

/** Internal: an array a baseline is saved as. */
export type PartArray = Int32Array | Float32Array | Float64Array;

/** Which baseline a {@link BaselineScorer} is. */
export type BaselineKind = 'popularity' | 'item-knn' | 'als' | 'ease' | 'mf';

/**
 * A fitted baseline: a {@link Scorer} (usable wherever a model is: `evaluateSampled`,
 * `evaluateFull`, `recommend`) that also says what it is and how long fitting took.
 *
 * @example
 * ```ts
 * const pop = fitPopularity(train);
 * pop.kind;                      //=> 'popularity'
 * evaluateFull(pop, test, { exclude: train }).hr;
 * ```
 */
export interface BaselineScorer extends Scorer {
  /** Which baseline this is. */
  readonly kind: BaselineKind;
  /** Wall-clock seconds the fit took. */
  readonly fitSeconds: number;
}

/** Internal: the shared Scorer plumbing of the baselines. */
export abstract class BaseScorer implements BaselineScorer {
  abstract readonly kind: BaselineKind;
  fitSeconds = 0;
  private disposed = false;

  constructor(
    readonly numUsers: number,
    readonly numItems: number,
  ) {}

  /** The options and arrays that {@link restoreBaseline} rebuilds this scorer from (for bundles). */
  abstract parts(): { options: object; arrays: Record<string, PartArray> };

  /** Writes the scores of every item for `user` into `row` (length numItems). */
  protected abstract scoreRow(user: number, row: Float32Array): void;

  /** Writes the scores of `items` for `user` into `out`; by default through a full row. */
  protected scoreSome(user: number, items: Int32Array, out: Float32Array): void {
    const row = new Float32Array(this.numItems);
    this.scoreRow(user, row);
    for (let t = 0; t < items.length; t++) out[t] = row[items[t]];
  }

  scoreItems(user: number, items: Int32Array, out?: Float32Array): Float32Array {
    this.checkLive();
    checkUser(user, this.numUsers);
    checkItems(items, this.numItems);
    const result = checkOut(out, items.length);
    this.scoreSome(user, items, result);
    return result;
  }

  scoreAllItems(users: Int32Array, out?: Float32Array): Float32Array {
    this.checkLive();
    checkUsers(users, this.numUsers);
    const n = this.numItems;
    const result = checkOut(out, users.length * n);
    for (let r = 0; r < users.length; r++) this.scoreRow(users[r], result.subarray(r * n, (r + 1) * n));
    return result;
  }

  dispose(): void {
    this.disposed = true;
  }

  private checkLive(): void {
    if (this.disposed) throw new RecsysError('INVALID_ARGUMENT', `this ${this.kind} baseline was disposed; fit it again`);
  }
}

/** Internal: checks an options argument is an object (or undefined) and returns it. */
export function checkOptionsObject<T extends object>(options: T | undefined, fn: string): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `${fn} options must be an object, got ${show(options)}`);
  }
  return options;
}

/** Internal: rejects option names the function does not know (a typo must not be silently ignored). */
export function checkKnownOptions(options: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RecsysError('INVALID_ARGUMENT', `${fn} has no option ${show(key)}; known options: ${known.join(', ')}`, { option: key });
    }
  }
}

/** Internal: a boolean option or its default. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new RecsysError('INVALID_ARGUMENT', `${name} must be true or false, got ${show(value)}`);
  return value;
}

/** Internal: seconds since `start` (a performance.now() reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
