// A fast gradient for tf.gather (kernel GatherV2), the op behind every embedding lookup.
//
// Why: tfjs 4.22 differentiates GatherV2 with unsortedSegmentSum. Its cpu kernel loops over every
// row of the table for every step (an ML-1M NeuMF trains at about 17 instances/s), and the wasm
// backend has no UnsortedSegmentSum kernel at all, so training an embedding model there fails.
// The gradient of a row lookup only touches the rows the batch used: scatterND writes exactly those
// rows (summing duplicates, which the cpu and wasm ScatterNd kernels do) into a zero table. The
// result is the same tensor; only the cost changes.
//
// How: the override replaces the registered GatherV2 gradient in tfjs's global registry (shared by
// every copy of tfjs-core in the process). It handles the embedding case (axis 0, batchDims 0) on
// the cpu and wasm backends and delegates everything else to the gradient it replaced, so other
// uses of tf.gather behave exactly as before. Other backends keep the stock gradient on purpose:
// webgl/webgpu and tfjs-node have a native UnsortedSegmentSum kernel, and webgl's ScatterNd shader
// loops over every update for every output element, so there is nothing to win there.
// It is installed lazily (the Embedding builder and the training loop call it), never at import
// time, because the package declares `sideEffects: false`.
//
// The "Overriding the gradient for 'GatherV2'" warning: tfjs prints it from registerGradient when a
// gradient is already registered and the DEBUG flag is on. We unregister the original first, so the
// replacement is a fresh registration and no warning is printed in any mode.
import * as tf from '@tensorflow/tfjs';
import { RecsysError } from '../errors.js';

const KERNEL = 'GatherV2';
// Symbol.for, not a module-local Symbol: two bundled copies of this library share tfjs's registry,
// and each must see that the other already installed the override.
const MARK = Symbol.for('neural-recsys.fastGatherGradient');

// Backends whose ScatterNd kernel sums duplicate indices in one pass over the updates (checked by
// the tests) and whose stock path is slow (cpu) or missing (wasm).
const FAST_BACKENDS = new Set(['cpu', 'wasm']);

type MarkedGradConfig = tf.GradConfig & { [MARK]?: true };

/**
 * Replaces tfjs's gradient of `tf.gather` along axis 0 (the embedding lookup) with a scatter-add of
 * the batch's rows, so training embedding models is fast on the cpu backend and possible on wasm.
 * Gradients are unchanged (the same sums, duplicates included); other gather calls (axis != 0,
 * batchDims != 0) and other backends (webgl, webgpu, tfjs-node, which have fast native kernels)
 * still use tfjs's own gradient. Idempotent and cheap: call it before training any model that was
 * not built by this library's builders (they call it themselves), e.g. one from tf.loadLayersModel.
 *
 * @returns nothing; the override stays installed for the life of the process
 * @example
 * ```ts
 * ensureFastGatherGradient();
 * const table = tf.variable(tf.zeros([1000, 8]));
 * const g = tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([3, 3, 7], 'int32')).sum());
 * g(table).slice([3, 0], [1, 1]).dataSync()[0]; //=> 2
 * ```
 */
export function ensureFastGatherGradient(): void {
  const current = tf.getGradient(KERNEL) as MarkedGradConfig | undefined;
  if (current?.[MARK] === true) return;
  const original = current;

  const config: MarkedGradConfig = {
    kernelName: KERNEL,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const [x, indices] = saved;
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims?: number };
      const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
      const handled =
        FAST_BACKENDS.has(tf.getBackend()) && !Array.isArray(dy) && parsedAxis === 0 && (batchDims ?? 0) === 0 && indices.size > 0;
      if (!handled) {
        if (original === undefined) {
          throw new RecsysError(
            'UNSUPPORTED_RUNTIME',
            `no gradient for tf.gather with axis ${show(axis)} and batchDims ${show(batchDims)} in this tfjs build`,
            { axis, batchDims },
          );
        }
        return original.gradFunc(dy, saved, attrs);
      }
      const rows = indices.size;
      return {
        x: () =>
          tf.tidy(() =>
            tf.scatterND(
              tf.reshape(indices, [rows, 1]),
              tf.reshape(dy as tf.Tensor, [rows, ...x.shape.slice(1)]),
              x.shape,
            ),
          ),
        // Mirrors tfjs's own GatherV2 gradient: indices are integers, never differentiated.
        indices: () => indices,
      };
    },
    [MARK]: true,
  };

  if (current !== undefined) tf.unregisterGradient(KERNEL);
  tf.registerGradient(config);
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : String(value);
}
