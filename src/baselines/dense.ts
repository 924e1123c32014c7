// Dense symmetric positive-definite inversion for EASE, in row-major Float64Arrays: Cholesky
// G = L L^T, then T = (L^-1)^T and G^-1 = T T^T. Every inner loop is a dot product of two
// contiguous rows, about n^3 / 2 multiply-adds in all.
import { RecsysError } from '../errors.js';

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/**
 * Internal: inverts the symmetric positive-definite `n x n` matrix `g` (row-major; only its lower
 * triangle is read). `g` is overwritten (it ends holding the full inverse); `scratch` must hold
 * n * n floats. Throws when `g` is not positive definite.
 */
export function invertSpd(g: Float64Array, n: number, scratch: Float64Array): Float64Array {
  // Cholesky, lower triangle of g becomes L (row-major: L[i][k] at g[i * n + k])
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let j = 0; j <= i; j++) {
      const jo = j * n;
      const s = g[io + j] - dot(g, io, g, jo, j);
      if (i === j) {
        if (!(s > 0)) {
          throw new RecsysError('NOT_FINITE', `the matrix is not positive definite (pivot ${i} is ${s}); increase the regularisation`, { pivot: i });
        }
        g[io + i] = Math.sqrt(s);
      } else {
        g[io + j] = s / g[jo + j];
      }
    }
  }
  // T = (L^-1)^T, upper triangular: row j of T is column j of L^-1, T[j][i] for i >= j
  const T = scratch;
  T.fill(0);
  for (let j = 0; j < n; j++) {
    const jo = j * n;
    T[jo + j] = 1 / g[jo + j];
    for (let i = j + 1; i < n; i++) {
      const io = i * n;
      // M[i][j] = -(sum_{k=j}^{i-1} L[i][k] M[k][j]) / L[i][i]
      T[jo + i] = -dot(g, io + j, T, jo + j, i - j) / g[io + i];
    }
  }
  // G^-1 = M^T M = T T^T: P[i][j] = sum_{k >= max(i, j)} T[i][k] T[j][k]
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let j = 0; j <= i; j++) {
      const v = dot(T, io + i, T, j * n + i, n - i);
      g[io + j] = v;
      g[j * n + i] = v;
    }
  }
  return g;
}
