// One chunk of `recommendAll`: score a few users against every item (or a candidate list), drop
// each user's excluded items, keep the K best by partial selection. The same code runs on the
// calling thread and in a score worker (score-worker.ts), so both give the same items and scores
// bit for bit. No tfjs: the worker imports it.
import { topK } from '../metrics/top-k.js';
import type { Scorer } from './scorer.js';

/**
 * The excluded items of a chunk's users, CSR by chunk row: row r's items are
 * `items[offsets[r] .. offsets[r + 1])` (item indices, not candidate positions).
 */
export interface ChunkSeen {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

/** The top K of a chunk's users: rows of K, -1 and NaN in unused slots; `counts[r]` slots used. */
export interface RankedChunk {
  readonly items: Int32Array;
  readonly scores: Float32Array;
  readonly counts: Int32Array;
}

/**
 * The seen items of `users` (rows of a CSR index over all users), copied into a {@link ChunkSeen}.
 *
 * @param seen - the CSR index (`offsets` of numUsers + 1, `items`)
 * @param users - the chunk's users
 * @returns the chunk's rows
 */
export function chunkSeen(seen: ChunkSeen, users: Int32Array): ChunkSeen {
  const offsets = new Int32Array(users.length + 1);
  for (let r = 0; r < users.length; r++) offsets[r + 1] = offsets[r] + seen.offsets[users[r] + 1] - seen.offsets[users[r]];
  const items = new Int32Array(offsets[users.length]);
  for (let r = 0; r < users.length; r++) items.set(seen.items.subarray(seen.offsets[users[r]], seen.offsets[users[r] + 1]), offsets[r]);
  return { offsets, items };
}

/**
 * Ranks chunks of users through one scorer, reusing its buffers from chunk to chunk.
 */
export class ChunkRanker {
  private readonly width: number;
  /** excluded[i] === stamp marks item i (or candidate position i) as excluded for the current row. */
  private readonly excluded: Int32Array;
  /** The candidate position of each item (-1: not a candidate); only with candidates. */
  private readonly position: Int32Array | undefined;
  private scores: Float32Array = new Float32Array(0);
  private stamp = 0;

  /**
   * @param scorer - scores the users
   * @param k - items per user
   * @param candidates - ascending, distinct item indices to rank (undefined: every item)
   */
  constructor(
    readonly scorer: Scorer,
    private readonly k: number,
    private readonly candidates: Int32Array | undefined,
  ) {
    this.width = candidates?.length ?? scorer.numItems;
    this.excluded = new Int32Array(this.width).fill(-1);
    if (candidates !== undefined) {
      this.position = new Int32Array(scorer.numItems).fill(-1);
      for (let p = 0; p < candidates.length; p++) this.position[candidates[p]] = p;
    }
  }

  /**
   * The top K of each user of `users`, leaving out `seen`'s items.
   *
   * @param users - the chunk's users
   * @param seen - their excluded items by row, or undefined
   * @returns new arrays (the caller owns them)
   */
  rank(users: Int32Array, seen: ChunkSeen | undefined): RankedChunk {
    const { k, width, candidates, excluded, position } = this;
    const scores = this.score(users);
    const items = new Int32Array(users.length * k).fill(-1);
    const top = new Float32Array(users.length * k).fill(NaN);
    const counts = new Int32Array(users.length);
    for (let r = 0; r < users.length; r++) {
      const current = this.stamp++;
      if (seen !== undefined) {
        for (let j = seen.offsets[r]; j < seen.offsets[r + 1]; j++) {
          const at = position === undefined ? seen.items[j] : position[seen.items[j]];
          if (at >= 0) excluded[at] = current;
        }
      }
      const row = scores.subarray(r * width, (r + 1) * width);
      const best = topK(row, k, seen === undefined ? undefined : (index) => excluded[index] === current);
      counts[r] = best.length;
      for (let t = 0; t < best.length; t++) {
        items[r * k + t] = candidates === undefined ? best[t] : candidates[best[t]];
        top[r * k + t] = row[best[t]];
      }
    }
    return { items, scores: top, counts };
  }

  /** Scores of every user against every item (or candidate), row-major, in a reused buffer. */
  private score(users: Int32Array): Float32Array {
    const { scorer, width, candidates } = this;
    const size = users.length * width;
    if (candidates === undefined) {
      this.scores = scorer.scoreAllItems(users, this.scores.length >= size ? this.scores : new Float32Array(size));
    } else {
      if (this.scores.length < size) this.scores = new Float32Array(size);
      for (let r = 0; r < users.length; r++) scorer.scoreItems(users[r], candidates, this.scores.subarray(r * width, (r + 1) * width));
    }
    return this.scores;
  }
}
