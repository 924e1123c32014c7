// The fused kernel's step for each loss, for the one epoch loop (../epoch-loop.ts): gradients and
// the batch's mean loss; the loop applies the update (kernel.apply) once the loss passed its checks.
import type { LossSteps } from '../epoch-loop.js';
import type { FusedKernel } from './kernel.js';

/**
 * The kernel's BCE and BPR gradient steps over sampler batches.
 *
 * @param kernel - the kernel (weights in its store)
 * @returns the steps, each returning the batch's mean loss
 * @example
 * ```ts
 * await runEpochLoop({ ...sampledEpoch(sampler, 'bce', spec, kernelSteps(kernel)), apply: () => kernel.apply(++step), divergence });
 * ```
 */
export function kernelSteps(kernel: FusedKernel): LossSteps<number> {
  return {
    bce: (b) => kernel.gradientsBce(b.users, b.items, b.labels, b.weights),
    bpr: (b) => kernel.gradientsBpr(b.users, b.positives, b.negatives, b.weights),
  };
}
