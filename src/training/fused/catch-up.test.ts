import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { paramLayout } from './layout.js';
import { RowCatchUp } from './catch-up.js';
import { catchUpDisplacement, EXACT_BELOW } from './catch-up-rule.js';
import { replayDisplacement } from '../../../test/oracles/adam-replay.js';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from './optimizer.js';

// Moments as embedding rows have them: gradients from 1 down to 1e-11 (sqrt(v) from far above
// epsilon to far below it), m of either sign and up to about sqrt(v) in size.
const momentsArb = fc
  .record({ logG: fc.double({ min: -25, max: 0, noNaN: true }), mFrac: fc.double({ min: -1, max: 1, noNaN: true }), vFrac: fc.double({ min: 0.001, max: 1, noNaN: true }) })
  .map(({ logG, mFrac, vFrac }) => {
    const g = Math.exp(logG);
    return { m: mFrac * g, v: g * g * vFrac };
  });

describe('dense-Adam catch-up: the closed form against a step-by-step replay', () => {
  it('one skipped step is one Adam step with a zero gradient (hand-computed)', () => {
    // t = 999, T = 1000: m' = 0.9 m, v' = 0.999 v, Δw = -lr (m'/c1) / (sqrt(v'/c2) + eps)
    const m = 0.02;
    const v = 0.0004;
    const c1 = 1 - Math.pow(0.9, 1000);
    const c2 = 1 - Math.pow(0.999, 1000);
    const expected = -(0.001 * ((0.9 * m) / c1)) / (Math.sqrt((0.999 * v) / c2) + 1e-7);
    expect(catchUpDisplacement(m, v, 999, 1000, 0.001)).toBeCloseTo(expected, 15);
    expect(Math.abs(catchUpDisplacement(m, v, 999, 1000, 0.001) / expected - 1)).toBeLessThan(1e-12);
  });

  // the documented bounds (docs/fused-engine.md): by the step the row was last updated at
  const bound = (t: number, T: number) => (T <= EXACT_BELOW ? 1e-12 : t < 100 ? 2e-3 : t < 300 ? 2e-5 : t < 1000 ? 5e-7 : 2e-8);

  it('relative error within the documented bounds over random moments, starting steps and gaps', () => {
    fc.assert(
      fc.property(momentsArb, fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100_000 })), fc.integer({ min: 1, max: 3000 }), ({ m, v }, t, gap) => {
        const exact = replayDisplacement(m, v, t, t + gap, 0.001);
        const fast = catchUpDisplacement(m, v, t, t + gap, 0.001);
        const error = Math.abs(fast - exact) / Math.max(Math.abs(exact), 1e-300);
        expect(error).toBeLessThan(bound(t, t + gap));
      }),
      { numRuns: 600, seed: 12 },
    );
  });

  it('the truncated geometric series the issue measured is far worse (so the test above can fail)', () => {
    // freezing the bias corrections at the last step: Δw ≈ -lr m/(sqrt(v)) Σ (β1/sqrt(β2))^k · sqrt(c2)/c1
    const m = 1e-3;
    const v = 1e-6;
    const t = 2;
    const T = 16; // within the replayed steps
    const r = ADAM_BETA1 / Math.sqrt(ADAM_BETA2);
    let naive = 0;
    for (let k = 1; k <= T - t; k++) naive -= (0.001 * m * Math.pow(r, k) * Math.sqrt(1 - Math.pow(ADAM_BETA2, t)) / (1 - Math.pow(ADAM_BETA1, t))) / (Math.sqrt(v) + ADAM_EPSILON);
    const exact = replayDisplacement(m, v, t, T, 0.001);
    expect(Math.abs(naive / exact - 1)).toBeGreaterThan(0.05);
    expect(Math.abs(catchUpDisplacement(m, v, t, T, 0.001) / exact - 1)).toBeLessThan(1e-12);
  });
});

describe('RowCatchUp', () => {
  const arch = { kind: 'neumf' as const, numUsers: 3, numItems: 4, factors: 2, layers: [4, 2] };
  const layout = paramLayout(arch);
  const rows = arch.numUsers + arch.numItems;

  function store(seed: number) {
    const n = layout.length;
    let s = seed;
    const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const params = Float32Array.from({ length: n }, () => next() * 0.1);
    const m = Float32Array.from({ length: n }, () => next() * 1e-3);
    // the store keeps sqrt(v): second moments up to 1e-6
    const rms = Float32Array.from({ length: n }, () => Math.sqrt(Math.abs(next()) * 1e-6));
    return { params, m, rms, rowSteps: new Int32Array(2 * rows) };
  }

  it("moves a row's GMF and MLP parts as dense Adam would, decays its moments, and records the step", () => {
    const s = store(7);
    const before = { params: s.params.slice(), m: s.m.slice(), rms: s.rms.slice() };
    s.rowSteps[2 * 1 + 1] = 300; // user 1 was last updated at step 300
    const cu = new RowCatchUp(layout, s.params, s.m, s.rms, s.rowSteps, 0.01);
    cu.user(1, 700);
    expect([s.rowSteps[2], s.rowSteps[3]]).toEqual([700, 700]);
    const parts = [
      [layout.gmfUser + 1 * layout.factors, layout.factors],
      [layout.mlpUser + 1 * layout.mlpWidth, layout.mlpWidth],
    ];
    const moved = new Set<number>();
    for (const [at, n] of parts) {
      for (let k = at; k < at + n; k++) {
        moved.add(k);
        const expected = before.params[k] + replayDisplacement(before.m[k], before.rms[k] ** 2, 300, 700, 0.01);
        // one float32 rounding of the weight, plus the closed form's 5e-7 of the displacement
        expect(Math.abs(s.params[k] - expected)).toBeLessThanOrEqual(2 ** -24 * Math.abs(expected) + 5e-7 * Math.abs(expected - before.params[k]) + 1e-12);
        expect(s.m[k]).toBeCloseTo(Math.fround(before.m[k] * Math.pow(ADAM_BETA1, 400)), 12);
        // v decays by β2^400: its root by β2^200
        expect(Math.abs(s.rms[k] / (before.rms[k] * Math.pow(ADAM_BETA2, 200)) - 1)).toBeLessThan(1e-6);
      }
    }
    // nothing else moved
    for (let k = 0; k < layout.length; k++) if (!moved.has(k)) expect(s.params[k]).toBe(before.params[k]);
  });

  it('never applies a gap twice, leaves never-updated rows alone, and all() reaches every row', () => {
    const s = store(9);
    const cu = new RowCatchUp(layout, s.params, s.m, s.rms, s.rowSteps, 0.01);
    s.rowSteps[2 * (arch.numUsers + 2) + 1] = 10; // item 2 was last updated at step 10
    cu.item(2, 50);
    const once = s.params.slice();
    cu.item(2, 50);
    cu.item(2, 40);
    expect(s.params).toEqual(once);
    // a row whose step is 0 has never been updated: its moments are 0 in the engine, it stays put
    const fresh = store(9);
    const cu2 = new RowCatchUp(layout, fresh.params, fresh.m, fresh.rms, fresh.rowSteps, 0.01);
    const start = fresh.params.slice();
    cu2.all(100);
    expect(fresh.params).toEqual(start);
    // weights' steps 100, moments' steps still 0
    expect([...fresh.rowSteps]).toEqual(Array.from({ length: 2 * rows }, (_, k) => (k % 2 === 0 ? 100 : 0)));
    cu2.touch(0, 120);
    cu2.touch(0, 90);
    expect(fresh.rowSteps[1]).toBe(120); // never backwards
  });

  it('the read path moves the weights as the full catch-up does, leaves the moments to touch(), and handles a lag', () => {
    const full = store(11);
    const split = store(11);
    const item1 = 2 * (arch.numUsers + 1);
    for (const s of [full, split]) s.rowSteps[item1 + 1] = 120; // item 1: last updated at step 120
    const a = new RowCatchUp(layout, full.params, full.m, full.rms, full.rowSteps, 0.01);
    const b = new RowCatchUp(layout, split.params, split.m, split.rms, split.rowSteps, 0.01);
    const part = [layout.mlpItem + 1 * layout.mlpWidth, layout.mlpWidth] as const;
    const slice = (x: Float32Array) => [...x.subarray(part[0], part[0] + part[1])];
    a.item(1, 200);
    b.readItem(1, 200);
    expect(slice(split.params)).toEqual(slice(full.params));
    expect(slice(split.m)).toEqual(slice(store(11).m)); // moments untouched
    expect([split.rowSteps[item1], split.rowSteps[item1 + 1]]).toEqual([200, 120]);
    // the optimizer's decay factors cover steps 121..201: the 80 skipped plus its own
    expect(b.touch(arch.numUsers + 1, 201)).toBe(81);
    expect(b.beta1Powers[81]).toBeCloseTo(Math.pow(ADAM_BETA1, 81), 15);
    expect(b.beta2Powers[81] / Math.pow(ADAM_BETA2, 81)).toBeCloseTo(1, 12);
    expect([split.rowSteps[item1], split.rowSteps[item1 + 1]]).toEqual([200, 201]); // up to date as of 201
    // a lag (read at 200, not yet updated, read again at 260: another thread's batch): the second
    // read decays the moments it uses by the 80 steps first, as the full catch-up to 200 did
    const lagged = store(11);
    lagged.rowSteps[item1 + 1] = 120;
    const c = new RowCatchUp(layout, lagged.params, lagged.m, lagged.rms, lagged.rowSteps, 0.01);
    c.readItem(1, 200);
    c.readItem(1, 260);
    a.item(1, 260);
    const got = slice(lagged.params);
    const want = slice(full.params);
    // float32 rounding of the moments in the full path: a few ulps of the weights
    got.forEach((x, k) => expect(Math.abs(x - want[k])).toBeLessThanOrEqual(4 * 2 ** -24 * Math.abs(want[k]) + 1e-12));
    expect(got).not.toEqual(slice(store(11).params));
  });
});
