// The gradients of the table rows one batch touches, in per-batch "slots": the first time a batch
// touches a user (or item) row it gets the next slot, duplicates in the batch sum into the same
// slot, and the optimizer then updates exactly those rows (optimizer.ts) before they are released.
// A slot holds the row's whole gradient, [GMF part (factors) | MLP part (mlpWidth)], so the cost
// of a step is proportional to the batch, never to the size of the tables.
//
// No tfjs here: worker threads import this file.
import type { ParamLayout } from './layout.js';

/** Gradient slots of the user and item rows of one batch. */
export class RowGradients {
  /** Width of a slot: factors + mlpWidth. */
  readonly width: number;
  /** Per slot: the user (item) row it holds; the first `numUsers` (`numItems`) are in use. */
  users = new Int32Array(0);
  items = new Int32Array(0);
  /** Per slot, `width` numbers: the row's gradient. */
  gUser = new Float64Array(0);
  gItem = new Float64Array(0);
  numUsers = 0;
  numItems = 0;
  /** Per table row: its slot in the current batch, or -1. */
  private readonly userSlot: Int32Array;
  private readonly itemSlot: Int32Array;

  /**
   * @param numUsers - rows of the user tables
   * @param numItems - rows of the item tables
   * @param width - numbers per row: factors + mlpWidth
   */
  constructor(numUsers: number, numItems: number, width: number) {
    this.width = width;
    this.userSlot = new Int32Array(numUsers).fill(-1);
    this.itemSlot = new Int32Array(numItems).fill(-1);
  }

  /** Starts a batch touching up to `users` user rows and `items` item rows (grows the slots once, never per batch after that). */
  begin(users: number, items: number): void {
    if (this.users.length < users) {
      this.users = new Int32Array(users);
      this.gUser = new Float64Array(users * this.width);
    }
    if (this.items.length < items) {
      this.items = new Int32Array(items);
      this.gItem = new Float64Array(items * this.width);
    }
    this.numUsers = 0;
    this.numItems = 0;
  }

  /** Offset in `gUser` of user `u`'s gradient (a zeroed slot the first time the batch touches it). */
  userRow(u: number): number {
    let s = this.userSlot[u];
    if (s < 0) {
      s = this.numUsers++;
      this.userSlot[u] = s;
      this.users[s] = u;
      this.gUser.fill(0, s * this.width, (s + 1) * this.width);
    }
    return s * this.width;
  }

  /** Offset in `gItem` of item `i`'s gradient. */
  itemRow(i: number): number {
    let s = this.itemSlot[i];
    if (s < 0) {
      s = this.numItems++;
      this.itemSlot[i] = s;
      this.items[s] = i;
      this.gItem.fill(0, s * this.width, (s + 1) * this.width);
    }
    return s * this.width;
  }

  /** Frees the batch's slots (after the optimizer step): the next batch starts from none. */
  release(): void {
    for (let s = 0; s < this.numUsers; s++) this.userSlot[this.users[s]] = -1;
    for (let s = 0; s < this.numItems; s++) this.itemSlot[this.items[s]] = -1;
  }

  /** Writes the batch's row gradients into their places of a full-size flat array (`out`, zero elsewhere). */
  writeFlat(layout: ParamLayout, out: Float64Array): void {
    const factors = layout.factors;
    const mlpWidth = this.width - factors;
    const W = this.width;
    for (let s = 0; s < this.numUsers; s++) {
      const u = this.users[s];
      for (let f = 0; f < factors; f++) out[layout.gmfUser + u * factors + f] = this.gUser[s * W + f];
      for (let k = 0; k < mlpWidth; k++) out[layout.mlpUser + u * mlpWidth + k] = this.gUser[s * W + factors + k];
    }
    for (let s = 0; s < this.numItems; s++) {
      const i = this.items[s];
      for (let f = 0; f < factors; f++) out[layout.gmfItem + i * factors + f] = this.gItem[s * W + f];
      for (let k = 0; k < mlpWidth; k++) out[layout.mlpItem + i * mlpWidth + k] = this.gItem[s * W + factors + k];
    }
  }
}
