import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fitALS, alsLoss, solveSide } from './als.js';
import { transpose, userItemCsr } from './csr.js';

const pairsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 40 });
const dataOf = (pairs: [number, number][]) => ({ users: Int32Array.from(pairs, (p) => p[0]), items: Int32Array.from(pairs, (p) => p[1]), numUsers: 7, numItems: 9 });

/**
 * Brute force over every (u, i): sum c (p - x.y)^2 + sum_u reg w_u^nu |x_u|^2 + sum_i reg w_i^nu
 * |y_i|^2, w = the row's (column's) summed confidence.
 */
function denseLoss(pairs: [number, number][], X: Float64Array, Y: Float64Array, f: number, reg: number, alpha: number, nu = 0): number {
  const seen = new Set(pairs.map(([u, i]) => u * 100 + i));
  let loss = 0;
  if (nu > 0) {
    for (let u = 0; u < 7; u++) {
      let w = 0;
      for (let i = 0; i < 9; i++) w += seen.has(u * 100 + i) ? 1 + alpha : 1;
      for (let k = 0; k < f; k++) loss += reg * w ** nu * X[u * f + k] ** 2;
    }
    for (let i = 0; i < 9; i++) {
      let w = 0;
      for (let u = 0; u < 7; u++) w += seen.has(u * 100 + i) ? 1 + alpha : 1;
      for (let k = 0; k < f; k++) loss += reg * w ** nu * Y[i * f + k] ** 2;
    }
    reg = 0;
  }
  for (let u = 0; u < 7; u++) {
    for (let i = 0; i < 9; i++) {
      let s = 0;
      for (let k = 0; k < f; k++) s += X[u * f + k] * Y[i * f + k];
      const p = seen.has(u * 100 + i) ? 1 : 0;
      const c = 1 + alpha * p;
      loss += c * (p - s) ** 2;
    }
  }
  return loss + reg * (X.reduce((a, v) => a + v * v, 0) + Y.reduce((a, v) => a + v * v, 0));
}

/** Every user's gradient (alpha 2) is zero: penalty(u) x_u + sum over items of c (x.y - p) y. */
function expectZeroGradient(pairs: [number, number][], X: Float64Array, Y: Float64Array, f: number, penalty: (u: number) => number): void {
  for (let u = 0; u < 7; u++) {
    for (let a = 0; a < f; a++) {
      let grad = penalty(u) * X[u * f + a]; // d/dx of penalty |x|^2 / 2
      for (let i = 0; i < 9; i++) {
        let s = 0;
        for (let k = 0; k < f; k++) s += X[u * f + k] * Y[i * f + k];
        const p = pairs.some(([pu, pi]) => pu === u && pi === i) ? 1 : 0;
        grad += (1 + 2 * p) * (s - p) * Y[i * f + a];
      }
      expect(Math.abs(grad)).toBeLessThan(1e-9);
    }
  }
}

describe('fitALS', () => {
  it('property: the objective never increases across sweeps (CG warm starts)', () => {
    fc.assert(
      fc.property(pairsArb, fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.001, max: 5, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 0.5, 1), (pairs, factors, regularization, alpha, cgSteps, regularizationExponent) => {
        const als = fitALS(dataOf(pairs), { factors, regularization, regularizationExponent, alpha, cgSteps, iterations: 6, seed: 3 });
        for (let t = 1; t < als.loss.length; t++) expect(als.loss[t]).toBeLessThanOrEqual(als.loss[t - 1] * (1 + 1e-9) + 1e-12);
      }),
    );
  });

  it('property: its loss is the brute-force objective', () => {
    fc.assert(
      fc.property(pairsArb, fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(0, 0.5, 1), (pairs, alpha, nu) => {
        const als = fitALS(dataOf(pairs), { factors: 3, regularization: 0.5, regularizationExponent: nu, alpha, iterations: 2, seed: 1 });
        const expected = denseLoss(pairs, als.userFactors, als.itemFactors, 3, 0.5, alpha, nu);
        expect(als.loss[2]).toBeCloseTo(expected, 8);
      }),
    );
  });

  it('with as many CG steps as factors, a half-sweep is the exact least-squares solution', () => {
    // the gradient of the user side's objective vanishes after the solve (CG is exact in f steps)
    const pairs: [number, number][] = [[0, 0], [0, 2], [1, 1], [2, 0], [2, 1], [3, 4], [4, 3], [5, 5], [6, 8], [6, 0]];
    const m = userItemCsr(dataOf(pairs), false);
    const f = 3;
    const X = new Float64Array(7 * f).map((_, k) => Math.sin(k));
    const Y = new Float64Array(9 * f).map((_, k) => Math.cos(k));
    solveSide(m, X, Y, f, 0.1, 2, f);
    expectZeroGradient(pairs, X, Y, f, () => 0.1);
    expect(alsLoss(transpose(m), Y, X, f, 0.1, 2)).toBeCloseTo(alsLoss(m, X, Y, f, 0.1, 2), 9);
  });

  it('frequency-scaled regularisation: the exact solve zeroes the gradient with penalty reg * (9 + 2 n_u)', () => {
    // 9 items, alpha 2: user u's total confidence is 9 + 2 n_u; with exponent 1 its penalty is 0.01 times that
    const pairs: [number, number][] = [[0, 0], [0, 2], [0, 5], [1, 1], [2, 0], [2, 1], [3, 4], [4, 3], [5, 5], [6, 8], [6, 0]];
    const m = userItemCsr(dataOf(pairs), false);
    const f = 3;
    const X = new Float64Array(7 * f).map((_, k) => Math.sin(k));
    const Y = new Float64Array(9 * f).map((_, k) => Math.cos(k));
    solveSide(m, X, Y, f, 0.01, 2, f, 1);
    expectZeroGradient(pairs, X, Y, f, (u) => 0.01 * (9 + 2 * pairs.filter(([pu]) => pu === u).length));
    // exponent 0 is the constant penalty, bit for bit
    const data = dataOf(pairs);
    const a = fitALS(data, { factors: 2, iterations: 2, seed: 4, regularization: 0.3 });
    const b = fitALS(data, { factors: 2, iterations: 2, seed: 4, regularization: 0.3, regularizationExponent: 0 });
    expect(Array.from(b.userFactors)).toEqual(Array.from(a.userFactors));
    expect(() => fitALS(data, { regularizationExponent: -1 })).toThrow(/regularizationExponent must be a number in/);
  });

  it('scores by the factors\' dot product, is seeded, and accepts weights as confidence', () => {
    const data = { ...dataOf([[0, 0], [0, 1], [1, 1], [2, 2]]), weights: Float32Array.of(5, 1, 1, 1) };
    const a = fitALS(data, { factors: 2, iterations: 3, seed: 9 });
    const b = fitALS(data, { factors: 2, iterations: 3, seed: 9 });
    expect(Array.from(a.userFactors)).toEqual(Array.from(b.userFactors));
    const s = a.scoreItems(0, Int32Array.of(1));
    expect(s[0]).toBeCloseTo(a.userFactors[0] * a.itemFactors[2] + a.userFactors[1] * a.itemFactors[3], 6);
    const w = fitALS(data, { factors: 2, iterations: 3, seed: 9, weighted: true, alpha: 10 });
    expect(Array.from(w.userFactors)).not.toEqual(Array.from(a.userFactors));
  });

  it('rejects bad options naming them', () => {
    const data = dataOf([[0, 0]]);
    expect(() => fitALS(data, { factors: 0 })).toThrow(/factors must be a positive integer, got 0/);
    expect(() => fitALS(data, { alpha: -1 })).toThrow(/alpha must be a number in/);
    expect(() => fitALS(data, { cgSteps: 1.5 })).toThrow(/cgSteps must be a positive integer, got 1.5/);
  });
});
