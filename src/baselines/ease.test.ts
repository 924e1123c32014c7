import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fitEASE } from './ease.js';
import { invertSpd } from './dense.js';
import { RecsysError } from '../errors.js';

/** Independent check: Gauss-Jordan inverse with partial pivoting. */
function gaussJordan(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const d = m[c][c];
    for (let k = 0; k < 2 * n; k++) m[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row) => row.slice(n));
}

const pairsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 50 });

describe('fitEASE', () => {
  it('matches the closed form (hand-computed, 2 items)', () => {
    // users: 0 {0, 1}, 1 {0}. X^T X = [[2, 1], [1, 1]], + lambda I (1) = [[3, 1], [1, 2]],
    // P = [[2, -1], [-1, 3]] / 5, B01 = -P01 / P11 = 1/3, B10 = -P10 / P00 = 1/2
    const ease = fitEASE({ users: Int32Array.of(0, 0, 1), items: Int32Array.of(0, 1, 0), numUsers: 2, numItems: 2 }, { lambda: 1 });
    expect(ease.weights[0]).toBe(0);
    expect(ease.weights[1]).toBeCloseTo(1 / 3, 6);
    expect(ease.weights[2]).toBeCloseTo(1 / 2, 6);
    expect(ease.weights[3]).toBe(0);
    const s = ease.scoreAllItems(Int32Array.of(0, 1));
    expect(s[0]).toBeCloseTo(1 / 2, 6); // user 0: x = [1, 1], x B = [B10, B01]
    expect(s[1]).toBeCloseTo(1 / 3, 6);
    expect(s[2]).toBe(0); // user 1: x = [1, 0], x B = [0, B01]
    expect(s[3]).toBeCloseTo(1 / 3, 6);
  });

  it('property: the diagonal is zero and B agrees with an independent inverse', () => {
    fc.assert(
      fc.property(pairsArb, fc.double({ min: 0.1, max: 50, noNaN: true }), (pairs, lambda) => {
        const data = { users: Int32Array.from(pairs, (p) => p[0]), items: Int32Array.from(pairs, (p) => p[1]), numUsers: 10, numItems: 8 };
        const ease = fitEASE(data, { lambda });
        const n = 8;
        const x = Array.from({ length: 10 }, () => new Array<number>(n).fill(0));
        for (const [u, i] of pairs) x[u][i] = 1;
        const g = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => x.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? lambda : 0)));
        const p = gaussJordan(g);
        for (let i = 0; i < n; i++) {
          expect(ease.weights[i * n + i]).toBe(0);
          for (let j = 0; j < n; j++) if (i !== j) expect(ease.weights[i * n + j]).toBeCloseTo(-p[i][j] / p[j][j], 5);
        }
        // scoreItems and scoreAllItems agree
        const row = ease.scoreAllItems(Int32Array.of(pairs[0][0]));
        const some = ease.scoreItems(pairs[0][0], Int32Array.of(7, 0));
        expect(some[0]).toBeCloseTo(row[7], 6);
        expect(some[1]).toBeCloseTo(row[0], 6);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses more items than maxItems, saying why (memory)', () => {
    const data = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 20001 };
    let error: unknown;
    try {
      fitEASE(data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecsysError);
    expect((error as RecsysError).code).toBe('INVALID_SIZE');
    expect((error as Error).message).toMatch(/refuses 20001 items \(maxItems = 10000\).*8\.0 GB/);
    expect(() => fitEASE({ ...data, numItems: 5 }, { maxItems: 4 })).toThrow(/refuses 5 items \(maxItems = 4\)/);
  });

  it('rejects a non-positive lambda', () => {
    const data = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 };
    expect(() => fitEASE(data, { lambda: 0 })).toThrow(/lambda must be a number in \(0/);
  });
});

describe('invertSpd', () => {
  it('property: G times its inverse is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 81, maxLength: 81 }), (n, r) => {
        // G = R R^T + n I is symmetric positive definite
        const g = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let s = i === j ? n : 0;
          for (let k = 0; k < n; k++) s += r[i * 9 + k] * r[j * 9 + k];
          g[i * n + j] = s;
        }
        const inv = invertSpd(g.slice(), n, new Float64Array(n * n));
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += g[i * n + k] * inv[k * n + j];
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
        }
      }),
    );
  });

  it('throws on a matrix that is not positive definite', () => {
    expect(() => invertSpd(Float64Array.of(1, 2, 2, 1), 2, new Float64Array(4))).toThrow(/not positive definite/);
  });
});
