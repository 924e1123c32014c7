// Shared by the benchmarks: random data of a given size and the timing of a training engine's epoch
// (throughput.ts, throughput-ab.ts), and numeric command-line flags (scale.ts, recommend-all.ts).
import { mulberry32 } from '../src/_lib/random.js';
import type { Interactions } from '../src/data/interactions.js';
import type { TrainingEngine } from '../src/training/types.js';

const now = (): number => performance.now();

/** The positive number after `--name` on the command line, or `fallback` when the flag is absent. */
export function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, got ${process.argv[at + 1]}`);
  return value;
}


/** Random positives over a users x items grid (duplicates collapse in the sampler). */
export function randomData(numUsers: number, numItems: number, positives: number, seed: number): Interactions {
  const random = mulberry32(seed);
  const users = new Int32Array(positives);
  const items = new Int32Array(positives);
  for (let k = 0; k < positives; k++) {
    users[k] = Math.floor(random() * numUsers);
    items[k] = Math.floor(random() * numItems);
  }
  return { users, items, numUsers, numItems };
}

export interface Rate {
  instPerSec: number;
  msPerStep: number;
  /** Instances per CPU-second of this process (all its threads): less sensitive to a busy machine. */
  instPerCpuSec?: number;
}

/**
 * Times an engine's epoch after `warmupBatches`, for at least `seconds` (or to the end of the epoch),
 * then aborts it. Works with the workers' batched reports too.
 */
export async function measure(engine: TrainingEngine, batchSize: number, warmupBatches: number, seconds: number, maxBatches = Infinity): Promise<Rate> {
  const controller = new AbortController();
  let t0 = 0;
  let t1 = 0;
  let c0 = process.cpuUsage();
  let cpu = 0;
  let base = -1;
  let done = 0;
  await engine.runEpoch(0, {
    signal: controller.signal,
    onBatchEnd: (batch) => {
      const finished = batch + 1;
      if (base < 0) {
        if (finished >= warmupBatches) {
          base = finished;
          t0 = now();
          c0 = process.cpuUsage();
        }
        return;
      }
      done = finished - base;
      t1 = now();
      const c = process.cpuUsage(c0);
      cpu = (c.user + c.system) / 1e6;
      if ((t1 - t0) / 1000 >= seconds || done >= maxBatches) controller.abort();
    },
  });
  if (done <= 0) throw new Error('the epoch was too short to measure; use more data');
  const sec = (t1 - t0) / 1000;
  return { instPerSec: (done * batchSize) / sec, msPerStep: (1000 * sec) / done, instPerCpuSec: (done * batchSize) / cpu };
}

