// `--alphas`: NeuMF-pre's pretrained combination itself, without further training, for each alpha
// of pretrainedNeuMF (the weight of GMF's output layer; MLP's gets 1 - alpha). One run per alpha,
// whose curve is the single point before training (epoch -1): test, and validation in a hold-out
// run. Which GMF and MLP epochs it combines is --pretrain-checkpoint's choice, as for NeuMF-pre.
import { pretrainedNeuMF } from '../../src/models/index.js';
import type { Args } from './args.js';
import { validationNegatives, type Prepared } from './data.js';
import { evaluatePoint } from './evaluate.js';
import { startRun, type Current, type Writer } from './record.js';
import { layersOf, pretrainedParts, settingsTag, type RunSpec } from './run.js';
import type { RunRecord } from './types.js';

/**
 * The tag of the combination at `alpha`: the alpha, then the settings that name the GMF and MLP it
 * combines (settingsTag's: checkpoint, MLP L2, learning rate, ...; not NeuMF-pre's own learning
 * rate, nothing is trained), e.g. `alpha0.5-pre-test`.
 */
function combinationTag(args: Args, alpha: number): string {
  const settings = settingsTag({ ...args, alpha: 0.5, preLearningRate: null }, 'neumf-pre');
  return settings === '' ? `alpha${alpha}` : `alpha${alpha}-${settings}`;
}

/** The id of the combination at `alpha`: `neumf-pre-combo-f32-s1[-full]-alpha0.5[-pre-test]`. */
export function combinationId(spec: RunSpec, args: Args, alpha: number): string {
  return `neumf-pre-combo-f${spec.factor}-s${spec.seed}${args.holdout ? '' : '-full'}-${combinationTag(args, alpha)}`;
}

/** Evaluates the pretrained combination of `spec`'s GMF and MLP at every alpha of `args.alphas`. */
export function runCombinations(spec: RunSpec, args: Args, p: Prepared, writer: Writer, current: Current): void {
  const parts = pretrainedParts(spec, args, p, combinationId(spec, args, args.alphas?.[0] ?? 0.5));
  if (parts === null) return;
  const valNegatives = args.holdout ? validationNegatives(p, spec.seed, 99) : null;
  const f = parts.pretrainedFrom;
  console.log(`combinations of ${f.gmf} (${f.checkpoint}: epoch ${f.gmfEpoch}) and ${f.mlp} (epoch ${f.mlpEpoch})`);
  try {
    for (const alpha of args.alphas ?? []) {
      const id = combinationId(spec, args, alpha);
      const run: RunRecord = {
        id,
        model: 'neumf-pre',
        variant: 'neumf-pre-combo',
        // not trained: the optimizer field names none of the two NeuMF-pre trainings
        optimizer: 'sgd',
        factor: spec.factor,
        layers: layersOf(spec.factor),
        seed: spec.seed,
        status: 'running',
        epochsPlanned: 0,
        tag: combinationTag(args, alpha),
        holdout: args.holdout,
        pretrainedFrom: parts.pretrainedFrom,
        startedAt: new Date().toISOString(),
        trainSeconds: 0,
        evalSeconds: 0,
        wallSeconds: 0,
        curve: [],
      };
      const model = pretrainedNeuMF(parts.gmf, parts.mlp, { alpha });
      const runWriter = startRun(writer, current, run, (point) => {
        const v = point.val ? ` val HR ${point.val.hr.toFixed(4)} NDCG ${point.val.ndcg.toFixed(4)}` : '';
        console.log(`${id}: test HR ${point.test.hr.toFixed(4)} NDCG ${point.test.ndcg.toFixed(4)}${v} eval ${point.evalSeconds}s`);
      });
      runWriter.record({ epoch: -1, ...evaluatePoint(model, p, valNegatives) });
      runWriter.finish();
      model.dispose();
    }
  } finally {
    parts.gmf.dispose();
    parts.mlp.dispose();
  }
}
