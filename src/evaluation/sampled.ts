// The NCF sampled protocol (He et al. 2017, section 4.1): each held-out positive is ranked against
// a short list of negatives (the 99 of the paper's .test.negative file, or N sampled here) and
// HR@K, NDCG@K and MRR@K are averaged over the positives.
//
// Candidate lists are scored in chunks of whole rows (a rows x (1 + negatives) matrix, at most
// about CHUNK_PAIRS pairs), through Scorer.scorePairs when the scorer has it, so a generic tfjs
// model runs one predict per chunk rather than one per user; rankMetrics then ranks each row.
//
// Sampled negatives are drawn without replacement (distinct per positive; sampling/distinct.ts)
// rather than through NegativeSampler, whose draws are independent (with replacement) as training
// wants; the protocol wants N distinct competitors, and a user with fewer candidates than N is an
// error, not a shorter list.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import { assertFinite, assertIndices, assertInteger, checkK, checkOptions, show } from '../_lib/validate.js';
import { optionAlias } from '../_lib/deprecated.js';
import type { Interactions } from '../data/interactions.js';
import { rankMetrics, type TiePolicy } from '../metrics/index.js';
import { mulberry32, type Random } from '../_lib/random.js';
import type { Scorer } from '../scoring/index.js';
import { resolveScorer, scorePairs } from '../scoring/index.js';
import { checkPairs, checkTies } from './checks.js';
import { checkExclude, groupSeenItems, itemsSeenBy, toSeenItems, type SeenItems } from '../data/seen-items.js';
import { BlockedItems, drawDistinct } from '../sampling/distinct.js';

/** Held-out positives for {@link evaluateSampled}, optionally with each one's negatives. @category Evaluation */
export interface SampledTestSet {
  /** User of each held-out positive. */
  readonly users: Int32Array;
  /** Item of each held-out positive (same length as `users`). */
  readonly items: Int32Array;
  /**
   * Per positive, the items it is ranked against (e.g. the 99 of an NCF `.test.negative` line).
   * An entry equal to the positive itself is skipped: it never competes with itself. When absent,
   * negatives are sampled (see {@link EvaluateSampledOptions.negatives}).
   */
  readonly negatives?: readonly Int32Array[];
}

/**
 * Negatives each held-out positive is ranked against when they are sampled rather than listed: the
 * one default of the count, shared by `evaluateSampled`'s `negatives` and `train`'s
 * `validation.negatives` (the NCF paper's 99).
 */
export const DEFAULT_RANKED_NEGATIVES = 99;

/** Options of {@link evaluateSampled}. @category Evaluation */
export interface EvaluateSampledOptions {
  /** The cut-off K of HR@K, NDCG@K and MRR@K. Default 10. */
  k?: number;
  /** How a positive ranks among negatives with exactly its score. Default `'pessimistic'` (ties count against it). */
  ties?: TiePolicy;
  /**
   * Negatives to sample per positive when the test set lists none. Default 99 (the paper's
   * protocol). Drawn uniformly and distinct from the items that are neither one of the user's
   * test positives nor in `exclude` for that user; a user with fewer such items gets a RecsysError.
   * Refused (INVALID_ARGUMENT) when the test set lists its negatives: pass only `{ users, items }`
   * to sample instead.
   */
  negatives?: number;
  /**
   * The former name of {@link EvaluateSampledOptions.negatives}, still accepted in this release (an
   * error if both are given with different values).
   *
   * @deprecated Use `negatives`.
   */
  numNegatives?: number;
  /**
   * Known positives never sampled as negatives: the training interactions. Required when
   * negatives are sampled (an item the user trained on drawn as a "negative" counts against the
   * model, so leaving it out understates every metric); `'none'` samples from every item but the
   * user's test positives, on purpose. Listed negatives are taken as given, so it is not needed
   * (and not used) with them.
   */
  exclude?: Interactions | SeenItems | 'none';
  /** Seed of the negative sampling (same seed, same negatives). Default 0. Refused with listed negatives, like `negatives`. */
  seed?: number;
  /** Also return each positive's rank and metrics in {@link SampledEvaluation.perPositive}. Default false. */
  perPositive?: boolean;
}

/** Per-positive results of {@link evaluateSampled}, aligned with the test set's entries. @category Evaluation */
export interface SampledPerPositive {
  /** 1-based rank of the positive among its candidates (fractional under `'average'` ties). */
  readonly rank: Float32Array;
  /** 1 when rank <= K, else 0. */
  readonly hr: Float32Array;
  /** `1 / log2(rank + 1)` when rank <= K, else 0. */
  readonly ndcg: Float32Array;
  /** `1 / rank` when rank <= K, else 0. */
  readonly mrr: Float32Array;
}

/** The result of {@link evaluateSampled}: the metrics and the protocol that produced them. @category Evaluation */
export interface SampledEvaluation {
  /** Always `'sampled'`: each positive ranked against a short list of negatives. */
  readonly protocol: 'sampled';
  /** One sentence naming the protocol, e.g. for logs and reports. */
  readonly description: string;
  /** The cut-off K. */
  readonly k: number;
  /** The tie policy used. */
  readonly ties: TiePolicy;
  /** Whether the negatives came with the test set (`'listed'`) or were drawn here (`'sampled'`). */
  readonly negativeSource: 'listed' | 'sampled';
  /** Fewest and most negatives a positive competed against (after skipping self-listed entries). */
  readonly negativesPerPositive: {
    /** Fewest negatives any positive competed against. */
    readonly min: number;
    /** Most negatives any positive competed against. */
    readonly max: number;
  };
  /** Listed negatives that were the positive itself and so were skipped. */
  readonly selfListedSkipped: number;
  /** Number of held-out positives ranked (the metrics are means over them). */
  readonly positives: number;
  /** Number of distinct users among them. */
  readonly users: number;
  /** Mean hit rate at K. */
  readonly hr: number;
  /** Mean NDCG at K. */
  readonly ndcg: number;
  /** Mean reciprocal rank at K (0 for positives ranked beyond K). */
  readonly mrr: number;
  /** Per-positive ranks and metrics, when asked for with `perPositive: true`. */
  readonly perPositive?: SampledPerPositive;
}

/** Most (user, item) pairs scored at once. */
const CHUNK_PAIRS = 32768;

/**
 * Evaluates a model with the NCF sampled protocol: each held-out positive is ranked against its
 * negatives (listed with the test set, or `negatives` of them sampled here), and HR@K, NDCG@K and MRR@K
 * are averaged over the positives. Ties count against the positive by default, so a model that
 * scores everything alike gets HR 0, not 1.
 *
 * @param model - a `tf.LayersModel` (scored through {@link createScorer}) or any {@link Scorer}
 * @param test - the held-out positives: an {@link Interactions} or a {@link SampledTestSet}
 *   (e.g. what `readNcf` returns, with its `.test.negative` lists)
 * Negatives are sampled only for a test set without listed ones, and only with an explicit
 * `exclude`: the training interactions, or `'none'` to opt out. Without it the call throws
 * INVALID_ARGUMENT, because negatives drawn from the user's own training items make every metric
 * look worse than it is.
 *
 * @param options - `k`, `ties`, `negatives`, `exclude`, `seed`, `perPositive`
 * @returns the metrics and a description of the protocol, see {@link SampledEvaluation}
 * @example
 * ```ts
 * const ncf = await readNcf('../shared/data/ml-1m-ncf');
 * const result = evaluateSampled(model, ncf.test, { k: 10 }); // ncf.test carries its listed negatives
 * result.hr;          //=> 0.6912
 * result.description; //=> 'sampled: 6040 positives each ranked against 98 to 99 listed negatives; HR, NDCG, MRR @10; pessimistic ties'
 * // no listed negatives: sample 99 per positive, never one of the user's training items
 * evaluateSampled(model, test, { k: 10, negatives: 99, exclude: train, seed: 1 });
 * ```
 */
export function evaluateSampled(
  model: tf.LayersModel | Scorer,
  test: SampledTestSet | Interactions,
  options?: EvaluateSampledOptions,
): SampledEvaluation {
  const opts = checkOptions(options);
  const { k = 10, ties = 'pessimistic', seed = 0, perPositive = false } = opts;
  const alias = optionAlias(opts, 'negatives', 'numNegatives');
  const negatives = alias.value ?? DEFAULT_RANKED_NEGATIVES;
  checkTies(ties);
  if (typeof perPositive !== 'boolean') throw new RecsysError('INVALID_ARGUMENT', `perPositive must be a boolean, got ${show(perPositive)}`);
  const { scorer, owned } = resolveScorer(model);
  try {
    checkK(k, scorer.numItems);
    const { users, items } = checkPairs('test', test, scorer);
    const listed = (test as SampledTestSet).negatives;
    let lists: readonly Int32Array[];
    if (listed !== undefined) {
      for (const name of ['negatives', 'numNegatives', 'seed'] as const) {
        if (opts[name] !== undefined) {
          throw new RecsysError(
            'INVALID_ARGUMENT',
            `${name} = ${show(opts[name])} applies only to sampled negatives, but the test set lists its own (test.negatives, as readNcf's test carries them): ` +
              `drop ${name} to rank against the listed ones, or pass { users: test.users, items: test.items } with exclude to sample instead`,
            { option: name, value: opts[name] },
          );
        }
      }
      lists = checkListedNegatives(listed, users.length, scorer.numItems);
    } else {
      assertInteger(alias.given, negatives, 1);
      assertFinite('seed', seed, 'INVALID_ARGUMENT');
      if (opts.exclude === undefined) {
        throw new RecsysError(
          'INVALID_ARGUMENT',
          `exclude is undefined, so evaluateSampled would sample negatives = ${show(negatives)} per positive among the user's own training items too, ` +
            `and every training item drawn counts against the model: pass exclude: train (the training interactions), ` +
            `or exclude: 'none' if the test set has no training data behind it; or give the test set its listed negatives ({ users, items, negatives }, as readNcf's test carries them)`,
          { option: 'exclude', value: undefined },
        );
      }
      const exclude = opts.exclude === 'none' ? undefined : checkExclude(opts.exclude, scorer.numUsers, scorer.numItems);
      const excluded = exclude ? toSeenItems(exclude, scorer.numUsers) : null;
      lists = sampleNegatives(users, items, excluded, scorer.numUsers, scorer.numItems, negatives, mulberry32(seed));
    }
    return rankAll(scorer, users, items, lists, listed !== undefined ? 'listed' : 'sampled', k, ties, perPositive);
  } finally {
    if (owned) scorer.dispose();
  }
}

function checkListedNegatives(listed: unknown, count: number, numItems: number): readonly Int32Array[] {
  if (!Array.isArray(listed)) throw new RecsysError('INVALID_ARGUMENT', `test.negatives must be an array of Int32Arrays, got ${show(listed)}`);
  if (listed.length !== count) {
    throw new RecsysError('LENGTH_MISMATCH', `test.negatives has ${listed.length} lists but test has ${count} positives (one list per positive)`);
  }
  for (let j = 0; j < count; j++) {
    const list: unknown = listed[j];
    if (!(list instanceof Int32Array)) throw new RecsysError('INVALID_ARGUMENT', `test.negatives[${j}] must be an Int32Array, got ${show(list)}`);
    assertIndices('item', `test.negatives[${j}]`, list, numItems);
  }
  return listed as Int32Array[];
}

/**
 * Draws `negatives` distinct negatives per positive among the items that are neither one of that
 * user's test positives nor `excluded` for the user (the checked `exclude` option).
 */
function sampleNegatives(
  users: Int32Array,
  items: Int32Array,
  excluded: SeenItems | null,
  numUsers: number,
  numItems: number,
  negatives: number,
  random: Random,
): Int32Array[] {
  const testByUser = groupSeenItems(users, items, numUsers);
  const blocked = new BlockedItems(numItems);
  const result: Int32Array[] = [];
  for (let j = 0; j < users.length; j++) {
    const user = users[j];
    blocked.clear();
    blocked.blockAll(itemsSeenBy(testByUser, user));
    if (excluded) blocked.blockAll(itemsSeenBy(excluded, user));
    const available = blocked.available;
    if (available < negatives) {
      throw new RecsysError(
        'NO_NEGATIVES',
        `user ${user} (test position ${j}) has only ${available} items that are neither a test positive nor excluded, fewer than negatives = ${negatives}`,
        { user, available, negatives },
      );
    }
    result.push(drawDistinct(random, blocked, negatives));
  }
  return result;
}

/** The rows [start, end) of the next chunk: as many as fit CHUNK_PAIRS cells, at least one; `cols` its width. */
function chunkOf(negatives: readonly Int32Array[], start: number): { end: number; cols: number } {
  let cols = 1 + negatives[start].length;
  let end = start + 1;
  while (end < negatives.length) {
    const wider = Math.max(cols, 1 + negatives[end].length);
    if ((end + 1 - start) * wider > CHUNK_PAIRS) break;
    cols = wider;
    end++;
  }
  return { end, cols };
}

/**
 * The (user, item) cells of rows [start, end): each positive in column 0, its negatives after it.
 * Padding and self-listed cells score the positive again and are masked out of the ranking.
 */
function candidateGrid(
  users: Int32Array,
  items: Int32Array,
  negatives: readonly Int32Array[],
  start: number,
  end: number,
  cols: number,
): { pairUsers: Int32Array; pairItems: Int32Array; mask: Uint8Array; counts: { selfListed: number; min: number; max: number } } {
  const rows = end - start;
  const pairUsers = new Int32Array(rows * cols);
  const pairItems = new Int32Array(rows * cols);
  const mask = new Uint8Array(rows * cols);
  const counts = { selfListed: 0, min: Infinity, max: 0 };
  for (let r = 0; r < rows; r++) {
    const j = start + r;
    const positive = items[j];
    const list = negatives[j];
    const base = r * cols;
    pairUsers.fill(users[j], base, base + cols);
    pairItems.fill(positive, base, base + cols);
    mask.fill(1, base + 1 + list.length, base + cols);
    let competitors = 0;
    for (let n = 0; n < list.length; n++) {
      if (list[n] === positive) {
        mask[base + 1 + n] = 1;
        counts.selfListed++;
      } else {
        pairItems[base + 1 + n] = list[n];
        competitors++;
      }
    }
    if (competitors === 0) {
      throw new RecsysError('NO_NEGATIVES', `test.negatives[${j}] lists no item other than the positive ${positive}: it has nothing to be ranked against`, {
        index: j,
      });
    }
    counts.min = Math.min(counts.min, competitors);
    counts.max = Math.max(counts.max, competitors);
  }
  return { pairUsers, pairItems, mask, counts };
}

/** Scores and ranks every positive against its negatives, chunk by chunk. */
function rankAll(
  scorer: Scorer,
  users: Int32Array,
  items: Int32Array,
  negatives: readonly Int32Array[],
  negativeSource: 'listed' | 'sampled',
  k: number,
  ties: TiePolicy,
  perPositive: boolean,
): SampledEvaluation {
  const total = users.length;
  const per: SampledPerPositive | undefined = perPositive
    ? { rank: new Float32Array(total), hr: new Float32Array(total), ndcg: new Float32Array(total), mrr: new Float32Array(total) }
    : undefined;
  let sumHr = 0;
  let sumNdcg = 0;
  let sumMrr = 0;
  let minNegatives = Infinity;
  let maxNegatives = 0;
  let selfListedSkipped = 0;

  let start = 0;
  while (start < total) {
    const { end, cols } = chunkOf(negatives, start);
    const rows = end - start;
    const { pairUsers, pairItems, mask, counts } = candidateGrid(users, items, negatives, start, end, cols);
    selfListedSkipped += counts.selfListed;
    minNegatives = Math.min(minNegatives, counts.min);
    maxNegatives = Math.max(maxNegatives, counts.max);
    const scores = scorePairs(scorer, pairUsers, pairItems, new Float32Array(rows * cols));
    const result = rankMetrics(scores, rows, cols, new Int32Array(rows), { k, ties, mask });
    sumHr += result.mean.hr * rows;
    sumNdcg += result.mean.ndcg * rows;
    sumMrr += result.mean.mrr * rows;
    if (per) {
      per.rank.set(result.ranks, start);
      per.hr.set(result.hr, start);
      per.ndcg.set(result.ndcg, start);
      per.mrr.set(result.mrr, start);
    }
    start = end;
  }

  const distinctUsers = new Set(users).size;
  const negativesText = minNegatives === maxNegatives ? `${minNegatives}` : `${minNegatives} to ${maxNegatives}`;
  const description =
    `sampled: ${total} positives each ranked against ${negativesText} ${negativeSource} negatives; ` + `HR, NDCG, MRR @${k}; ${ties} ties`;
  return {
    protocol: 'sampled',
    description,
    k,
    ties,
    negativeSource,
    negativesPerPositive: { min: minNegatives, max: maxNegatives },
    selfListedSkipped,
    positives: total,
    users: distinctUsers,
    hr: sumHr / total,
    ndcg: sumNdcg / total,
    mrr: sumMrr / total,
    ...(per ? { perPositive: per } : {}),
  };
}
