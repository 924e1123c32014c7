// The error of the fused engine's dense-Adam catch-up (src/training/fused/catch-up.ts) against
// dense Adam replayed step by step in double precision, the check issue 12 describes: scalar Adam
// (beta1 0.9, beta2 0.999, epsilon 1e-7), random moments (gradient scales 1 down to 1e-11, so
// sqrt(v) from far above epsilon to far below it) and random gaps (1 to 3,000 skipped steps, log-
// uniform), 2,000 cases per range of the step the row was last updated at.
//
//   npx tsx bench/sparse-catch-up-error.ts
import { catchUpDisplacement, EXACT_BELOW } from '../src/training/fused/catch-up-rule.js';
import { replayDisplacement } from '../test/oracles/adam-replay.js';
import { mulberry32 } from '../src/_lib/random.js';

const random = mulberry32(12);
const ranges: [number, number][] = [
  [1, EXACT_BELOW],
  [EXACT_BELOW, 100],
  [100, 300],
  [300, 1000],
  [1000, 10_000],
  [10_000, 100_000],
  [100_000, 1_000_000],
];
console.log(`relative error |Δw(catch-up) - Δw(replay)| / |Δw(replay)|, 2,000 cases per range (replayed exactly below step ${EXACT_BELOW})`);
for (const [lo, hi] of ranges) {
  let worst = 0;
  let sum = 0;
  for (let c = 0; c < 2000; c++) {
    const t = Math.floor(lo + random() * (hi - lo));
    const gap = 1 + Math.floor(Math.exp(random() * Math.log(3000)));
    const g = Math.exp(-random() * 25);
    const v = g * g * (0.001 + random());
    const m = (random() * 2 - 1) * g * Math.sqrt(0.1 + random());
    const exact = replayDisplacement(m, v, t, t + gap, 0.001);
    const fast = catchUpDisplacement(m, v, t, t + gap, 0.001);
    const error = Math.abs(fast - exact) / Math.max(Math.abs(exact), 1e-300);
    worst = Math.max(worst, error);
    sum += error;
  }
  console.log(`last updated at step ${String(lo).padStart(7)}-${String(hi).padEnd(9)} worst ${worst.toExponential(2)}  mean ${(sum / 2000).toExponential(2)}`);
}
