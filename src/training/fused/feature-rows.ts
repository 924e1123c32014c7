// Side features in the fused engine: an entity's vector in each block is its id row plus, per field,
// the MEAN of the rows of its values (FeaturePool's math: models/feature-pool.ts), so
//   forward   r_e = E_id[e] + sum_f (1 / n_f(e)) sum_{v in values_f(e)} E_f[v]
//   backward  dL/dE_id[e] = dL/dr_e,   dL/dE_f[v] += dL/dr_e / n_f(e) for each value v of e
// (an entity with no value in a field gets nothing from it and gives it no gradient).
//
// How the kernel uses this: before a batch, `pool` writes r_e of every entity the batch reads into
// a private copy of the id tables (same offsets, so the kernel's forward and backward passes read
// r_e where they would read the id row, unchanged); the row gradients the kernel accumulates per
// entity are then dL/dr_e, which are the id rows' gradients as they are, and `distribute` spreads
// them over the value rows' own gradient slots, which the optimizer updates like any table row
// (dense Adam catches a value row up before it is read, like an id row: catch-up.ts).
//
// No tfjs here: worker threads import this file.
import type { RowCatchUp } from './catch-up.js';
import type { LayoutField, ParamLayout } from './layout.js';
import type { RowGradients } from './row-gradients.js';

/** Gradient slots of the rows of one side-feature field that one batch touches. */
export class FieldSlots {
  /** Per slot: the field row it holds (the first `count` are in use). */
  which = new Int32Array(0);
  /** Per slot, `width` numbers: the row's gradient [GMF part | MLP part]. */
  g = new Float64Array(0);
  count = 0;
  /** Per field row: its slot in the current batch, or -1. */
  private readonly slotOf: Int32Array;
  /** Per entity: 1 / its number of values (0 for none), the mean's weight of each of its rows. */
  readonly scale: Float64Array;
  /** Per field row: the batch whose catch-up already brought it up to date (dense Adam). */
  readonly caughtUp: Int32Array;

  constructor(
    readonly field: LayoutField,
    /** Each entity's value rows, [entities × maxValues], padded with -1. */
    readonly index: Int32Array,
    private readonly width: number,
  ) {
    this.slotOf = new Int32Array(field.rows).fill(-1);
    this.caughtUp = new Int32Array(field.rows);
    const entities = index.length / field.maxValues;
    this.scale = new Float64Array(entities);
    for (let e = 0; e < entities; e++) {
      let n = 0;
      for (let j = 0; j < field.maxValues; j++) if (index[e * field.maxValues + j] >= 0) n++;
      this.scale[e] = n === 0 ? 0 : 1 / n;
    }
  }

  /** Offset in `g` of field row `v`'s gradient (a zeroed slot the first time the batch touches it). */
  row(v: number): number {
    let s = this.slotOf[v];
    if (s < 0) {
      s = this.count++;
      if (s >= this.which.length) this.grow(s + 1);
      this.slotOf[v] = s;
      this.which[s] = v;
      this.g.fill(0, s * this.width, (s + 1) * this.width);
    }
    return s * this.width;
  }

  private grow(needed: number): void {
    const capacity = Math.min(this.field.rows, Math.max(needed, 2 * this.which.length, 64));
    const which = new Int32Array(capacity);
    which.set(this.which);
    const g = new Float64Array(capacity * this.width);
    g.set(this.g);
    this.which = which;
    this.g = g;
  }

  release(): void {
    for (let s = 0; s < this.count; s++) this.slotOf[this.which[s]] = -1;
    this.count = 0;
  }
}

/** The side-feature fields of a model in the fused engine: pooling before a batch, gradients after it. */
export class FeatureRows {
  /** One slot set per field, in `layout.fields` order. */
  readonly fields: readonly FieldSlots[];
  private readonly userFields: readonly FieldSlots[];
  private readonly itemFields: readonly FieldSlots[];
  private readonly factors: number;
  private readonly mlpWidth: number;
  /** Pooling sums, one row (factors + mlpWidth), in double precision. */
  private readonly sum: Float64Array;
  /** Per entity: the batch that last pooled it (so each entity is pooled once per batch). */
  private readonly userStamp: Int32Array;
  private readonly itemStamp: Int32Array;
  private batch = 0;

  /**
   * @param layout - the flat layout (its `fields`)
   * @param index - each field's entity index, in `layout.fields` order
   */
  constructor(
    private readonly layout: ParamLayout,
    index: readonly Int32Array[],
  ) {
    if (index.length !== layout.fields.length) {
      throw new TypeError(`FeatureRows: ${layout.fields.length} fields but ${index.length} indices`);
    }
    this.factors = layout.factors;
    this.mlpWidth = layout.mlpWidth;
    const width = this.factors + this.mlpWidth;
    this.fields = layout.fields.map((f, k) => {
      const entities = f.side === 'user' ? layout.numUsers : layout.numItems;
      if (index[k].length !== entities * f.maxValues) {
        throw new TypeError(`FeatureRows: field '${f.name}' needs an index of ${entities * f.maxValues} entries, got ${index[k].length}`);
      }
      for (const v of index[k]) {
        if (v < -1 || v >= f.rows) throw new TypeError(`FeatureRows: field '${f.name}' indexes row ${v} of ${f.rows}`);
      }
      return new FieldSlots(f, index[k], width);
    });
    this.userFields = this.fields.filter((s) => s.field.side === 'user');
    this.itemFields = this.fields.filter((s) => s.field.side === 'item');
    this.sum = new Float64Array(width);
    this.userStamp = new Int32Array(layout.numUsers);
    this.itemStamp = new Int32Array(layout.numItems);
  }

  /** Starts a batch: every entity is pooled again (the weights moved since the last one). */
  begin(): void {
    this.batch++;
    if (this.batch === 0x7fffffff) {
      this.batch = 1;
      this.userStamp.fill(0);
      this.itemStamp.fill(0);
      for (const slots of this.fields) slots.caughtUp.fill(0);
    }
  }

  /**
   * Writes user `u`'s vectors (id row plus its pooled fields, GMF and MLP parts) into `tables` at
   * the id rows' offsets, once per batch; with dense Adam, first catches the value rows it reads
   * up to step `step`.
   */
  poolUser(u: number, params: Float32Array, tables: Float32Array, catchUp: RowCatchUp | null, step: number): void {
    if (this.userStamp[u] === this.batch) return;
    this.userStamp[u] = this.batch;
    const L = this.layout;
    this.pool(u, this.userFields, L.gmfUser, L.mlpUser, params, tables, catchUp, step);
  }

  /** {@link poolUser} for item `i`. */
  poolItem(i: number, params: Float32Array, tables: Float32Array, catchUp: RowCatchUp | null, step: number): void {
    if (this.itemStamp[i] === this.batch) return;
    this.itemStamp[i] = this.batch;
    const L = this.layout;
    this.pool(i, this.itemFields, L.gmfItem, L.mlpItem, params, tables, catchUp, step);
  }

  private pool(
    e: number,
    fields: readonly FieldSlots[],
    gmfTable: number,
    mlpTable: number,
    params: Float32Array,
    tables: Float32Array,
    catchUp: RowCatchUp | null,
    step: number,
  ): void {
    const F = this.factors;
    const M = this.mlpWidth;
    const sum = this.sum;
    const gmfAt = gmfTable + e * F;
    const mlpAt = mlpTable + e * M;
    for (let k = 0; k < F; k++) sum[k] = params[gmfAt + k];
    for (let k = 0; k < M; k++) sum[F + k] = params[mlpAt + k];
    for (const slots of fields) {
      const f = slots.field;
      const index = slots.index;
      const base = e * f.maxValues;
      const scale = slots.scale[e];
      if (scale === 0) continue;
      for (let j = 0; j < f.maxValues; j++) {
        const v = index[base + j];
        if (v < 0) continue;
        // a value row is shared by many entities: one catch-up per batch
        if (catchUp !== null && step > 0 && slots.caughtUp[v] !== this.batch) {
          slots.caughtUp[v] = this.batch;
          catchUp.readRow(f.first + v, step, f.gmf + v * F, f.mlp + v * M);
        }
        const g = f.gmf + v * F;
        for (let k = 0; k < F; k++) sum[k] += scale * params[g + k];
        const m = f.mlp + v * M;
        for (let k = 0; k < M; k++) sum[F + k] += scale * params[m + k];
      }
    }
    for (let k = 0; k < F; k++) tables[gmfAt + k] = sum[k];
    for (let k = 0; k < M; k++) tables[mlpAt + k] = sum[F + k];
  }

  /** Spreads the batch's entity gradients (dL/dr_e, in `rows`) over the value rows of their fields. */
  distribute(rows: RowGradients): void {
    const W = this.factors + this.mlpWidth;
    for (const slots of this.userFields) spread(slots, rows.users, rows.numUsers, rows.gUser, W);
    for (const slots of this.itemFields) spread(slots, rows.items, rows.numItems, rows.gItem, W);
  }

  /** Frees the batch's slots (after the optimizer step). */
  release(): void {
    for (const slots of this.fields) slots.release();
  }

  /** Writes the batch's value-row gradients into their places of a full-size flat array. */
  writeFlat(out: Float64Array): void {
    const F = this.factors;
    const M = this.mlpWidth;
    const W = F + M;
    for (const slots of this.fields) {
      const f = slots.field;
      for (let s = 0; s < slots.count; s++) {
        const v = slots.which[s];
        for (let k = 0; k < F; k++) out[f.gmf + v * F + k] = slots.g[s * W + k];
        for (let k = 0; k < M; k++) out[f.mlp + v * M + k] = slots.g[s * W + F + k];
      }
    }
  }
}

/** Adds dL/dr_e / n(e) of every entity slot to the slots of the entity's values in one field. */
function spread(slots: FieldSlots, entities: Int32Array, count: number, g: Float64Array, W: number): void {
  const { index } = slots;
  const maxValues = slots.field.maxValues;
  for (let s = 0; s < count; s++) {
    const e = entities[s];
    const scale = slots.scale[e];
    if (scale === 0) continue;
    const base = e * maxValues;
    const from = s * W;
    for (let j = 0; j < maxValues; j++) {
      const v = index[base + j];
      if (v < 0) continue;
      const at = slots.row(v);
      const gf = slots.g;
      for (let k = 0; k < W; k++) gf[at + k] += scale * g[from + k];
    }
  }
}
