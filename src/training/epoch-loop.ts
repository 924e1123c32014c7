// The one epoch loop. The tfjs engine, the fused engine on one thread, each fused worker (over its
// shard) and fold-in (over one user's steps) all run their batches through runEpochLoop, which owns:
// walking the batches, the abort check between batches, the loss sums, the divergence rule (one rule,
// one message) and progress reports. A trainer brings only its step (and, if it applies the update
// apart from computing the loss, `apply`). No TensorFlow.js here: the worker bundle imports it.
//
// Sync and async steps: a step returns the batch's mean loss, or a promise of it (tfjs reads the
// loss back from its backend). The loop awaits only what is a promise, so a synchronous step (the
// fused kernel) runs the whole epoch without one await unless a callback or `yieldEveryMs` asks.
import { RecsysError } from '../errors.js';
import { yieldToEventLoop } from '../_lib/event-loop.js';
import type { Batch, BatchOptions, NegativeSampler, PairBatch } from '../sampling/index.js';
import type { BatchLogs, EpochResult } from './types.js';

/**
 * A mean batch loss above this is divergence even though finite: a BCE or BPR loss that large means
 * logits of magnitude beyond 1e6 on the wrong side (the sigmoid saturates at |z| of about 40). No
 * model that is learning gets there; a diverging one (e.g. Adam at learning rate 1e6) does, while
 * staying finite for many epochs. With confidence weights (`weighting`) each instance's loss is
 * scaled by its confidence, so the bound is this times the batch's mean confidence.
 */
export const DIVERGED_LOSS = 1e6;

/** On a main thread, hand the event loop a turn this often (ms) so abort signals and timers can fire. */
export const YIELD_EVERY_MS = 50;

/** Loss sums of an epoch or of one worker's shard of it (what a worker sends back). */
export interface EpochTotals {
  /** Sum over batches of (mean batch loss x batch size). */
  lossSum: number;
  /** Instances (pairs for BPR) trained on. */
  instances: number;
  /** Gradient steps taken. */
  batches: number;
  /** True when the abort check stopped the loop before its last batch. */
  aborted: boolean;
}

/** Where a loss is checked, for the divergence message. */
export interface DivergenceContext {
  /** What diverged, at the start of the message. Default 'training'. */
  what?: string;
  /** The loss's name (e.g. 'bce', 'bpr'). */
  loss: string;
  /** 0-based epoch. */
  epoch: number;
  /** The learning rate (the message suggests a smaller one). */
  learningRate: number;
  /** The worker's shard, when an epoch is split across workers (batch numbers are then the shard's own). */
  shard?: { index: number; count: number };
}

/** Progress reports of one loop (see {@link everyBatch} and {@link throttled}). */
export interface Progress {
  /** After each batch that passed the divergence rule; a returned promise is awaited. */
  batch(index: number, loss: number, size: number): void | PromiseLike<void>;
  /** After the last batch (also after an abort): report what is pending. */
  end?(): void;
}

/** One epoch (or shard, or fold-in) to run: the batches, the step, and the checks' context. */
export interface EpochLoop<B extends { users: ArrayLike<number>; weights?: ArrayLike<number> }> {
  /** The batches, walked once (a sampler's generator, typically). */
  batches: Iterable<B>;
  /** Computes a batch's mean loss (and its gradients, or applies the update too); sync or async. */
  step(batch: B): number | PromiseLike<number>;
  /** Applies the update computed by `step`, once its loss passed the divergence rule. */
  apply?(): void;
  /** Checked before every batch: true stops the loop, with `aborted: true`. */
  aborted?(): boolean;
  /** Progress reports; none when undefined. */
  progress?: Progress;
  /** Hand the event loop a turn at least this often (ms), so timers and abort signals can fire. */
  yieldEveryMs?: number;
  /** Context of the divergence message. */
  divergence: DivergenceContext;
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * The one divergence error: names the loss value and name, the epoch, the batch and the learning rate.
 *
 * @param loss - the batch's mean loss (non-finite or above {@link DIVERGED_LOSS})
 * @param batch - the batch's 0-based index in its loop
 * @param context - what diverged, the loss name, the epoch and learning rate
 * @param meanConfidence - the batch's mean confidence weight (1 without `weighting`), which scales the bound
 * @returns a `TRAINING_DIVERGED` RecsysError
 * @example
 * ```ts
 * divergedError(NaN, 3, { loss: 'bce', epoch: 0, learningRate: 10 }).message;
 * //=> 'training diverged: the bce loss is NaN at epoch 0, batch 3, learning rate 10; try a smaller one'
 * ```
 */
export function divergedError(loss: number, batch: number, context: DivergenceContext, meanConfidence = 1): RecsysError {
  const { epoch, learningRate, shard } = context;
  const bound = meanConfidence === 1 ? `${DIVERGED_LOSS}` : `${DIVERGED_LOSS} x the batch's mean confidence ${meanConfidence}`;
  const huge = Number.isFinite(loss) ? ` (above ${bound}: the logits have left any useful range)` : '';
  const where = shard !== undefined && shard.count > 1 ? ` of worker ${shard.index + 1}/${shard.count}` : '';
  return new RecsysError(
    'TRAINING_DIVERGED',
    `${context.what ?? 'training'} diverged: the ${context.loss} loss is ${loss}${huge} at epoch ${epoch}, batch ${batch}${where}, ` +
      `learning rate ${learningRate}; try a smaller one`,
    { loss, epoch, batch, learningRate, ...(where === '' ? {} : { worker: shard!.index }) },
  );
}

/**
 * Runs one epoch loop: for each batch, the abort check, the step, the divergence rule (a mean batch
 * loss that is not finite or is above {@link DIVERGED_LOSS} throws `TRAINING_DIVERGED` before the
 * update is applied), the loss sums and the progress report.
 *
 * @param loop - the batches, the step and the checks (see {@link EpochLoop})
 * @returns the loss sums; `aborted` when the abort check stopped it
 * @throws RecsysError `TRAINING_DIVERGED`; whatever the step or a progress report throws
 * @example
 * ```ts
 * const batches = [{ users: Int32Array.of(0, 1) }, { users: Int32Array.of(2) }];
 * const totals = await runEpochLoop({ batches, step: (b) => b.users.length, divergence: { loss: 'bce', epoch: 0, learningRate: 0.1 } });
 * totals; //=> { lossSum: 5, instances: 3, batches: 2, aborted: false }
 * ```
 */
export async function runEpochLoop<B extends { users: ArrayLike<number>; weights?: ArrayLike<number> }>(loop: EpochLoop<B>): Promise<EpochTotals> {
  const { step, apply, aborted, progress, yieldEveryMs, divergence } = loop;
  const totals: EpochTotals = { lossSum: 0, instances: 0, batches: 0, aborted: false };
  let lastYield = yieldEveryMs === undefined ? 0 : performance.now();
  for (const batch of loop.batches) {
    if (aborted?.()) {
      totals.aborted = true;
      break;
    }
    const pending = step(batch);
    const loss = typeof pending === 'number' ? pending : await pending;
    if (!Number.isFinite(loss)) throw divergedError(loss, totals.batches, divergence);
    if (loss > DIVERGED_LOSS) {
      // rare: only then is the batch's mean confidence worth computing
      const confidence = meanConfidence(batch);
      if (loss > DIVERGED_LOSS * confidence) throw divergedError(loss, totals.batches, divergence, confidence);
    }
    apply?.();
    const size = batch.users.length;
    totals.lossSum += loss * size;
    totals.instances += size;
    totals.batches++;
    if (progress !== undefined) {
      const reported = progress.batch(totals.batches - 1, loss, size);
      if (isThenable(reported)) await reported;
    }
    if (yieldEveryMs !== undefined && performance.now() - lastYield >= yieldEveryMs) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  progress?.end?.();
  return totals;
}

/** The mean of a batch's confidence weights (at least 1; 1 when it carries none). */
function meanConfidence(batch: { users: ArrayLike<number>; weights?: ArrayLike<number> }): number {
  const weights = batch.weights;
  if (weights === undefined || weights.length === 0) return 1;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i];
  return Math.max(1, sum / weights.length);
}

/** Steps for each loss, over its kind of batch (see {@link sampledEpoch}). */
export interface LossSteps<R> {
  /** A pointwise (BCE) step. */
  bce(batch: Batch): R;
  /** A pairwise (BPR) step. */
  bpr(batch: PairBatch): R;
}

/**
 * The per-loss step adapter: a sampler's epoch (or shard) for the loss, pointwise batches for BCE
 * or pair batches for BPR, with the matching step, for {@link runEpochLoop}.
 *
 * @param sampler - the negative sampler
 * @param loss - 'bce' or 'bpr'
 * @param spec - batch size, negatives per positive, epoch and shard
 * @param steps - the step for each loss
 * @returns the batches and the step for the loss
 * @example
 * ```ts
 * const epoch = sampledEpoch(sampler, 'bpr', { batchSize: 256, epoch: 0 }, { bce: stepBce, bpr: stepBpr });
 * await runEpochLoop({ ...epoch, divergence: { loss: 'bpr', epoch: 0, learningRate: 0.001 } });
 * ```
 */
export function sampledEpoch<R>(
  sampler: NegativeSampler,
  loss: 'bce' | 'bpr',
  spec: BatchOptions,
  steps: LossSteps<R>,
): { batches: Iterable<Batch | PairBatch>; step: (batch: Batch | PairBatch) => R } {
  return loss === 'bpr'
    ? { batches: sampler.pairBatches(spec), step: steps.bpr as (batch: Batch | PairBatch) => R }
    : { batches: sampler.batches(spec), step: steps.bce as (batch: Batch | PairBatch) => R };
}

/**
 * Progress on one thread: `onBatchEnd` after every batch (a returned promise is awaited).
 *
 * @param onBatchEnd - the callback, or undefined for no reports
 * @returns the progress reporter, or undefined
 * @example
 * ```ts
 * await runEpochLoop({ batches, step, progress: everyBatch((b, logs) => console.log(b, logs.loss)), divergence });
 * ```
 */
export function everyBatch(onBatchEnd: ((batch: number, logs: BatchLogs) => void | Promise<void>) | undefined): Progress | undefined {
  return onBatchEnd === undefined ? undefined : { batch: (index, loss, size) => onBatchEnd(index, { loss, size }) };
}

/**
 * Throttled progress, for workers: `report(batches, loss, size)` with the batches finished since
 * the last report and the last one's loss and size, once `batches` have finished or `ms` have
 * passed, and after the last batch.
 *
 * @param report - receives each report
 * @param every - report at least every this many batches or milliseconds
 * @returns the progress reporter
 * @example
 * ```ts
 * await runEpochLoop({ batches, step, progress: throttled((n, loss) => post({ type: 'progress', batches: n, loss })), divergence });
 * ```
 */
export function throttled(
  report: (batches: number, loss: number, size: number) => void,
  every: { batches: number; ms: number } = { batches: 100, ms: 50 },
): Progress {
  let unreported = 0;
  let last = { loss: NaN, size: 0 };
  let lastReport = performance.now();
  return {
    batch(_index, loss, size) {
      unreported++;
      last = { loss, size };
      const now = performance.now();
      if (unreported >= every.batches || now - lastReport >= every.ms) {
        report(unreported, loss, size);
        unreported = 0;
        lastReport = now;
      }
    },
    end() {
      if (unreported > 0) report(unreported, last.loss, last.size);
      unreported = 0;
    },
  };
}

/**
 * Sums the totals of an epoch's shards (one per worker).
 *
 * @param parts - each shard's totals
 * @returns their sums; aborted when any was
 * @example
 * ```ts
 * mergeTotals([{ lossSum: 1, instances: 2, batches: 1, aborted: false }, { lossSum: 3, instances: 2, batches: 1, aborted: false }]).lossSum; //=> 4
 * ```
 */
export function mergeTotals(parts: readonly EpochTotals[]): EpochTotals {
  const out: EpochTotals = { lossSum: 0, instances: 0, batches: 0, aborted: false };
  for (const p of parts) {
    out.lossSum += p.lossSum;
    out.instances += p.instances;
    out.batches += p.batches;
    out.aborted ||= p.aborted;
  }
  return out;
}

/**
 * An engine's epoch result from the loop's totals: the mean loss over the instances (NaN for none).
 *
 * @param totals - the epoch's totals
 * @returns the {@link EpochResult}
 * @example
 * ```ts
 * epochResult({ lossSum: 3, instances: 6, batches: 2, aborted: false }).loss; //=> 0.5
 * ```
 */
export function epochResult(totals: EpochTotals): EpochResult {
  const { lossSum, instances, batches, aborted } = totals;
  return { loss: instances > 0 ? lossSum / instances : NaN, instances, batches, aborted };
}
