// Messages between the page (main.ts) and the training worker (worker.ts).

/** One epoch of training, as the curves show it. */
export interface EpochPoint {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss. */
  loss: number;
  /** Validation HR@10 (sampled, 99 negatives). */
  hr: number;
  /** Validation NDCG@10. */
  ndcg: number;
}

/** Test metrics of the model and of the popularity baseline (same protocol, same negatives). */
export interface TestMetrics {
  hr: number;
  ndcg: number;
  popularityHr: number;
  popularityNdcg: number;
}

/** One recommended item. */
export interface ShownItem {
  item: number;
  score: number;
  /** Whether the item is in the group this user secretly likes (the synthetic data's planted truth). */
  liked: boolean;
}

export type ToWorker =
  | { type: 'start'; retrain: boolean }
  | { type: 'recommend'; user: number };

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'setup'; backend: string; engine: string; numUsers: number; numItems: number; interactions: number; epochs: number; batchesPerEpoch: number }
  | { type: 'batch'; epoch: number; batch: number; loss: number }
  | { type: 'epoch'; point: EpochPoint; seconds: number }
  | { type: 'ready'; source: 'trained' | 'indexeddb'; metrics: TestMetrics; bestEpoch: number | null; seconds: number; saved: string }
  | { type: 'recommendations'; user: number; items: ShownItem[]; seen: ShownItem[] }
  | { type: 'error'; message: string };
