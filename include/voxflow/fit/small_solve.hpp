// Dense symmetric positive-definite solves of size P <= 6 held entirely in registers: the damped normal
// equations of one voxel's Levenberg-Marquardt step and the linearised starting-value regressions. Sizes are
// template parameters so every loop unrolls and no array spills to memory.
#ifndef VOXFLOW_FIT_SMALL_SOLVE_HPP
#define VOXFLOW_FIT_SMALL_SOLVE_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::fit {

// Index of (i, j), j <= i, in a packed lower triangle of size P.
KOKKOS_FORCEINLINE_FUNCTION constexpr int packed_index(int i, int j) {
  return i * (i + 1) / 2 + j;
}

template <int P>
inline constexpr int packed_size = P*(P + 1) / 2;

// Solves A x = b for symmetric positive-definite A given as a packed lower triangle. Returns false, leaving x
// untouched, when a pivot is not positive and finite (A singular or indefinite to working precision).
template <int P>
KOKKOS_INLINE_FUNCTION bool cholesky_solve(double const (&a)[packed_size<P>], double const (&b)[P],
                                           double (&x)[P]) {
  double l[packed_size<P>] = {};
  double inv_diag[P] = {};
  for (int i = 0; i < P; ++i) {
    for (int j = 0; j <= i; ++j) {
      double s = a[packed_index(i, j)];
      for (int k = 0; k < j; ++k) s -= l[packed_index(i, k)] * l[packed_index(j, k)];
      if (i == j) {
        if (!(s > 0.0) || !is_finite(s)) return false;
        double const d = kmath::sqrt(s);
        l[packed_index(i, i)] = d;
        inv_diag[i] = 1.0 / d;
      } else {
        l[packed_index(i, j)] = s * inv_diag[j];
      }
    }
  }
  double z[P];
  for (int i = 0; i < P; ++i) {
    double s = b[i];
    for (int k = 0; k < i; ++k) s -= l[packed_index(i, k)] * z[k];
    z[i] = s * inv_diag[i];
  }
  for (int i = P - 1; i >= 0; --i) {
    double s = z[i];
    for (int k = i + 1; k < P; ++k) s -= l[packed_index(k, i)] * x[k];
    x[i] = s * inv_diag[i];
  }
  return true;
}

// Streamed accumulation of a linear least-squares problem y ~ sum_i beta_i x_i, one sample at a time, and its
// solution. Used for linearised starting values: no design matrix is ever stored.
// V = double for one voxel; a LanePack accumulates a pack of voxels at once (solve and residual are then per
// lane, on a double copy).
template <int P, class V = double>
struct LinearRegression {
  V xtx[packed_size<P>] = {};
  V xty[P] = {};
  V yty = 0.0;

  KOKKOS_FORCEINLINE_FUNCTION void add(V const (&x)[P], V y, double weight = 1.0) {
    yty += weight * y * y;
    for (int i = 0; i < P; ++i) {
      V const wx = weight * x[i];
      xty[i] += wx * y;
      for (int j = 0; j <= i; ++j) xtx[packed_index(i, j)] += wx * x[j];
    }
  }

  // Lane l's sums of a regression accumulated in lane packs, as a one-voxel regression.
  KOKKOS_INLINE_FUNCTION LinearRegression<P> lane(int l) const {
    LinearRegression<P> r;
    for (int k = 0; k < packed_size<P>; ++k) r.xtx[k] = xtx[k][l];
    for (int i = 0; i < P; ++i) r.xty[i] = xty[i][l];
    r.yty = yty[l];
    return r;
  }

  // Solves with a tiny relative ridge on the diagonal so that collinear columns give a finite answer rather
  // than a failure; returns false when even that fails.
  KOKKOS_INLINE_FUNCTION bool solve(double (&beta)[P]) const {
    double a[packed_size<P>];
    for (int k = 0; k < packed_size<P>; ++k) a[k] = xtx[k];
    for (int i = 0; i < P; ++i) a[packed_index(i, i)] *= 1.0 + 1e-12;
    return cholesky_solve<P>(a, xty, beta);
  }

  // Weighted residual sum of squares of coefficients beta, from the accumulated sums (no second pass):
  // y'y - 2 beta'X'y + beta'X'X beta, clamped at 0 against cancellation.
  KOKKOS_INLINE_FUNCTION double residual(double const (&beta)[P]) const {
    double r = yty;
    for (int i = 0; i < P; ++i) {
      r -= 2.0 * beta[i] * xty[i];
      for (int j = 0; j < P; ++j)
        r += beta[i] * beta[j] * xtx[i >= j ? packed_index(i, j) : packed_index(j, i)];
    }
    return r > 0.0 ? r : 0.0;
  }
};

}  // namespace voxflow::fit

#endif
