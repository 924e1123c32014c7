// The messages between `recommendAll` and its score workers (score-worker.ts). Plain data only:
// typed arrays and objects of them, which postMessage clones (or transfers, for the replies).
import type { NcfWeights } from './scorer-fast.js';

/** Sets a worker up for one call: its own fast scorer over a copy of the weights, K, the candidates. */
export interface ScoreInit {
  readonly type: 'init';
  readonly weights: NcfWeights;
  readonly k: number;
  /** Ascending, distinct item indices, or undefined for every item. */
  readonly candidates: Int32Array | undefined;
}

/** Ranks one chunk of users (its excluded items by row, CSR). */
export interface ScoreChunk {
  readonly type: 'chunk';
  /** The chunk's number in the call, echoed in the reply. */
  readonly id: number;
  readonly users: Int32Array;
  readonly seenOffsets: Int32Array | undefined;
  readonly seenItems: Int32Array | undefined;
}

export type ScoreRequest = ScoreInit | ScoreChunk;

export type ScoreReply =
  | { readonly type: 'ready'; readonly kernel: 'wasm-simd' | 'js' }
  | { readonly type: 'ranked'; readonly id: number; readonly items: Int32Array; readonly scores: Float32Array; readonly counts: Int32Array }
  | { readonly type: 'error'; readonly message: string; readonly code: string | undefined };
