// Popularity: every user gets the items most users interacted with. The floor any recommender
// must clear (and, on MovieLens, a surprisingly high one).
import type { Interactions } from '../data/interactions.js';
import { RecsysError } from '../errors.js';
import { show } from '../_lib/validate.js';
import { userItemCsr } from './csr.js';
import { partArray } from './part-array.js';
import { BaseScorer, booleanOption, checkKnownOptions, checkOptionsObject, secondsSince, type BaselineScorer } from './scorer.js';

/** Options of {@link fitPopularity}. */
export interface PopularityBaselineOptions {
  /**
   * Score items by the sum of the interactions' `weights` (which must then be present) instead
   * of by the number of distinct users. Default false.
   */
  weighted?: boolean;
  /**
   * Order equal counts by item index (lower first), so that every item gets a distinct score, as a
   * displayed "most popular" list would order them. The scores are then rank positions
   * (`numItems` for the most popular item down to 1) rather than counts. Without it (the default)
   * items with equal counts tie, and the evaluators' tie policy decides (pessimistic by default:
   * a held-out item tied with others ranks below all of them).
   */
  breakTies?: boolean;
}

/** The scorer {@link fitPopularity} returns. */
export interface PopularityScorer extends BaselineScorer {
  /** Always `'popularity'`. */
  readonly kind: 'popularity';
  /** Each item's score: its number of distinct users (or summed weight), length numItems. */
  readonly counts: Float64Array;
}

/** Internal: rebuilds a popularity scorer from its parts. */
export function restorePopularity(numUsers: number, options: Record<string, unknown>, arrays: Record<string, unknown>): PopularityScorer {
  const breakTies = options.breakTies ?? false;
  if (typeof breakTies !== 'boolean') throw new RecsysError('BUNDLE_CORRUPT', `popularity option breakTies must be true or false, got ${show(breakTies)}`);
  return new Popularity(numUsers, partArray(arrays, 'counts', Float64Array), breakTies);
}

/** Each item's score: its count, or with `breakTies` its position from the bottom of the list. */
function scoreRow(counts: Float64Array, breakTies: boolean): Float32Array {
  if (!breakTies) return Float32Array.from(counts);
  const n = counts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const row = new Float32Array(n);
  for (let position = 0; position < n; position++) row[order[position]] = n - position;
  return row;
}

class Popularity extends BaseScorer implements PopularityScorer {
  readonly kind = 'popularity' as const;
  private readonly row: Float32Array;
  constructor(
    numUsers: number,
    readonly counts: Float64Array,
    private readonly breakTies: boolean,
  ) {
    super(numUsers, counts.length);
    this.row = scoreRow(counts, breakTies);
  }
  parts() {
    return { options: this.breakTies ? { breakTies: true } : {}, arrays: { counts: this.counts } };
  }
  protected scoreRow(_user: number, row: Float32Array): void {
    row.set(this.row);
  }
  protected override scoreSome(_user: number, items: Int32Array, out: Float32Array): void {
    for (let t = 0; t < items.length; t++) out[t] = this.row[items[t]];
  }
}

/**
 * Fits the popularity baseline: the score of item `i` for every user is the number of distinct
 * users who interacted with `i` in `train` (or the sum of the weights, with `weighted`); with
 * `breakTies`, equal counts are ordered by item index and the score is the item's position. Not
 * personalised; it is the yardstick that shows how much personalisation buys.
 *
 * @param train - the training interactions
 * @param options - `{ weighted, breakTies }`, see {@link PopularityBaselineOptions}
 * @returns a {@link PopularityScorer}
 * @example
 * ```ts
 * const train = { users: Int32Array.of(0, 1, 1), items: Int32Array.of(2, 2, 0), numUsers: 2, numItems: 3 };
 * const pop = fitPopularity(train);
 * pop.scoreItems(0, Int32Array.of(0, 1, 2)); //=> Float32Array [1, 0, 2]
 * recommend(pop, 0, { k: 1 });               //=> [{ item: 2, score: 2 }]
 * fitPopularity(train, { breakTies: true }).scoreItems(0, Int32Array.of(0, 1, 2)); //=> Float32Array [2, 1, 3]
 * ```
 */
export function fitPopularity(train: Interactions, options?: PopularityBaselineOptions): PopularityScorer {
  const start = performance.now();
  const opts = checkOptionsObject(options, 'fitPopularity');
  checkKnownOptions(opts, ['weighted', 'breakTies'], 'fitPopularity');
  const weighted = booleanOption('weighted', opts.weighted, false);
  const breakTies = booleanOption('breakTies', opts.breakTies, false);
  const m = userItemCsr(train, weighted);
  const counts = new Float64Array(m.cols);
  for (let k = 0; k < m.indices.length; k++) counts[m.indices[k]] += m.values[k];
  const scorer = new Popularity(m.rows, counts, breakTies);
  scorer.fitSeconds = secondsSince(start);
  return scorer;
}
