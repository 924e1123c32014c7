// The negative sampler's precomputed tables (its memory layout), built once per training run and
// shipped to worker threads. Private to the library: apps see only the opaque `SamplerState`.
//
// - Positives are deduplicated into a per-user index (data/seen-items: offsets + sorted items).
//   With a weighting, each entry also gets its confidence, from the summed weights of the rows
//   that listed the pair (as interactionsFrom sums repeated rows).
//   The items a user must never receive as a negative ("blocked": training positives plus the
//   optional `exclude` set) form a second index, the first one itself when nothing is excluded.
// - Membership ("is this item blocked for this user?") is a bitset of numUsers x numItems bits when
//   that fits in 16 MiB (ML-1M: 6,040 x 3,706 = 2.8 MB; one load and a shift per test), else a
//   binary search in the user's sorted blocked row (O(log row length), no extra memory).
// - Per user, a draw mode: rejection while the blocked share of the proposal mass is below one
//   half (expected proposals < 2), else an exact draw from the complement; "none" when every item
//   is blocked. Popularity needs an alias table, the cumulative weights, each user's complement
//   mass and, per blocked entry, the complement mass below it (see sampler-draws.ts).
import { RecsysError } from '../errors.js';
import { assertFinite, assertInteger, assertOneOf, show } from '../_lib/validate.js';
import { validateInteractions, type Interactions } from '../data/interactions.js';
import { checkExclude, groupSeenItems, isSeenItems, mergeSeenItems, toSeenItems, type SeenItems } from '../data/seen-items.js';
import { buildAliasTable } from './alias.js';
import { MODE_EXACT_POPULARITY, MODE_EXACT_UNIFORM, MODE_NONE, MODE_REJECT } from './sampler-draws.js';
import type { NegativeSamplerOptions, SamplingStrategy, Weighting } from './negative-sampler.js';

/**
 * A {@link NegativeSampler}'s precomputed tables, from {@link NegativeSampler.getState}, for
 * {@link NegativeSampler.fromState} (e.g. posted to a worker thread: it is structured-cloneable).
 * Opaque: its fields are the library's private memory layout and change without notice; pass it
 * on, never read or build one.
 *
 * @category Sampling
 * @example
 * ```ts
 * const copy = NegativeSampler.fromState(sampler.getState());
 * ```
 */
export interface SamplerState {
  /** Layout version; `fromState` refuses a state of another version. */
  readonly version: number;
}

/** The tables behind a {@link SamplerState}. Treat as read-only; arrays may be shared. */
export interface SamplerTables extends SamplerState {
  version: 2;
  strategy: SamplingStrategy;
  alpha: number;
  seed: number;
  numUsers: number;
  numItems: number;
  /** The distinct training positives per user. */
  positiveOffsets: Int32Array;
  positiveItems: Int32Array;
  /** The user of each entry of `positiveItems`. */
  positiveUsers: Int32Array;
  /** The confidence c of each entry of `positiveItems` (with a weighting), else null. */
  positiveWeights: Float32Array | null;
  /** Each user's blocked items (positives plus excluded), sorted. */
  blockedOffsets: Int32Array;
  blockedItems: Int32Array;
  /** numUsers x numItems membership bits (row stride ceil(numItems / 32) words), or null when too big. */
  bitset: Uint32Array | null;
  /** Per user, how draws are made: one of the MODE_ codes of sampler-draws.ts. */
  mode: Uint8Array;
  /** Alias table over items (popularity only, else null). */
  aliasProbability: Float64Array | null;
  aliasIndex: Int32Array | null;
  /** Cumulative popularity weight, length numItems + 1 (popularity only, else null). */
  cumulativeWeight: Float64Array | null;
  /** Per user, the popularity mass of the items not blocked (popularity only, else null). */
  complementMass: Float64Array | null;
  /** Per blocked entry, the complement popularity mass below that item (popularity only, else null). */
  massBelow: Float64Array | null;
}


/** Largest membership bitset, in bits (16 MiB). */
const MAX_BITSET_BITS = 2 ** 27;
export const STRATEGIES: readonly SamplingStrategy[] = ['uniform', 'popularity'];
const WEIGHTINGS: readonly Weighting[] = ['none', 'linear', 'log'];

/** Validates the inputs and precomputes every table. */
export function buildTables(data: Interactions, options: NegativeSamplerOptions): SamplerTables {
  const { strategy, alpha, seed, excluded, weighting, weightScale } = checkInputs(data, options);
  const { numUsers, numItems } = data;
  const positives = groupSeenItems(data.users, data.items, numUsers);
  const positiveWeights = weighting === 'none' ? null : confidences(data, positives, weighting, weightScale);
  const positiveUsers = new Int32Array(positives.items.length);
  for (let u = 0; u < numUsers; u++) positiveUsers.fill(u, positives.offsets[u], positives.offsets[u + 1]);
  const blocked = excluded === null || excluded.items.length === 0 ? positives : mergeSeenItems(positives, excluded);
  const draws = strategy === 'uniform' ? uniformModes(blocked, numItems) : popularityTables(positives, blocked, numItems, alpha);
  return {
    version: 2,
    strategy,
    alpha,
    seed,
    numUsers,
    numItems,
    positiveOffsets: positives.offsets,
    positiveItems: positives.items,
    positiveUsers,
    positiveWeights,
    blockedOffsets: blocked.offsets,
    blockedItems: blocked.items,
    bitset: membershipBits(blocked, numUsers, numItems),
    ...draws,
  };
}

/** The checked constructor arguments, with the excluded items indexed (null when none). */
function checkInputs(
  data: Interactions,
  options: NegativeSamplerOptions,
): { strategy: SamplingStrategy; alpha: number; seed: number; excluded: SeenItems | null; weighting: Weighting; weightScale: number } {
  validateInteractions(data, 'data');
  if (options === null || typeof options !== 'object') {
    throw new RecsysError('INVALID_ARGUMENT', `options must be an object, got ${show(options)}`);
  }
  const { strategy = 'uniform', alpha = 0.75, exclude, seed = 42, weighting = 'none', weightScale = 1 } = options;
  assertOneOf('strategy', strategy, STRATEGIES);
  assertOneOf('weighting', weighting, WEIGHTINGS);
  assertFinite('weightScale', weightScale, 'INVALID_ARGUMENT');
  if (!(weightScale > 0)) throw new RecsysError('INVALID_ARGUMENT', `weightScale must be a number > 0, got ${show(weightScale)}`, { value: weightScale });
  if (weighting !== 'none') checkWeights(data, weighting);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    throw new RecsysError('INVALID_ARGUMENT', `alpha must be a finite number >= 0, got ${show(alpha)}`, { value: alpha });
  }
  assertFinite('seed', seed, 'INVALID_ARGUMENT');
  const { numUsers, numItems } = data;
  if (exclude !== undefined && exclude !== null && typeof exclude === 'object' && !isSeenItems(exclude)) {
    validateInteractions(exclude, 'exclude');
    if (exclude.numUsers !== numUsers || exclude.numItems !== numItems) {
      throw new RecsysError(
        'INVALID_SIZE',
        `exclude has ${exclude.numUsers} users x ${exclude.numItems} items but data has ${numUsers} x ${numItems}: both must index the same users and items`,
      );
    }
  }
  const checked = checkExclude(exclude, numUsers, numItems);
  return { strategy, alpha, seed, excluded: checked === undefined ? null : toSeenItems(checked, numUsers), weighting, weightScale };
}

/** A weighting needs `data.weights`, every one finite and >= 0 (train() checks up front with it). */
export function checkWeights(data: Interactions, weighting: Weighting): void {
  const weights = data.weights;
  if (weights === undefined) {
    throw new RecsysError(
      'INVALID_ARGUMENT',
      `weighting '${weighting}' needs data.weights (e.g. repeat counts from readCsv or interactionsFrom), but the data has none; use weighting 'none' or give weights`,
      { weighting },
    );
  }
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    if (!Number.isFinite(w)) throw new RecsysError('NOT_FINITE', `data.weights[${k}] = ${show(w)}; weights used as confidence must be finite`, { index: k, value: w });
    if (w < 0) throw new RecsysError('INVALID_ARGUMENT', `data.weights[${k}] = ${show(w)}; weights used as confidence must be >= 0`, { index: k, value: w });
  }
}

/**
 * Each positive entry's confidence: its rows' weights summed (a pair listed twice is one positive),
 * then c = 1 + scale * w ('linear') or 1 + scale * log(1 + w) ('log').
 */
function confidences(data: Interactions, positives: SeenItems, weighting: Weighting, scale: number): Float32Array {
  const weights = data.weights as Float32Array;
  const sums = new Float64Array(positives.items.length);
  const { offsets, items } = positives;
  for (let k = 0; k < data.users.length; k++) {
    const u = data.users[k];
    const item = data.items[k];
    // the user's row is sorted and holds the item: binary search
    let lo = offsets[u];
    let hi = offsets[u + 1] - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid] < item) lo = mid + 1;
      else hi = mid;
    }
    sums[lo] += weights[k];
  }
  const out = new Float32Array(sums.length);
  for (let j = 0; j < sums.length; j++) out[j] = weighting === 'linear' ? 1 + scale * sums[j] : 1 + scale * Math.log1p(sums[j]);
  return out;
}

/** The blocked items as a numUsers x numItems bitset, or null when it would pass 16 MiB. */
function membershipBits(blocked: SeenItems, numUsers: number, numItems: number): Uint32Array | null {
  const wordsPerUser = (numItems + 31) >>> 5;
  if (numUsers * wordsPerUser * 32 > MAX_BITSET_BITS) return null;
  const bitset = new Uint32Array(numUsers * wordsPerUser);
  for (let u = 0; u < numUsers; u++) {
    const base = u * wordsPerUser;
    for (let j = blocked.offsets[u]; j < blocked.offsets[u + 1]; j++) {
      const item = blocked.items[j];
      bitset[base + (item >>> 5)] |= 1 << (item & 31);
    }
  }
  return bitset;
}

type DrawTables = Pick<SamplerTables, 'mode' | 'aliasProbability' | 'aliasIndex' | 'cumulativeWeight' | 'complementMass' | 'massBelow'>;

/** Uniform proposals: rejection while at most half the items are blocked, else exact. */
function uniformModes(blocked: SeenItems, numItems: number): DrawTables {
  const numUsers = blocked.offsets.length - 1;
  const mode = new Uint8Array(numUsers);
  for (let u = 0; u < numUsers; u++) {
    const m = blocked.offsets[u + 1] - blocked.offsets[u];
    mode[u] = m === numItems ? MODE_NONE : 2 * m <= numItems ? MODE_REJECT : MODE_EXACT_UNIFORM;
  }
  return { mode, aliasProbability: null, aliasIndex: null, cumulativeWeight: null, complementMass: null, massBelow: null };
}

/** Popularity proposals `count^alpha`: the alias table, the cumulative weights and each user's complement mass. */
function popularityTables(positives: SeenItems, blocked: SeenItems, numItems: number, alpha: number): DrawTables {
  const weights = popularityWeights(positives, numItems, alpha);
  let weightedItems = 0;
  for (let i = 0; i < numItems; i++) if (weights[i] > 0) weightedItems++;
  const cumulativeWeight = new Float64Array(numItems + 1);
  for (let i = 0; i < numItems; i++) cumulativeWeight[i + 1] = cumulativeWeight[i] + weights[i];
  const total = cumulativeWeight[numItems];
  let aliasProbability: Float64Array | null = null;
  let aliasIndex: Int32Array | null = null;
  if (weightedItems > 0) {
    const table = buildAliasTable(weights);
    aliasProbability = table.probability;
    aliasIndex = table.alias;
  }
  const numUsers = blocked.offsets.length - 1;
  const mode = new Uint8Array(numUsers);
  const complementMass = new Float64Array(numUsers);
  const massBelow = new Float64Array(blocked.items.length);
  for (let u = 0; u < numUsers; u++) {
    const start = blocked.offsets[u];
    const end = blocked.offsets[u + 1];
    let below = 0;
    let weightedBlocked = 0;
    for (let j = start; j < end; j++) {
      const item = blocked.items[j];
      massBelow[j] = cumulativeWeight[item] - below;
      below += weights[item];
      if (weights[item] > 0) weightedBlocked++;
    }
    complementMass[u] = total - below;
    if (end - start === numItems) mode[u] = MODE_NONE;
    else if (weightedBlocked === weightedItems) mode[u] = MODE_EXACT_UNIFORM; // only zero-weight items are free
    else mode[u] = 2 * complementMass[u] >= total ? MODE_REJECT : MODE_EXACT_POPULARITY;
  }
  return { mode, aliasProbability, aliasIndex, cumulativeWeight, complementMass, massBelow };
}

/** `(count_i / maxCount)^alpha` per item: normalising by the largest count keeps it finite for any alpha. */
function popularityWeights(positives: SeenItems, numItems: number, alpha: number): Float64Array {
  const counts = new Float64Array(numItems);
  for (let j = 0; j < positives.items.length; j++) counts[positives.items[j]]++;
  let maxCount = 0;
  for (let i = 0; i < numItems; i++) if (counts[i] > maxCount) maxCount = counts[i];
  const weights = new Float64Array(numItems);
  for (let i = 0; i < numItems; i++) weights[i] = maxCount > 0 ? Math.pow(counts[i] / maxCount, alpha) : alpha === 0 ? 1 : 0;
  return weights;
}

/** A copy of the tables whose every array lives in a SharedArrayBuffer (an array used twice is copied once). */
export function sharedTables(s: SamplerTables): SamplerTables {
  const copies = new Map<object, unknown>();
  const share = <T extends Int32Array | Uint32Array | Uint8Array | Float32Array | Float64Array>(a: T | null): T | null => {
    if (a === null) return null;
    const known = copies.get(a);
    if (known !== undefined) return known as T;
    const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
    const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
    copy.set(a as never);
    copies.set(a, copy);
    return copy;
  };
  return {
    ...s,
    positiveOffsets: share(s.positiveOffsets)!,
    positiveItems: share(s.positiveItems)!,
    positiveUsers: share(s.positiveUsers)!,
    positiveWeights: share(s.positiveWeights),
    blockedOffsets: share(s.blockedOffsets)!,
    blockedItems: share(s.blockedItems)!,
    bitset: share(s.bitset),
    mode: share(s.mode)!,
    aliasProbability: share(s.aliasProbability),
    aliasIndex: share(s.aliasIndex),
    cumulativeWeight: share(s.cumulativeWeight),
    complementMass: share(s.complementMass),
    massBelow: share(s.massBelow),
  };
}

/** Cheap consistency checks of a state handed to fromState. */
export function checkTables(given: SamplerState): SamplerTables {
  const state = given as SamplerTables;
  if (state === null || typeof state !== 'object' || state.version !== 2) {
    throw new RecsysError('INVALID_ARGUMENT', `state must be a SamplerState of version 2 (from getState()), got ${show(state)}`);
  }
  assertOneOf('state.strategy', state.strategy, STRATEGIES);
  assertInteger('state.numUsers', state.numUsers, 1, 'INVALID_SIZE');
  assertInteger('state.numItems', state.numItems, 1, 'INVALID_SIZE');
  const { numUsers, numItems } = state;
  const expect = (name: string, value: unknown, Ctor: unknown, length: number | null): void => {
    if (!(value instanceof (Ctor as typeof Int32Array)) || (length !== null && value.length !== length)) {
      throw new RecsysError(
        'INVALID_ARGUMENT',
        `state.${name} must be a ${(Ctor as { name: string }).name}${length !== null ? ` of length ${length}` : ''}, got ${show(value)}`,
      );
    }
  };
  expect('positiveOffsets', state.positiveOffsets, Int32Array, numUsers + 1);
  expect('positiveItems', state.positiveItems, Int32Array, state.positiveOffsets[numUsers]);
  expect('positiveUsers', state.positiveUsers, Int32Array, state.positiveItems.length);
  if (state.positiveWeights !== null) expect('positiveWeights', state.positiveWeights, Float32Array, state.positiveItems.length);
  expect('blockedOffsets', state.blockedOffsets, Int32Array, numUsers + 1);
  expect('blockedItems', state.blockedItems, Int32Array, state.blockedOffsets[numUsers]);
  expect('mode', state.mode, Uint8Array, numUsers);
  if (state.bitset !== null) expect('bitset', state.bitset, Uint32Array, numUsers * ((numItems + 31) >>> 5));
  if (state.strategy === 'popularity') {
    expect('cumulativeWeight', state.cumulativeWeight, Float64Array, numItems + 1);
    expect('complementMass', state.complementMass, Float64Array, numUsers);
    expect('massBelow', state.massBelow, Float64Array, state.blockedItems.length);
    if (state.aliasProbability !== null) {
      expect('aliasProbability', state.aliasProbability, Float64Array, numItems);
      expect('aliasIndex', state.aliasIndex, Int32Array, numItems);
    }
  }
  return state;
}
