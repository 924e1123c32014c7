// Scoring by a dot product of user and item factor rows (ALS and MF), optionally plus biases.
import { BaseScorer, type BaselineScorer } from './scorer.js';

/** A baseline that scores by user and item factor rows: `fitALS` and `fitMF` (whose factors are the embeddings `p` and `q`). */
export interface FactorBaselineScorer extends BaselineScorer {
  /** User factors, row-major `numUsers x factors`. */
  readonly userFactors: Float64Array;
  /** Item factors, row-major `numItems x factors`. */
  readonly itemFactors: Float64Array;
}

/** Internal: a Scorer over factor matrices, score(u, i) = bias + userBias[u] + itemBias[i] + X[u] . Y[i]. */
export abstract class FactorScorer extends BaseScorer {
  constructor(
    numUsers: number,
    numItems: number,
    readonly factors: number,
    readonly userFactors: Float64Array,
    readonly itemFactors: Float64Array,
    private readonly biases: { global: Float64Array; user: Float64Array; item: Float64Array } | null,
  ) {
    super(numUsers, numItems);
  }

  protected scoreRow(user: number, row: Float32Array): void {
    for (let i = 0; i < this.numItems; i++) row[i] = this.score(user, i);
  }

  protected override scoreSome(user: number, items: Int32Array, out: Float32Array): void {
    for (let t = 0; t < items.length; t++) out[t] = this.score(user, items[t]);
  }

  private score(u: number, i: number): number {
    const f = this.factors;
    const X = this.userFactors;
    const Y = this.itemFactors;
    let s = 0;
    const a = u * f;
    const b = i * f;
    for (let k = 0; k < f; k++) s += X[a + k] * Y[b + k];
    if (this.biases !== null) s += this.biases.global[0] + this.biases.user[u] + this.biases.item[i];
    return s;
  }
}
