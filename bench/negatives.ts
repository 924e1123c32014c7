// Shared by the accuracy benchmarks (baselines.ts, weighted.ts): fixed sampled negatives for an
// NCF-style test or validation set, drawn once with a seed.
import { mulberry32, randomInt } from '../src/sampling/index.js';

/** `count` distinct negatives per row's user, none in `blockedOf(user)` (seeded mulberry32). */
export function drawNegatives(users: Int32Array, numItems: number, blockedOf: (u: number) => ArrayLike<number>, seed: number, count = 99): Int32Array[] {
  const random = mulberry32(seed);
  const mark = new Int32Array(numItems).fill(-1);
  return Array.from(users, (u, row) => {
    const blocked = blockedOf(u);
    for (let t = 0; t < blocked.length; t++) mark[blocked[t]] = row;
    const out = new Int32Array(count);
    let n = 0;
    while (n < count) {
      const j = randomInt(random, numItems);
      if (mark[j] === row) continue;
      mark[j] = row;
      out[n++] = j;
    }
    return out;
  });
}
