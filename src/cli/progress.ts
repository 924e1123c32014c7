// Training progress on stderr, so stdout keeps only the results (and stays parseable with --json).
// On a terminal: a cli-progress bar over the run's instances with the epoch, the loss and the time
// left, and one line per finished epoch printed above it. Elsewhere (a pipe, a log file, CI): the
// per-epoch lines alone, since a redrawn bar would fill a log with carriage returns.
import cliProgress from 'cli-progress';
import type { EpochLogs } from '../training/index.js';
import { formatSeconds } from './format.js';

/** Receives the training callbacks and shows them. */
export interface TrainingProgress {
  /** After each batch: the instances it held and its loss. */
  batch(size: number, loss: number): void;
  /** After each epoch. */
  epoch(logs: EpochLogs): void;
  /** Removes the bar (call once, also on failure). */
  stop(): void;
}

/**
 * One line describing a finished epoch, as printed under or instead of the bar.
 *
 * @param logs - the epoch's logs
 * @param epochs - the number of epochs asked for
 * @returns the line (no newline)
 * @example
 * ```ts
 * epochLine({ epoch: 0, loss: 0.5, instances: 1000, instancesPerSecond: 5e5, seconds: 0.002, etaSeconds: 0, engine: 'fused',
 *   validation: { hr: 0.5, ndcg: 0.25 } }, 20);
 * //=> 'epoch  1/20  loss 0.5000  validation HR 0.5000  NDCG 0.2500  (0.0 s, 500,000 instances/s)'
 * ```
 */
export function epochLine(logs: EpochLogs, epochs: number): string {
  const width = String(epochs).length;
  const v = logs.validation;
  const validation = v === undefined ? '' : `  validation ${Object.entries(v).map(([name, value]) => `${name.toUpperCase()} ${value.toFixed(4)}`).join('  ')}`;
  const speed = Number.isFinite(logs.instancesPerSecond) ? `${Math.round(logs.instancesPerSecond).toLocaleString('en')} instances/s` : 'instant';
  return `epoch ${String(logs.epoch + 1).padStart(width)}/${epochs}  loss ${logs.loss.toFixed(4)}${validation}  (${formatSeconds(logs.seconds)}, ${speed})`;
}

/**
 * Creates the progress display for a run.
 *
 * @param options - `epochs`; `instancesPerEpoch`, an estimate corrected after the first epoch;
 *   `stream`, where to write (stderr); `bar`, whether to draw the bar (default: when the stream is a terminal)
 * @returns the callbacks to wire into `train()`
 * @example
 * ```ts
 * const progress = createProgress({ epochs: 20, instancesPerEpoch: 25_000, stream: process.stderr });
 * await train(model, data, { onBatchEnd: (_, l) => progress.batch(l.size, l.loss), onEpochEnd: (_, l) => progress.epoch(l) });
 * progress.stop();
 * ```
 */
export function createProgress(options: { epochs: number; instancesPerEpoch: number; stream: NodeJS.WriteStream; bar?: boolean }): TrainingProgress {
  const { epochs, stream } = options;
  const drawBar = options.bar ?? stream.isTTY === true;
  if (!drawBar) {
    return {
      batch() {},
      epoch: (logs) => void stream.write(`${epochLine(logs, epochs)}\n`),
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: 'training |{bar}| {percentage}% | epoch {epoch}/{epochs} | loss {loss} | {eta_formatted} left',
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  let total = Math.max(1, epochs * options.instancesPerEpoch);
  const bar = multi.create(total, 0, { epoch: 1, epochs, loss: '-' });
  let done = 0;
  let lossSum = 0;
  let lossCount = 0;
  let stopped = false;
  return {
    batch(size, loss) {
      done += size;
      lossSum += loss;
      lossCount++;
      bar.update(Math.min(done, total), { loss: (lossSum / lossCount).toFixed(4) });
    },
    epoch(logs) {
      if (logs.epoch === 0) {
        // the first epoch tells the real number of instances per epoch
        total = Math.max(done, logs.instances * epochs);
        bar.setTotal(total);
      }
      lossSum = 0;
      lossCount = 0;
      multi.log(`${epochLine(logs, epochs)}\n`);
      bar.update(Math.min(done, total), { epoch: Math.min(logs.epoch + 2, epochs) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}
