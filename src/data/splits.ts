// Train/test splits. All are pure: they copy the selected entries into new typed arrays (the input
// and the outputs never share memory), keep numUsers/numItems (one index space for both sides),
// keep timestamps and weights, and, when random, draw from a seeded mulberry32 stream, so the same
// seed gives the same split everywhere.
import { RecsysError } from '../errors.js';
import { assertFinite, assertInRange, assertOneOf, show } from '../_lib/validate.js';
import { mulberry32, randomInt } from '../_lib/random.js';
import { validateInteractions, type Interactions } from './interactions.js';
import { groupByUser } from './_internal/group.js';

/** How a per-user split picks the held-out interaction: the latest one, or a seeded random one. @category Data */
export type SplitBy = 'time' | 'random';

/** Options of {@link leaveOneOut} and {@link validationSplit}. @category Data */
export interface LeaveOneOutOptions {
  /**
   * `'time'`: each user's latest interaction (largest timestamp; among equal timestamps the one that
   * comes last in the data) is held out; needs timestamps. `'random'`: a uniformly random one.
   */
  by: SplitBy;
  /** Seed of the random choice (`by: 'random'`). Default 42. */
  seed?: number;
}

/** A train/test split. @category Data */
export interface TrainTestSplit {
  /** The interactions to learn from, in input order. */
  train: Interactions;
  /** The held-out interactions (order documented per split). */
  test: Interactions;
}

/** A train/validation split carved from a training set. @category Data */
export interface TrainValidationSplit {
  /** What remains to train on, in input order. */
  train: Interactions;
  /** One held-out positive per eligible user, in user order: use it for model selection and early stopping. */
  validation: Interactions;
}

/** Options of {@link holdout}. @category Data */
export interface HoldoutOptions {
  /** Share of each user's interactions held out, in (0, 1). */
  fraction: number;
  /** Seed of the random choice. Default 42. */
  seed?: number;
}

/** Options of {@link temporalSplit}: a share of the latest interactions, or a cut-off time. @category Data */
export type TemporalSplitOptions =
  | {
      /** Share of the interactions (the latest ones) that go to test, in (0, 1). */
      fraction: number;
    }
  | {
      /** Cut-off time: interactions at or after it go to test, the earlier ones to train. */
      at: number;
    };

/** A global temporal split and where it cut. @category Data */
export interface TemporalSplit extends TrainTestSplit {
  /** The cut-off: `train` holds every timestamp `< at`, `test` every timestamp `>= at`. */
  at: number;
}

const DEFAULT_SEED = 42;

/** Copies the entries at `indices` (in that order) into a new Interactions. */
function take(data: Interactions, indices: Int32Array): Interactions {
  const n = indices.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    users[j] = data.users[indices[j]];
    items[j] = data.items[indices[j]];
  }
  const out: { -readonly [K in keyof Interactions]: Interactions[K] } = { users, items, numUsers: data.numUsers, numItems: data.numItems };
  if (data.timestamps !== undefined) {
    const t = new Float64Array(n);
    for (let j = 0; j < n; j++) t[j] = data.timestamps[indices[j]];
    out.timestamps = t;
  }
  if (data.weights !== undefined) {
    const w = new Float32Array(n);
    for (let j = 0; j < n; j++) w[j] = data.weights[indices[j]];
    out.weights = w;
  }
  return out;
}

/** Splits by a mask: entries with mask 0 go to the first result, 1 to the second, in input order. */
/** @internal Splits entries by `mask` (1 = held out) into [kept, held out], input order, timestamps and weights kept. */
export function partition(data: Interactions, mask: Uint8Array, held: number): [Interactions, Interactions] {
  const n = mask.length;
  const kept = new Int32Array(n - held);
  const out = new Int32Array(held);
  for (let k = 0, a = 0, b = 0; k < n; k++) {
    if (mask[k] === 0) kept[a++] = k;
    else out[b++] = k;
  }
  return [take(data, kept), take(data, out)];
}

function seedOf(seed: unknown): number {
  if (seed === undefined) return DEFAULT_SEED;
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  return seed;
}

function needTimestamps(data: Interactions, what: string, alternative: string): Float64Array {
  if (data.timestamps === undefined) {
    throw new RecsysError('INVALID_ARGUMENT', `${what} needs timestamps, but the data has none; ${alternative}`);
  }
  const t = data.timestamps;
  for (let k = 0; k < t.length; k++) {
    if (!Number.isFinite(t[k])) throw new RecsysError('NOT_FINITE', `timestamps[${k}] must be a finite number, got ${show(t[k])}`, { index: k });
  }
  return t;
}

/** The entry held out for each user with >= 2 interactions (-1 for the others), and their count. */
function holdOnePerUser(data: Interactions, options: LeaveOneOutOptions, fn: string): { picks: Int32Array; held: number } {
  validateInteractions(data);
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `${fn} needs options { by: 'time' } or { by: 'random', seed }, got ${show(options)}`);
  }
  assertOneOf('by', options.by, ['time', 'random'] as const);
  const { offsets, order } = groupByUser(data.users, data.numUsers);
  const picks = new Int32Array(data.numUsers).fill(-1);
  let held = 0;
  if (options.by === 'time') {
    const t = needTimestamps(data, `${fn}({ by: 'time' })`, "use { by: 'random', seed } instead");
    for (let u = 0; u < data.numUsers; u++) {
      if (offsets[u + 1] - offsets[u] < 2) continue;
      let best = order[offsets[u]];
      for (let p = offsets[u] + 1; p < offsets[u + 1]; p++) {
        const k = order[p];
        if (t[k] >= t[best]) best = k; // ties: the later entry wins
      }
      picks[u] = best;
      held++;
    }
  } else {
    const random = mulberry32(seedOf(options.seed));
    for (let u = 0; u < data.numUsers; u++) {
      const count = offsets[u + 1] - offsets[u];
      if (count < 2) continue;
      picks[u] = order[offsets[u] + randomInt(random, count)];
      held++;
    }
  }
  return { picks, held };
}

function splitOnePerUser(data: Interactions, options: LeaveOneOutOptions, fn: string): [Interactions, Interactions] {
  const { picks, held } = holdOnePerUser(data, options, fn);
  const mask = new Uint8Array(data.users.length);
  const test = new Int32Array(held);
  for (let u = 0, j = 0; u < picks.length; u++) {
    if (picks[u] >= 0) {
      mask[picks[u]] = 1;
      test[j++] = picks[u];
    }
  }
  const trainIndices = new Int32Array(data.users.length - held);
  for (let k = 0, a = 0; k < mask.length; k++) if (mask[k] === 0) trainIndices[a++] = k;
  return [take(data, trainIndices), take(data, test)];
}

/**
 * Leave-one-out, the NCF protocol: for every user with at least two interactions, one interaction
 * goes to test: the latest (`by: 'time'`; among equal timestamps the one that comes last in the
 * data) or a seeded random one (`by: 'random'`). Users with a single interaction stay in train
 * only (they have nothing left to learn from otherwise) and have no test row.
 *
 * @param data - the interactions (validated)
 * @param options - `{ by: 'time' }` or `{ by: 'random', seed? }`
 * @returns `train` (input order, without the held-out entries) and `test` (one row per eligible
 *   user, in user index order); both keep numUsers, numItems, timestamps and weights
 * @example
 * ```ts
 * const data = {
 *   users: Int32Array.of(0, 0, 0, 1), items: Int32Array.of(5, 6, 7, 5),
 *   timestamps: Float64Array.of(30, 10, 20, 5), numUsers: 2, numItems: 8,
 * };
 * const { train, test } = leaveOneOut(data, { by: 'time' });
 * test.users; //=> Int32Array [0]
 * test.items; //=> Int32Array [5]
 * train.items; //=> Int32Array [6, 7, 5]
 * ```
 */
export function leaveOneOut(data: Interactions, options: LeaveOneOutOptions): TrainTestSplit {
  const [train, test] = splitOnePerUser(data, options, 'leaveOneOut');
  return { train, test };
}

/**
 * Carves a validation set out of a training set, one positive per user, exactly like
 * {@link leaveOneOut} does for test (users with a single interaction keep it). Use the validation
 * set to choose epochs and hyperparameters, so the test set is never looked at.
 *
 * @param train - the training interactions
 * @param options - `{ by: 'time' }` or `{ by: 'random', seed? }`
 * @returns the smaller `train` and the `validation` set (one row per eligible user, user order)
 * @example
 * ```ts
 * const { train, test } = leaveOneOut(data, { by: 'time' });
 * const fit = validationSplit(train, { by: 'time' });
 * fit.validation.users.length <= data.numUsers; //=> true
 * ```
 */
export function validationSplit(train: Interactions, options: LeaveOneOutOptions): TrainValidationSplit {
  const [rest, validation] = splitOnePerUser(train, options, 'validationSplit');
  return { train: rest, validation };
}

/**
 * Per-user random holdout: for each user with at least two interactions, `round(fraction * n)`
 * of their `n` interactions (at most `n - 1`, so every user keeps one to learn from) go to test,
 * chosen uniformly with a seeded generator.
 *
 * @param data - the interactions (validated)
 * @param options - `{ fraction, seed? }`
 * @returns `train` and `test`, both in input order
 * @example
 * ```ts
 * const { train, test } = holdout(data, { fraction: 0.2, seed: 7 });
 * train.users.length + test.users.length === data.users.length; //=> true
 * ```
 */
export function holdout(data: Interactions, options: HoldoutOptions): TrainTestSplit {
  validateInteractions(data);
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `holdout needs options { fraction, seed? }, got ${show(options)}`);
  }
  assertInRange('fraction', options.fraction, 0, 1, { loOpen: true, hiOpen: true });
  const random = mulberry32(seedOf(options.seed));
  const { offsets, order } = groupByUser(data.users, data.numUsers);
  const mask = new Uint8Array(data.users.length);
  let held = 0;
  for (let u = 0; u < data.numUsers; u++) {
    const start = offsets[u];
    const count = offsets[u + 1] - start;
    const userHeld = Math.min(count - 1, Math.round(options.fraction * count));
    // partial Fisher-Yates over this user's slice of `order` (a private copy, so shuffling is fine)
    for (let j = 0; j < userHeld; j++) {
      const r = j + randomInt(random, count - j);
      const picked = order[start + r];
      order[start + r] = order[start + j];
      order[start + j] = picked;
      mask[picked] = 1;
    }
    if (userHeld > 0) held += userHeld;
  }
  const [train, test] = partition(data, mask, held);
  return { train, test };
}

/**
 * Global temporal split: every interaction before a cut-off time trains, every one at or after it
 * tests, as when a model trained on the past is deployed on the future. Give the cut-off (`at`),
 * or the share of latest interactions to hold out (`fraction`; the cut is the timestamp at that
 * rank, so ties at the cut make test a little larger). Test may hold users and items that train
 * never saw (cold start): filter them if the model cannot score them.
 *
 * @param data - the interactions, with timestamps
 * @param options - `{ fraction }` or `{ at }`
 * @returns `train`, `test` (input order) and the cut-off `at`
 * @example
 * ```ts
 * const data = {
 *   users: Int32Array.of(0, 1, 0, 1), items: Int32Array.of(0, 1, 2, 3),
 *   timestamps: Float64Array.of(1, 2, 3, 4), numUsers: 2, numItems: 4,
 * };
 * const { train, test, at } = temporalSplit(data, { fraction: 0.25 });
 * at; //=> 4
 * test.items; //=> Int32Array [3]
 * temporalSplit(data, { at: 3 }).test.items; //=> Int32Array [2, 3]
 * ```
 */
export function temporalSplit(data: Interactions, options: TemporalSplitOptions): TemporalSplit {
  validateInteractions(data);
  if (options === null || typeof options !== 'object' || ('fraction' in options) === ('at' in options)) {
    throw new RecsysError('INVALID_ARGUMENT', `temporalSplit needs options { fraction } or { at }, got ${show(options)}`);
  }
  const t = needTimestamps(data, 'temporalSplit', 'use holdout or leaveOneOut({ by: "random" }) instead');
  const n = t.length;
  let at: number;
  if ('fraction' in options) {
    assertInRange('fraction', options.fraction, 0, 1, { loOpen: true, hiOpen: true });
    if (n < 2) throw new RecsysError('INVALID_SIZE', `temporalSplit needs at least 2 interactions, got ${n}`);
    const sorted = Float64Array.from(t).sort();
    const held = Math.min(n - 1, Math.max(1, Math.round(options.fraction * n)));
    at = sorted[n - held];
    if (at === sorted[0]) {
      throw new RecsysError('INVALID_ARGUMENT', `cannot hold out ${held} of ${n} interactions by time: the ${n - held + 1} earliest share the timestamp ${at}`, {
        at,
      });
    }
  } else {
    assertFinite('at', options.at, 'INVALID_ARGUMENT');
    at = options.at;
  }
  const mask = new Uint8Array(n);
  let held = 0;
  for (let k = 0; k < n; k++) {
    if (t[k] >= at) {
      mask[k] = 1;
      held++;
    }
  }
  const [train, test] = partition(data, mask, held);
  return { train, test, at };
}
