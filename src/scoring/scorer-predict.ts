// The generic scorer: any LayersModel taking [user, item] int32 indices, scored through
// model.predict in chunks of at most `chunkSize` pairs, so memory stays bounded whatever the
// number of users and items. It holds no tensors between calls: each chunk is built, predicted,
// read back and disposed inside one tidy.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';
import type { Scorer } from './scorer.js';
import { checkItems, checkLive, checkOut, checkUser, checkUsers } from './scorer-checks.js';

/** A {@link Scorer} that runs `model.predict` on chunks of (user, item) pairs. */
export class PredictScorer implements Scorer {
  readonly numUsers: number;
  readonly numItems: number;
  private readonly model: tf.LayersModel;
  private readonly chunkSize: number;
  private readonly userBuf: Int32Array;
  private readonly itemBuf: Int32Array;
  private disposed = false;

  /**
   * @param model - the model; its first input takes users, its second items
   * @param numUsers - user indices it accepts
   * @param numItems - item indices it accepts
   * @param chunkSize - the most pairs per predict call
   */
  constructor(model: tf.LayersModel, numUsers: number, numItems: number, chunkSize: number) {
    this.model = model;
    this.numUsers = numUsers;
    this.numItems = numItems;
    this.chunkSize = chunkSize;
    this.userBuf = new Int32Array(chunkSize);
    this.itemBuf = new Int32Array(chunkSize);
  }

  scoreItems(user: number, items: Int32Array, out?: Float32Array): Float32Array {
    checkLive(this.disposed);
    checkUser(user, this.numUsers);
    checkItems(items, this.numItems);
    const result = checkOut(out, items.length);
    for (let start = 0; start < items.length; start += this.chunkSize) {
      const n = Math.min(this.chunkSize, items.length - start);
      this.userBuf.fill(user, 0, n);
      this.itemBuf.set(items.subarray(start, start + n));
      this.predictChunk(n, result, start);
    }
    return result;
  }

  scoreAllItems(users: Int32Array, out?: Float32Array): Float32Array {
    checkLive(this.disposed);
    checkUsers(users, this.numUsers);
    const numItems = this.numItems;
    const total = users.length * numItems;
    const result = checkOut(out, total);
    // Pair p is (users[floor(p / numItems)], p % numItems): chunks may span several users.
    for (let start = 0; start < total; start += this.chunkSize) {
      const n = Math.min(this.chunkSize, total - start);
      let row = Math.floor(start / numItems);
      let item = start - row * numItems;
      for (let t = 0; t < n; t++) {
        this.userBuf[t] = users[row];
        this.itemBuf[t] = item;
        if (++item === numItems) {
          item = 0;
          row++;
        }
      }
      this.predictChunk(n, result, start);
    }
    return result;
  }

  scorePairs(users: Int32Array, items: Int32Array, out?: Float32Array): Float32Array {
    checkLive(this.disposed);
    checkUsers(users, this.numUsers, items);
    checkItems(items, this.numItems);
    const result = checkOut(out, items.length);
    for (let start = 0; start < items.length; start += this.chunkSize) {
      const n = Math.min(this.chunkSize, items.length - start);
      this.userBuf.set(users.subarray(start, start + n));
      this.itemBuf.set(items.subarray(start, start + n));
      this.predictChunk(n, result, start);
    }
    return result;
  }

  dispose(): void {
    this.disposed = true;
  }

  /** Predicts the first `n` pairs of the buffers into `out[offset..offset+n)`. */
  private predictChunk(n: number, out: Float32Array, offset: number): void {
    const scores = tf.tidy(() => {
      const users = tf.tensor2d(this.userBuf.subarray(0, n), [n, 1], 'int32');
      const items = tf.tensor2d(this.itemBuf.subarray(0, n), [n, 1], 'int32');
      // predict's default batchSize is 32: one batch of the whole chunk is far faster.
      const y = this.model.predict([users, items], { batchSize: n });
      if (Array.isArray(y)) {
        throw new RecsysError('UNSUPPORTED_MODEL', `the model has ${y.length} outputs; a scorer needs a model with one score output`);
      }
      if (y.size !== n) {
        throw new RecsysError('SHAPE_MISMATCH', `the model returned ${y.size} values for ${n} pairs (output shape [${y.shape.join(', ')}]); expected one score per pair`);
      }
      return y.reshape([n]).cast('float32');
    });
    try {
      out.set(scores.dataSync(), offset);
    } finally {
      scores.dispose();
    }
  }
}
