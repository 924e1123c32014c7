// The JSON result file of bench/reproduce-ml1m.ts (schema neural-recsys/reproduce-ml1m@1), and
// the paper's figures it is compared with.

export type ModelName = 'gmf' | 'mlp' | 'neumf' | 'neumf-pre';
export type Optimizer = 'adam' | 'sgd';

export interface Metrics {
  hr: number;
  ndcg: number;
}

export interface EpochPoint {
  /** -1: before training (after pretraining for NeuMF-pre). */
  epoch: number;
  loss?: number;
  /** Training seconds of this epoch (sampling included, evaluation excluded). */
  seconds?: number;
  instancesPerSecond?: number;
  /** Test HR@10 / NDCG@10, pessimistic ties. */
  test: Metrics;
  /** Test HR@10 / NDCG@10, optimistic ties (equal scores count for the test item). */
  testOptimistic: Metrics;
  /** Validation HR@10 / NDCG@10 (absent with --no-holdout). */
  val?: Metrics;
  /** Seconds the evaluation of this point took. */
  evalSeconds: number;
}

export interface Selection {
  epoch: number;
  hr: number;
  ndcg: number;
  /** Validation HR at that epoch (val selection). */
  valHr?: number;
}

export interface RunRecord {
  id: string;
  model: ModelName;
  /** The variant shown in tables: gmf, mlp, neumf, neumf-pre-sgd, neumf-pre-adam. */
  variant: string;
  optimizer: Optimizer;
  factor: number;
  layers?: number[];
  seed: number;
  /** 'running' in a file still being written, or left by a process that died without cleanup. */
  status: 'running' | 'complete' | 'cut';
  epochsPlanned?: number;
  /** Settings that differ from the protocol (e.g. 'lr0.003'); such runs are ablations. */
  tag?: string;
  engine?: string;
  engineReason?: string;
  holdout: boolean;
  pretrainedFrom?: { gmf: string; mlp: string; checkpoint: string; gmfEpoch: number; mlpEpoch: number };
  startedAt: string;
  finishedAt?: string;
  /** Sum of the epochs' training seconds. */
  trainSeconds: number;
  /** Sum of evaluation seconds (test + optimistic test + validation, every point). */
  evalSeconds: number;
  wallSeconds: number;
  curve: EpochPoint[];
  selection?: { byTest: Selection; byVal?: Selection };
}

export interface ResultFile {
  schema: 'neural-recsys/reproduce-ml1m@1';
  command: string;
  createdAt: string;
  updatedAt: string;
  machine: { nproc: number; cpu: string; node: string; platform: string; tfjsBackend: string; loadAverageAtStart: number[] };
  /** git HEAD, and whether src/ had uncommitted changes when the file was started. */
  code: { head: string; srcDirty: string[] };
  settings: {
    dataDir: string;
    epochs: number;
    batchSize: number;
    negatives: number;
    learningRate: number;
    engine: string;
    threads: number;
    limitUsers: number | null;
    holdout: boolean;
    validationNegatives: number;
    pretrainCheckpoint: string;
    alpha: number;
    /** `--alphas`: the pretrained combinations evaluated, no training. */
    alphas?: number[];
    /** `--pre-lr`: NeuMF-pre's own learning rate, when not `learningRate`. */
    preLearningRate?: number;
    /** `--keep-every-epoch`: the GMF/MLP weights of every epoch were kept. */
    keepEveryEpoch?: boolean;
  };
  data: { users: number; items: number; trainPositives: number; trainedPositives: number; validation: number; test: number; droppedSelfNegatives: number };
  runs: RunRecord[];
}

// ---------------------------------------------------------------------------------------------
// The paper's figures (Table 2 at factor 8; Table 3 / Figure for NeuMF with pretraining by factor)

export const PAPER: Record<string, Metrics> = {
  'mlp-f8': { hr: 0.671, ndcg: 0.399 },
  'neumf-f8': { hr: 0.688, ndcg: 0.41 },
  'neumf-pre-f8': { hr: 0.684, ndcg: 0.403 },
  'neumf-pre-f16': { hr: 0.707, ndcg: 0.426 },
  'neumf-pre-f32': { hr: 0.726, ndcg: 0.445 },
  'neumf-pre-f64': { hr: 0.73, ndcg: 0.447 },
};

export function paperFigure(variant: string, factor: number): Metrics | undefined {
  const base = variant.startsWith('neumf-pre') ? 'neumf-pre' : variant;
  return PAPER[`${base}-f${factor}`];
}
