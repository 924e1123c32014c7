// One negative for one user, from the sampler's tables (see sampler-state.ts for their layout).
//
// Draws are rejection sampling from the proposal (uniform, or popularity `count^alpha` through a
// Vose alias table), accepted when not blocked; used only for users whose blocked share of the
// proposal mass is below one half, so the expected number of proposals is < 2, and cut off after
// 32 proposals anyway. Other users (and the cut-off case) draw *exactly* from the complement:
// uniform by mapping the r-th free slot through the sorted blocked row, popularity by inverting
// the complement's cumulative mass with two binary searches. Nothing loops unboundedly.
import { RecsysError } from '../errors.js';
import type { Random } from '../_lib/random.js';
import type { SamplerTables } from './sampler-state.js';

// Per-user draw modes (SamplerTables.mode). Declared here, beside the switch that reads them in the
// hot loop: module-local constants fold into the switch, imported bindings may not.
export const MODE_REJECT = 0;
export const MODE_EXACT_POPULARITY = 1;
export const MODE_EXACT_UNIFORM = 2;
export const MODE_NONE = 3;

/** Rejection sampling gives up after this many proposals and draws exactly instead. */
const MAX_PROPOSALS = 32;

/** Membership tests and draws over one sampler's tables. */
export class NegativeDraws {
  /** The tables drawn from. */
  readonly tables: SamplerTables;
  private readonly wordsPerUser: number;

  /** @param tables - the sampler's tables */
  constructor(tables: SamplerTables) {
    this.tables = tables;
    this.wordsPerUser = (tables.numItems + 31) >>> 5;
  }

  /** Is `item` blocked (a positive or excluded) for `user`? */
  blocked(user: number, item: number): boolean {
    const bits = this.tables.bitset;
    if (bits !== null) return ((bits[user * this.wordsPerUser + (item >>> 5)] >>> (item & 31)) & 1) === 1;
    const rowItems = this.tables.blockedItems;
    let lo = this.tables.blockedOffsets[user];
    let hi = this.tables.blockedOffsets[user + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = rowItems[mid];
      if (v === item) return true;
      if (v < item) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  /** One negative for a user whose mode is not MODE_NONE. */
  draw(user: number, random: Random): number {
    const s = this.tables;
    switch (s.mode[user]) {
      case MODE_REJECT: {
        const n = s.numItems;
        const probability = s.aliasProbability;
        const alias = s.aliasIndex;
        for (let attempt = 0; attempt < MAX_PROPOSALS; attempt++) {
          let item: number;
          if (probability === null || alias === null) item = Math.floor(random() * n);
          else {
            const column = Math.floor(random() * n);
            item = random() < probability[column] ? column : alias[column];
          }
          if (!this.blocked(user, item)) return item;
        }
        return probability === null ? this.exactUniform(user, random) : this.exactPopularity(user, random);
      }
      case MODE_EXACT_POPULARITY:
        return this.exactPopularity(user, random);
      case MODE_EXACT_UNIFORM:
        return this.exactUniform(user, random);
      default:
        throw this.noNegatives(user);
    }
  }

  /** Uniform over the user's free items: the r-th free item is r plus the blocked items before it. */
  exactUniform(user: number, random: Random): number {
    const { blockedOffsets, blockedItems, numItems } = this.tables;
    const start = blockedOffsets[user];
    const end = blockedOffsets[user + 1];
    const r = Math.floor(random() * (numItems - (end - start)));
    // count blocked entries j with blockedItems[j] - (j - start) <= r (non-decreasing in j)
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (blockedItems[mid] - (mid - start) <= r) lo = mid + 1;
      else hi = mid;
    }
    return r + (lo - start);
  }

  /** Popularity-weighted over the user's free items, by inverting the complement's cumulative mass. */
  exactPopularity(user: number, random: Random): number {
    const s = this.tables;
    const blockedItems = s.blockedItems;
    const cumulative = s.cumulativeWeight!;
    const massBelow = s.massBelow!;
    const start = s.blockedOffsets[user];
    const end = s.blockedOffsets[user + 1];
    const t = random() * s.complementMass![user];
    // c = number of blocked entries whose complement mass below them is <= t: the draw lies after them
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (massBelow[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    const c = lo;
    const gapStart = c > start ? blockedItems[c - 1] + 1 : 0;
    const gapEnd = c < end ? blockedItems[c] : s.numItems;
    // blocked mass below the gap, so that t maps onto the global cumulative weights
    const blockedBelow =
      c < end ? cumulative[blockedItems[c]] - massBelow[c] : cumulative[s.numItems] - s.complementMass![user];
    const target = t + blockedBelow;
    // first x in the gap with cumulative[x + 1] > target
    lo = gapStart;
    hi = gapEnd;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid + 1] <= target) lo = mid + 1;
      else hi = mid;
    }
    let x = Math.min(lo, gapEnd - 1);
    if (cumulative[x + 1] > cumulative[x]) return x;
    // rounding put the draw on a zero-weight item: take the nearest weighted free item instead
    for (x = lo; x < gapEnd; x++) if (cumulative[x + 1] > cumulative[x]) return x;
    for (x = Math.min(lo, gapEnd) - 1; x >= gapStart; x--) if (cumulative[x + 1] > cumulative[x]) return x;
    // last resort (unreachable barring pathological rounding): the first weighted free item
    for (x = 0; x < s.numItems; x++) if (cumulative[x + 1] > cumulative[x] && !this.blocked(user, x)) return x;
    return this.exactUniform(user, random);
  }

  /** The NO_NEGATIVES error for a user whose every item is blocked. */
  noNegatives(user: number): RecsysError {
    return new RecsysError(
      'NO_NEGATIVES',
      `user ${user} has every one of the ${this.tables.numItems} items among their positives and excluded items: there is no negative to sample`,
      { user },
    );
  }
}
