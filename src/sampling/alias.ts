// Vose's alias method: after O(n) set-up, a draw from a discrete distribution costs one table
// lookup and one comparison, independent of n. Used for popularity-weighted negative sampling.
import { RecsysError } from '../errors.js';
import type { Random } from '../_lib/random.js';

/** An alias table over `n` outcomes (see {@link buildAliasTable}). @internal */
export interface AliasTable {
  /** Per column, the probability of keeping the column's own outcome. */
  readonly probability: Float64Array;
  /** Per column, the outcome taken otherwise. */
  readonly alias: Int32Array;
}

/**
 * Builds a Vose alias table for non-negative weights with a positive finite sum. @internal
 */
export function buildAliasTable(weights: Float64Array): AliasTable {
  const n = weights.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  if (!(total > 0 && Number.isFinite(total))) {
    throw new RecsysError('INVALID_ARGUMENT', `alias table weights must have a positive finite sum, got ${total}`);
  }
  const probability = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i] * n) / total;
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[--nl];
    probability[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) small[ns++] = l;
    else large[nl++] = l;
  }
  // leftovers are 1 up to rounding; they keep their own outcome
  while (nl > 0) {
    const l = large[--nl];
    probability[l] = 1;
    alias[l] = l;
  }
  while (ns > 0) {
    const s = small[--ns];
    // a zero weight left here would be a rounding artefact; never let it be drawn
    probability[s] = weights[s] > 0 ? 1 : 0;
    alias[s] = weights[s] > 0 ? s : largestIndex(weights);
  }
  return { probability, alias };
}

function largestIndex(weights: Float64Array): number {
  let best = 0;
  for (let i = 1; i < weights.length; i++) if (weights[i] > weights[best]) best = i;
  return best;
}

/** One draw from an alias table: two uniforms, so column choice and coin stay independent. @internal */
export function drawAlias(probability: Float64Array, alias: Int32Array, random: Random): number {
  const column = Math.floor(random() * probability.length);
  return random() < probability[column] ? column : alias[column];
}
