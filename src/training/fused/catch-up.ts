// Dense-Adam semantics for the embedding tables at lazy-Adam cost: the steps a row sat out are
// applied when it is next touched (and to every row at the end of an epoch), in O(row width) time
// whatever the length of the gap. No tfjs here: worker threads import this file.
//
// The closed form and its error: catch-up-rule.ts (docs/fused-engine.md has the derivation).
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optimizer.js';
import { catchUpTables, EXACT_BELOW, gaussRule, MAX_POWER, power, type Rule, type Tables } from './catch-up-rule.js';
import type { ParamLayout } from './layout.js';
import type { SimdJump } from './catch-up-wasm.js';

const BETA1 = ADAM_BETA1;
const BETA2 = ADAM_BETA2;
const EPSILON = ADAM_EPSILON;

/**
 * Moments below these are stored as 0 by a catch-up (a first moment of 1e-30 moves its weight by at
 * most lr·1e-23; a root-mean-square of 1e-15, a second moment of 1e-30, changes sqrt(v) + eps by
 * 1e-8 of eps): it keeps long-idle rows out of float32's subnormal range, where every read and
 * multiply is many times slower.
 */
const TINY = 1e-30;
const TINY_RMS = 1e-15;
const ROOT_BETA2 = Math.sqrt(BETA2);

/**
 * Brings embedding rows up to date with dense Adam: applies the zero-gradient steps a row sat out,
 * as tfjs's Adam would have. Per row r (users first, then items, then side-feature rows: `layout.tableRows`) it keeps two steps in `rowSteps`,
 * side by side (one cache line): at [2r] the step a catch-up last brought its weights to, at
 * [2r + 1] the step its moments are from, which is also the step of the optimizer's last update of
 * the row; its weights are up to date as of the later of the two (0 = never updated: its moments
 * are 0 and it does not move).
 *
 * Two ways in. {@link user} / {@link item} / {@link all} bring weights and moments up to a step
 * (the end of an epoch). The kernel's hot path splits the work instead: {@link readUser} /
 * {@link readItem}, before a batch reads a row, move only its weights (the moments are read, not
 * written), and {@link touch}, when the optimizer updates the row, hands it the decay factors of
 * every step since its moments' step, which the optimizer folds into its own update of the moments
 * (one pass over m and v per row and step instead of two). Between the two a row's moments lag
 * behind its weights; a catch-up that meets such a row (another thread's, Hogwild) decays the
 * moments it reads by the lag first.
 *
 * Thread safety (Hogwild): a thread claims a row's gap by storing the target in the row's weight
 * step before applying it, so a thread that comes later finds nothing to do. The load and the store
 * are plain, as every other Hogwild access: two threads that read the same row within the few
 * nanoseconds between them both apply the gap (the row moves twice over it), a race of the same
 * kind and rarity as two threads' lost updates of a row. A compare-and-swap closed it and cost 2-3%
 * of the 2-thread instances per second (bench/throughput-ab.ts).
 */
export class RowCatchUp {
  private readonly tab: Tables;
  private readonly rule: Rule = { w1: 0, k1: 0, w2: 0, k2: 0, d1: 1, d2: 1 };
  /** Rules per gap (w1, k1, w2, k2, d1, d2) for the target step in `cacheStamp[gap]`. */
  private readonly cache = new Float64Array((MAX_POWER + 1) * 6);
  private readonly cacheStamp = new Int32Array(MAX_POWER + 1).fill(-1);
  /** Table rows (users + items). */
  private readonly numRows: number;
  /** Width of a row's MLP part. */
  private readonly mlpWidth: number;
  /** β1^n for n = 0 .. 1,024 (the optimizer's decay factors, see {@link touch}). */
  readonly beta1Powers: Float64Array;
  /** β2^n for n = 0 .. 1,024. */
  readonly beta2Powers: Float64Array;

  /**
   * @param layout - where the tables live
   * @param params - weights
   * @param m - Adam's first moments (same layout)
   * @param rms - the square roots of Adam's second moments (see store.ts)
   * @param rowSteps - per row (users, items, side-feature rows) the weights' and the moments' step
   *   (2 × `layout.tableRows` entries)
   * @param learningRate - Adam's step size
   * @param simd - the jump in WebAssembly on the memory `params`, `m` and `rms` live in (as store.ts lays
   *   them out), or null for the JS jump
   */
  constructor(
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    private readonly m: Float32Array,
    private readonly rms: Float32Array,
    readonly rowSteps: Int32Array,
    private readonly learningRate: number,
    private readonly simd: SimdJump | null = null,
  ) {
    this.tab = catchUpTables();
    this.beta1Powers = this.tab.rhoPow[0];
    this.beta2Powers = this.tab.beta2Pow;
    this.numRows = layout.tableRows;
    this.mlpWidth = layout.mlpWidth;
    if (rowSteps.length < 2 * this.numRows) throw new TypeError('RowCatchUp: rowSteps is too short');
  }

  /** Brings user `u`'s weights and moments up to step `target` (no-op when it is there already). */
  user(u: number, target: number): void {
    this.full(u, target);
  }

  /** Brings item `i`'s weights and moments up to step `target`. */
  item(i: number, target: number): void {
    this.full(this.layout.numUsers + i, target);
  }

  /** Brings every row up to step `target` (end of an epoch: cost proportional to the tables, once). */
  all(target: number): void {
    for (let r = 0; r < this.numRows; r++) this.full(r, target);
  }

  /** Brings user `u`'s weights up to step `target` (its moments stay behind: see {@link touch}). */
  readUser(u: number, target: number): void {
    const L = this.layout;
    this.readRow(u, target, L.gmfUser + u * L.factors, L.mlpUser + u * this.mlpWidth);
  }

  /** Brings item `i`'s weights up to step `target`. */
  readItem(i: number, target: number): void {
    const L = this.layout;
    this.readRow(L.numUsers + i, target, L.gmfItem + i * L.factors, L.mlpItem + i * this.mlpWidth);
  }

  /**
   * Brings the weights of row `r` (any table: the row numbering of `layout.tableRows`), whose GMF
   * and MLP parts start at `gmfAt` and `mlpAt`, up to step `target`.
   */
  readRow(r: number, target: number, gmfAt: number, mlpAt: number): void {
    const t = this.claim(r, target);
    if (t <= 0) return;
    this.move(r, t, target, gmfAt, this.layout.factors, mlpAt, this.mlpWidth);
  }

  /**
   * The optimizer updates row `r` at `step`: marks the row (weights and moments) as being at
   * `step`, never moving its step backwards, and returns n, the steps since its moments were last
   * updated (1 when it was updated at the step before): the update multiplies the old moments by
   * β1^n and β2^n ({@link beta1Powers}, {@link beta2Powers}; Math.pow beyond them).
   * Steps other threads took between this batch reading the row and this update only decay its
   * moments (they count as part of the stale window Hogwild already has between a read and a
   * write; the motion dense Adam would give the row over them is not applied). One plain store: a
   * reader that misses it by a hair applies one zero-gradient step too many, Hogwild noise.
   */
  touch(r: number, step: number): number {
    const steps = this.rowSteps;
    const at = 2 * r + 1;
    const from = steps[at];
    if (from >= step) return 1;
    steps[at] = step;
    return from > 0 ? step - from : 1;
  }

  /**
   * Claims the gap of row `r`'s weights up to `target`.
   *
   * @returns the step the row's weights are at when this thread must apply steps last+1..target,
   *   0 or less when there is nothing to do (never updated, or already there: another thread may
   *   have claimed it)
   */
  private claim(r: number, target: number): number {
    const steps = this.rowSteps;
    const w = steps[2 * r];
    const m = steps[2 * r + 1];
    const t = w > m ? w : m;
    if (t >= target) return 0;
    steps[2 * r] = target;
    return t;
  }

  /** Weights and moments of row `r` (table row index) up to `target`. */
  private full(r: number, target: number): void {
    const L = this.layout;
    const [at1, at2] = this.rowAt(r);
    const n1 = L.factors;
    const n2 = this.mlpWidth;
    const steps = this.rowSteps;
    const t = this.claim(r, target);
    if (t > 0) this.move(r, t, target, at1, n1, at2, n2);
    // the moments: from their own step (which lags behind the weights' between a read and the
    // optimizer's update of the row) to the target, unless another thread is already further
    const mAt = 2 * r + 1;
    const tm = steps[mAt];
    if (tm <= 0 || tm >= target) return;
    steps[mAt] = target;
    const n = target - tm;
    const d1 = power(this.tab.rhoPow[0], BETA1, n);
    // v decays by β2^n, so its root by β2^(n/2)
    const e2 = Math.sqrt(power(this.tab.beta2Pow, BETA2, n));
    if (n1 > 0) this.decay(at1, n1, d1, e2);
    if (n2 > 0) this.decay(at2, n2, d1, e2);
  }

  /** Where row `r`'s GMF and MLP parts start: a user's, an item's, or a side-feature field's row. */
  private rowAt(r: number): [number, number] {
    const L = this.layout;
    const F = L.factors;
    const M = this.mlpWidth;
    if (r < L.numUsers) return [L.gmfUser + r * F, L.mlpUser + r * M];
    const i = r - L.numUsers;
    if (i < L.numItems) return [L.gmfItem + i * F, L.mlpItem + i * M];
    for (const f of L.fields) {
      const v = r - f.first;
      if (v >= 0 && v < f.rows) return [f.gmf + v * F, f.mlp + v * M];
    }
    throw new RangeError(`RowCatchUp: row ${r} is beyond the tables' ${L.tableRows} rows`);
  }

  /**
   * Moves the weights of row `r` (its GMF and MLP parts) over the zero-gradient steps t+1..T; the
   * moments are read as of step t (decayed from their own step first when they lag behind).
   */
  private move(r: number, t: number, T: number, at1: number, n1: number, at2: number, n2: number): void {
    const tm = this.rowSteps[2 * r + 1];
    // moments as of step t: c1 M and c2 V, V = rms² (c = 1 unless the row is between a read and its update)
    const lag = tm > 0 && tm < t ? t - tm : 0;
    let c1 = lag === 0 ? 1 : power(this.tab.rhoPow[0], BETA1, lag);
    let c2 = lag === 0 ? 1 : power(this.tab.beta2Pow, BETA2, lag);
    let s = t;
    if (s < EXACT_BELOW) {
      const end = T < EXACT_BELOW ? T : EXACT_BELOW;
      const root = c2 === 1 ? 1 : Math.sqrt(c2);
      if (n1 > 0) this.replay(at1, n1, s, end, c1, root);
      if (n2 > 0) this.replay(at2, n2, s, end, c1, root);
      // the moments as of step `end`, for the rest of the gap
      const k = end - s;
      c1 *= this.tab.rhoPow[0][k];
      c2 *= this.tab.beta2Pow[k];
      s = end;
    }
    if (s >= T) return;
    const rule = this.ruleFor(s, T);
    const lr = this.learningRate;
    const root = c2 === 1 ? 1 : Math.sqrt(c2);
    const s1 = lr * rule.w1 * c1;
    const s2 = lr * rule.w2 * c1;
    const k1 = rule.k1 * root;
    const k2 = rule.k2 * root;
    if (this.simd !== null) {
      this.simd.jump(at1, n1, at2, n2, s1, k1, s2, k2, EPSILON);
      return;
    }
    if (n1 > 0) this.jump(at1, n1, s1, k1, s2, k2);
    if (n2 > 0) this.jump(at2, n2, s1, k1, s2, k2);
  }

  /**
   * The Gauss rule of the gap s..T. Rows caught up to the same step with the same gap share it
   * (many do: rows are caught up as batches touch them), so rules are cached per gap for the
   * current target step; a rule depends on nothing else.
   */
  private ruleFor(s: number, T: number): Rule {
    const gap = T - s;
    if (gap > MAX_POWER) return gaussRule(this.tab, s, T, this.rule);
    const cache = this.cache;
    const at = gap * 6;
    if (this.cacheStamp[gap] !== T) {
      const r = gaussRule(this.tab, s, T, this.rule);
      cache[at] = r.w1;
      cache[at + 1] = r.k1;
      cache[at + 2] = r.w2;
      cache[at + 3] = r.k2;
      cache[at + 4] = r.d1;
      cache[at + 5] = r.d2;
      this.cacheStamp[gap] = T;
      return r;
    }
    const r = this.rule;
    r.w1 = cache[at];
    r.k1 = cache[at + 1];
    r.w2 = cache[at + 2];
    r.k2 = cache[at + 3];
    r.d1 = cache[at + 4];
    r.d2 = cache[at + 5];
    return r;
  }

  /**
   * Moves weights over steps t+1..T one by one (tfjs's arithmetic, in double precision), the moments
   * at t being c1 M and (root · rms)².
   */
  private replay(at: number, n: number, t: number, T: number, c1: number, root: number): void {
    const P = this.params;
    const M = this.m;
    const R = this.rms;
    const lr = this.learningRate;
    const { invC1, rootInvC2 } = this.tab;
    for (let k = 0; k < n; k++) {
      const idx = at + k;
      let mk = M[idx] * c1;
      // no momentum: the weight does not move
      if (mk === 0) continue;
      // sqrt(v) itself: sqrt(β2^j v / c2(s)) = β2^(j/2) sqrt(v) / sqrt(c2(s))
      let rk = R[idx] * root;
      let w = P[idx];
      for (let s = t + 1; s <= T; s++) {
        mk *= BETA1;
        rk *= ROOT_BETA2;
        w -= (lr * (mk * invC1[s])) / (rk * rootInvC2[s] + EPSILON);
      }
      P[idx] = w;
    }
  }

  /**
   * Moves weights over a whole gap through its Gauss rule, scaled for the moments:
   * Δw = -m (s1 / (sqrt(v) k1 + eps) + s2 / (sqrt(v) k2 + eps)), over one division per element and
   * no square root (the store keeps sqrt(v)).
   */
  private jump(at: number, n: number, s1: number, k1: number, s2: number, k2: number): void {
    const P = this.params;
    const M = this.m;
    const R = this.rms;
    const eps = EPSILON;
    for (let k = 0; k < n; k++) {
      const idx = at + k;
      const u = R[idx];
      const e1 = u * k1 + eps;
      const e2 = u * k2 + eps;
      P[idx] -= (M[idx] * (s1 * e2 + s2 * e1)) / (e1 * e2);
    }
  }

  /** Decays the first moments by d1 and the roots of the second by e2 (below TINY, TINY_RMS they are stored as 0). */
  private decay(at: number, n: number, d1: number, e2: number): void {
    const M = this.m;
    const R = this.rms;
    for (let k = 0; k < n; k++) {
      const idx = at + k;
      // below TINY a moment only costs time: float32 subnormals are slow to read and multiply,
      // and a first moment that small moves a weight by lr·1e-23 at most (sqrt(v) + eps >= 1e-7)
      const mNext = M[idx] * d1;
      M[idx] = mNext > TINY || mNext < -TINY ? mNext : 0;
      const rNext = R[idx] * e2;
      R[idx] = rNext > TINY_RMS ? rNext : 0;
    }
  }
}
