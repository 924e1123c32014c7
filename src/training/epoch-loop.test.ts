import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isRecsysError, RecsysError } from '../errors.js';
import { thrown } from '../../test/helpers/recsys-error.js';
import { NegativeSampler, type Batch, type PairBatch } from '../sampling/index.js';
import {
  DIVERGED_LOSS,
  epochResult,
  everyBatch,
  mergeTotals,
  runEpochLoop,
  sampledEpoch,
  throttled,
  type DivergenceContext,
} from './epoch-loop.js';

const divergence: DivergenceContext = { loss: 'bce', epoch: 2, learningRate: 0.5 };

/** Batches of the given sizes (users 0..size-1), each tagged with its position. */
function batchesOf(sizes: number[]): { users: Int32Array; at: number }[] {
  return sizes.map((size, at) => ({ users: new Int32Array(size), at }));
}

/** What `promise` rejected with, which must be a RecsysError. */
async function rejection(promise: Promise<unknown>): Promise<RecsysError> {
  const error = await thrown(() => promise);
  expect(error).toBeInstanceOf(RecsysError);
  return error as RecsysError;
}

describe('runEpochLoop', () => {
  it('sums loss x size, instances and batches exactly as a hand sum', async () => {
    const losses = [0.5, 1.25, 2];
    const totals = await runEpochLoop({ batches: batchesOf([3, 2, 4]), step: (b) => losses[b.at], divergence });
    // 0.5*3 + 1.25*2 + 2*4 = 1.5 + 2.5 + 8
    expect(totals).toEqual({ lossSum: 12, instances: 9, batches: 3, aborted: false });
    expect(epochResult(totals)).toEqual({ loss: 12 / 9, instances: 9, batches: 3, aborted: false });
    expect(epochResult({ lossSum: 0, instances: 0, batches: 0, aborted: true }).loss).toBeNaN();
  });

  it('gives the same totals for a synchronous and an asynchronous step (property)', async () => {
    const batch = fc.record({ loss: fc.double({ min: 0, max: DIVERGED_LOSS, noNaN: true }), size: fc.integer({ min: 1, max: 40 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { maxLength: 30 }), async (rows) => {
        const batches = batchesOf(rows.map((r) => r.size));
        let lossSum = 0;
        for (const r of rows) lossSum += r.loss * r.size;
        const expected = { lossSum, instances: rows.reduce((s, r) => s + r.size, 0), batches: rows.length, aborted: false };
        expect(await runEpochLoop({ batches, step: (b) => rows[b.at].loss, divergence })).toEqual(expected);
        expect(await runEpochLoop({ batches, step: async (b) => rows[b.at].loss, divergence })).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('checks abort before every batch: stops between batches, never runs the next step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 }), async (stopAfter) => {
        const stepped: number[] = [];
        const applied: number[] = [];
        const totals = await runEpochLoop({
          batches: batchesOf([2, 2, 2, 2, 2, 2]),
          step: (b) => (stepped.push(b.at), 1),
          apply: () => void applied.push(stepped.length - 1),
          aborted: () => stepped.length >= stopAfter,
          divergence,
        });
        expect(stepped).toEqual([...Array(stopAfter).keys()]);
        expect(applied).toEqual(stepped);
        expect(totals).toEqual({ lossSum: 2 * stopAfter, instances: 2 * stopAfter, batches: stopAfter, aborted: stopAfter < 6 });
      }),
    );
  });

  it.each([
    [NaN, 'NaN', ''],
    [Infinity, 'Infinity', ''],
    [1e7, '10000000', ` (above ${DIVERGED_LOSS}: the logits have left any useful range)`],
  ])('throws TRAINING_DIVERGED on a batch loss of %s, naming loss, epoch, batch and learning rate, before applying it', async (bad, shown, why) => {
    const applied: number[] = [];
    const losses = [0.7, 0.6, bad, 0.5];
    const error = await rejection(
      runEpochLoop({ batches: batchesOf([1, 1, 1, 1]), step: (b) => losses[b.at], apply: () => void applied.push(applied.length), divergence }),
    );
    expect(isRecsysError(error, 'TRAINING_DIVERGED')).toBe(true);
    expect(error.message).toBe(`training diverged: the bce loss is ${shown}${why} at epoch 2, batch 2, learning rate 0.5; try a smaller one`);
    expect(error.details).toMatchObject({ epoch: 2, batch: 2, learningRate: 0.5 });
    expect(applied).toEqual([0, 1]);
  });

  it('scales the bound by a weighted batch mean confidence (a large weightScale is not divergence)', async () => {
    // confidences 1 and 3e7 (mean 15000000.5): a loss of 1e12 is fine, one of 1e14 is not
    const weights = Float32Array.of(1, 3e7);
    const batches = [{ users: Int32Array.of(0, 1), weights }];
    const ok = await runEpochLoop({ batches, step: () => 1e12, divergence });
    expect(ok.batches).toBe(1);
    const error = await rejection(runEpochLoop({ batches, step: () => 1e14, divergence }));
    expect(isRecsysError(error, 'TRAINING_DIVERGED')).toBe(true);
    expect(error.message).toContain(`above ${DIVERGED_LOSS} x the batch's mean confidence 15000000.5:`);
    // unweighted batches keep the plain bound
    await expect(runEpochLoop({ batches: [{ users: Int32Array.of(0, 1) }], step: () => 1e12, divergence })).rejects.toThrow(/above 1000000:/);
  });

  it('accepts a loss of exactly the limit, names a worker and what diverged when told', async () => {
    const ok = await runEpochLoop({ batches: batchesOf([1]), step: () => DIVERGED_LOSS, divergence });
    expect(ok.lossSum).toBe(DIVERGED_LOSS);
    const context = { what: 'fold-in', loss: 'bpr', epoch: 0, learningRate: 1e6, shard: { index: 1, count: 2 } };
    const error = await rejection(runEpochLoop({ batches: batchesOf([1]), step: async () => -Infinity, divergence: context }));
    expect(error.message).toBe('fold-in diverged: the bpr loss is -Infinity at epoch 0, batch 0 of worker 2/2, learning rate 1000000; try a smaller one');
    expect(error.details).toMatchObject({ worker: 1 });
  });

  it('reports every batch in order on one thread, awaiting a returned promise before the next step', async () => {
    const events: string[] = [];
    const totals = await runEpochLoop({
      batches: batchesOf([3, 1, 2]),
      step: (b) => (events.push(`step ${b.at}`), b.at + 0.5),
      progress: everyBatch(async (index, logs) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        events.push(`batch ${index} ${logs.loss} ${logs.size}`);
      }),
      divergence,
    });
    expect(events).toEqual(['step 0', 'batch 0 0.5 3', 'step 1', 'batch 1 1.5 1', 'step 2', 'batch 2 2.5 2']);
    expect(totals.batches).toBe(3);
    expect(everyBatch(undefined)).toBeUndefined();
  });

  it('throttled progress reports every N batches and the rest at the end, counts summing to the batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 1, max: 7 }), async (count, every) => {
        const reports: [number, number, number][] = [];
        const sizes = Array.from({ length: count }, (_, i) => 1 + (i % 3));
        await runEpochLoop({
          batches: batchesOf(sizes),
          step: (b) => b.at,
          progress: throttled((n, loss, size) => void reports.push([n, loss, size]), { batches: every, ms: Infinity }),
          divergence,
        });
        const expected: [number, number, number][] = [];
        for (let end = every; end <= count; end += every) expected.push([every, end - 1, sizes[end - 1]]);
        if (count % every > 0) expected.push([count % every, count - 1, sizes[count - 1]]);
        expect(reports).toEqual(expected);
      }),
    );
  });

  it('throttled progress reports by time too', async () => {
    const reports: number[] = [];
    await runEpochLoop({ batches: batchesOf([1, 1, 1]), step: () => 1, progress: throttled((n) => void reports.push(n), { batches: 100, ms: 0 }), divergence });
    expect(reports).toEqual([1, 1, 1]);
  });

  it('yields to the event loop when asked, so a timer can abort a synchronous epoch', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const endless = (function* () {
      for (;;) yield { users: Int32Array.of(0) };
    })();
    const totals = await runEpochLoop({
      batches: endless,
      step: () => {
        const until = performance.now() + 0.2;
        while (performance.now() < until);
        return 1;
      },
      aborted: () => controller.signal.aborted,
      yieldEveryMs: 2,
      divergence,
    });
    expect(totals.aborted).toBe(true);
    expect(totals.batches).toBeGreaterThan(0);
  });

  it('runs BCE and BPR through the same path: the sampler batches for the loss, each with its step', async () => {
    const data = { users: Int32Array.of(0, 0, 1, 2, 2, 3), items: Int32Array.of(1, 4, 2, 0, 5, 3), numUsers: 4, numItems: 6 };
    const sampler = new NegativeSampler(data, { seed: 3 });
    const spec = { batchSize: 4, negativesPerPositive: 2, epoch: 1 };
    for (const loss of ['bce', 'bpr'] as const) {
      const seen: { kind: string; users: number[]; other: number[] }[] = [];
      const steps = {
        bce: (b: Batch) => (seen.push({ kind: 'bce', users: [...b.users], other: [...b.items] }), 0.25),
        bpr: (b: PairBatch) => (seen.push({ kind: 'bpr', users: [...b.users], other: [...b.negatives] }), 0.25),
      };
      const totals = await runEpochLoop({ ...sampledEpoch(sampler, loss, spec, steps), divergence });
      const own = loss === 'bpr' ? [...sampler.pairBatches(spec)].map((b) => [...b.negatives]) : [...sampler.batches(spec)].map((b) => [...(b as Batch).items]);
      expect(seen.map((s) => s.kind)).toEqual(own.map(() => loss));
      expect(seen.map((s) => s.other)).toEqual(own);
      // BCE: each positive and its 2 negatives; BPR: one pair per negative
      expect(totals.instances).toBe(loss === 'bpr' ? 6 * 2 : 6 * 3);
      expect(totals.lossSum).toBe(0.25 * totals.instances);
    }
  });
});

describe('mergeTotals', () => {
  it("sums the shards' totals; aborted when any shard was", () => {
    const a = { lossSum: 1.5, instances: 3, batches: 1, aborted: false };
    const b = { lossSum: 2, instances: 4, batches: 2, aborted: true };
    expect(mergeTotals([a, b])).toEqual({ lossSum: 3.5, instances: 7, batches: 3, aborted: true });
    expect(mergeTotals([a])).toEqual(a);
    expect(mergeTotals([])).toEqual({ lossSum: 0, instances: 0, batches: 0, aborted: false });
  });
});
