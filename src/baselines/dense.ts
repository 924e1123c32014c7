// Dense symmetric positive-definite inversion for EASE, in row-major Float64Arrays: Cholesky
// G = L L^T, then T = (L^-1)^T and G^-1 = T T^T. Every inner loop is a dot product of contiguous
// rows, about n^3 / 2 multiply-adds in all. Rows are taken four at a time against each other row,
// so every row streamed from memory serves four dot products (the loops are memory-bound at
// ML-1M's 3,706 items: one row is 29 KB, the matrix 110 MB).
import { RecsysError } from '../errors.js';

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
  }
  if (k < n) s0 += a[ao + k] * b[bo + k];
  return s0 + s1;
}

/** out[r] = dot(a[ao..ao+n), b[bo_r..bo_r+n)) for the four offsets. */
function dot4(a: Float64Array, ao: number, b: Float64Array, b0: number, b1: number, b2: number, b3: number, n: number, out: Float64Array): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < n; k++) {
    const x = a[ao + k];
    s0 += x * b[b0 + k];
    s1 += x * b[b1 + k];
    s2 += x * b[b2 + k];
    s3 += x * b[b3 + k];
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

function notPositiveDefinite(i: number, s: number): RecsysError {
  return new RecsysError('NOT_FINITE', `the matrix is not positive definite (pivot ${i} is ${s}); increase the regularisation`, { pivot: i });
}

/**
 * Internal: inverts the symmetric positive-definite `n x n` matrix `g` (row-major; only its lower
 * triangle is read). `g` is overwritten (it ends holding the full inverse); `scratch` must hold
 * n * n floats. Throws when `g` is not positive definite.
 */
export function invertSpd(g: Float64Array, n: number, scratch: Float64Array): Float64Array {
  const acc = new Float64Array(4);
  cholesky(g, n, acc);
  invertCholesky(g, n, scratch, acc);
  productWithTranspose(g, n, scratch, acc);
  return g;
}

/** Step 1 of {@link invertSpd}. */
function cholesky(g: Float64Array, n: number, acc: Float64Array): void {
  // 1. Cholesky: the lower triangle of g becomes L (L[i][k] at g[i * n + k]), rows four at a time
  for (let i0 = 0; i0 < n; i0 += 4) {
    const rows = Math.min(4, n - i0);
    // columns j < i0: the block's rows against row j together
    for (let j = 0; j < i0; j++) {
      const jo = j * n;
      if (rows === 4) {
        dot4(g, jo, g, i0 * n, (i0 + 1) * n, (i0 + 2) * n, (i0 + 3) * n, j, acc);
        for (let r = 0; r < 4; r++) g[(i0 + r) * n + j] = (g[(i0 + r) * n + j] - acc[r]) / g[jo + j];
      } else {
        for (let r = 0; r < rows; r++) {
          const io = (i0 + r) * n;
          g[io + j] = (g[io + j] - dot(g, io, g, jo, j)) / g[jo + j];
        }
      }
    }
    // columns inside the block, in order
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const io = i * n;
      for (let j = i0; j <= i; j++) {
        const jo = j * n;
        const s = g[io + j] - dot(g, io, g, jo, j);
        if (i === j) {
          if (!(s > 0)) throw notPositiveDefinite(i, s);
          g[io + i] = Math.sqrt(s);
        } else {
          g[io + j] = s / g[jo + j];
        }
      }
    }
  }
}

/** Step 2 of {@link invertSpd}: T into `T` from L in `g`. */
function invertCholesky(g: Float64Array, n: number, T: Float64Array, acc: Float64Array): void {
  // 2. T = (L^-1)^T, upper triangular: row j of T is column j of L^-1. For i > j,
  //    T[j][i] = -(sum_{k=j}^{i-1} L[i][k] T[j][k]) / L[i][i]; T[j][k] = 0 for k < j, so four rows
  //    j0..j0+3 can all sum from j0.
  T.fill(0);
  for (let j0 = 0; j0 < n; j0 += 4) {
    const rows = Math.min(4, n - j0);
    for (let r = 0; r < rows; r++) {
      const j = j0 + r;
      T[j * n + j] = 1 / g[j * n + j];
      // entries inside the block
      for (let i = j + 1; i < j0 + rows; i++) T[j * n + i] = -dot(g, i * n + j, T, j * n + j, i - j) / g[i * n + i];
    }
    for (let i = j0 + rows; i < n; i++) {
      const io = i * n;
      if (rows === 4) {
        dot4(g, io + j0, T, j0 * n + j0, (j0 + 1) * n + j0, (j0 + 2) * n + j0, (j0 + 3) * n + j0, i - j0, acc);
        for (let r = 0; r < 4; r++) T[(j0 + r) * n + i] = -acc[r] / g[io + i];
      } else {
        for (let r = 0; r < rows; r++) T[(j0 + r) * n + i] = -dot(g, io + j0, T, (j0 + r) * n + j0, i - j0) / g[io + i];
      }
    }
  }
}

/** Step 3 of {@link invertSpd}: T T^T into `g`. */
function productWithTranspose(g: Float64Array, n: number, T: Float64Array, acc: Float64Array): void {
  // 3. G^-1 = T T^T: P[i][j] = sum_{k >= max(i, j)} T[i][k] T[j][k]; for j <= i0 and rows
  //    i0..i0+3 (zero below their diagonal) every sum can start at i0.
  for (let i0 = 0; i0 < n; i0 += 4) {
    const rows = Math.min(4, n - i0);
    for (let j = 0; j <= i0; j++) {
      const jo = j * n;
      if (rows === 4) {
        dot4(T, jo + i0, T, i0 * n + i0, (i0 + 1) * n + i0, (i0 + 2) * n + i0, (i0 + 3) * n + i0, n - i0, acc);
        for (let r = 0; r < 4; r++) {
          g[(i0 + r) * n + j] = acc[r];
          g[jo + i0 + r] = acc[r];
        }
      } else {
        for (let r = 0; r < rows; r++) {
          const v = dot(T, jo + i0, T, (i0 + r) * n + i0, n - i0);
          g[(i0 + r) * n + j] = v;
          g[jo + i0 + r] = v;
        }
      }
    }
    // pairs inside the block (j in i0+1..i)
    for (let r = 1; r < rows; r++) {
      const i = i0 + r;
      for (let j = i0 + 1; j <= i; j++) {
        const v = dot(T, i * n + i, T, j * n + i, n - i);
        g[i * n + j] = v;
        g[j * n + i] = v;
      }
    }
  }
}
