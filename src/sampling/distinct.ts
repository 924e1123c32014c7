// The one without-replacement draw of negatives: `negatives` distinct items that are not blocked for
// the user at hand. Evaluation uses it for the sampled protocol's negatives, and train() for its
// fixed validation negatives (training/validation-set.ts).
//
// Why these two regimes: rejection while free items are plentiful (>= 4 x negatives of them, and at
// least a quarter of the catalogue, so each proposal succeeds with probability >= 3/16 and the
// loop ends quickly); otherwise a partial Fisher-Yates shuffle of the free items, which is bounded
// work and cannot loop.
import { RecsysError } from '../errors.js';
import { randomInt, type Random } from '../_lib/random.js';

/**
 * The items blocked for one draw at a time, over 0..numItems-1. `clear()` starts a new draw in
 * O(1) (a stamp per item, not a reset of the whole array).
 */
export class BlockedItems {
  /** Size of the item space. */
  readonly numItems: number;
  private readonly stamps: Int32Array;
  private stamp = 1;
  private blockedCount = 0;

  /** @param numItems - size of the item space */
  constructor(numItems: number) {
    this.numItems = numItems;
    this.stamps = new Int32Array(numItems);
  }

  /** Unblocks every item. */
  clear(): void {
    this.stamp++;
    this.blockedCount = 0;
  }

  /** Blocks one item (blocking it twice counts once). */
  block(item: number): void {
    if (this.stamps[item] !== this.stamp) {
      this.stamps[item] = this.stamp;
      this.blockedCount++;
    }
  }

  /** Blocks every item of `items`. */
  blockAll(items: ArrayLike<number>): void {
    for (let j = 0; j < items.length; j++) this.block(items[j]);
  }

  /** Whether `item` is blocked. */
  has(item: number): boolean {
    return this.stamps[item] === this.stamp;
  }

  /** How many items are not blocked. */
  get available(): number {
    return this.numItems - this.blockedCount;
  }
}

/**
 * Draws `negatives` distinct items (one user's negatives) outside `blocked` (and blocks them). The
 * caller checks first that `blocked.available >= negatives`; a shortfall here is a RecsysError
 * NO_NEGATIVES, never a loop.
 *
 * @param random - the stream to draw from
 * @param blocked - the items that may not be drawn
 * @param negatives - how many items
 * @returns an Int32Array of `negatives` distinct items, in draw order
 */
export function drawDistinct(random: Random, blocked: BlockedItems, negatives: number): Int32Array {
  const available = blocked.available;
  const numItems = blocked.numItems;
  if (available < negatives) {
    throw new RecsysError('NO_NEGATIVES', `only ${available} items are free, fewer than the ${negatives} distinct negatives asked for`, { available, negatives });
  }
  const list = new Int32Array(negatives);
  if (available >= 4 * negatives && 4 * available >= numItems) {
    for (let n = 0; n < negatives; ) {
      const item = randomInt(random, numItems);
      if (blocked.has(item)) continue;
      blocked.block(item);
      list[n++] = item;
    }
    return list;
  }
  const candidates = new Int32Array(available);
  for (let i = 0, n = 0; i < numItems; i++) if (!blocked.has(i)) candidates[n++] = i;
  for (let n = 0; n < negatives; n++) {
    const pick = n + randomInt(random, available - n);
    const chosen = candidates[pick];
    candidates[pick] = candidates[n];
    list[n] = chosen;
  }
  for (let n = 0; n < negatives; n++) blocked.block(list[n]);
  return list;
}
