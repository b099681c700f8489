// The spoiled gradient-echo (SPGR) steady-state signal of variable-flip-angle T1 mapping for M0 = 1,
//   g(a) = sin(a) (1 - E1) / (1 - cos(a) E1),   E1 = exp(-TR R1),
// and the bounds of the (M0, R1) fit. Shared by the starting-value estimates and the fittable model.
#ifndef VOXFLOW_T1_SPGR_SIGNAL_HPP
#define VOXFLOW_T1_SPGR_SIGNAL_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::t1 {

// R1 from 1e-3 1/s (T1 = 1000 s, far beyond any tissue or fluid) to 1e3 1/s (T1 = 1 ms, well below the 22 ms
// of the shortest QIBA phantom value). M0 is in arbitrary units and only needs to be non-negative.
inline constexpr double spgr_r1_min = 1e-3;
inline constexpr double spgr_r1_max = 1e3;
inline constexpr double spgr_m0_max = 1e30;

struct SpgrShape {
  double g;       // signal for M0 = 1
  double dg_dr1;  // its derivative with respect to R1 [s]
};

// Evaluated without cancellation: 1 - E1 = -expm1(-TR R1) and 1 - cos(a) E1 = (1 - E1) + 2 sin^2(a/2) E1, so
// long T1 (TR R1 ~ 1e-3) and small angles keep full relative precision. Both terms of the denominator are >=
// 0 and their sum is > 0 for a in (0, pi) and R1 > 0.
KOKKOS_INLINE_FUNCTION SpgrShape spgr_shape(double alpha_rad, double tr, double r1) {
  double const x = tr * r1;
  double const e1 = kmath::exp(-x);
  double const one_minus_e1 = -kmath::expm1(-x);
  double const s = kmath::sin(alpha_rad);
  double const half = kmath::sin(0.5 * alpha_rad);
  double const one_minus_cos = 2.0 * half * half;
  double const denom = one_minus_e1 + one_minus_cos * e1;
  // d/dE1 [(1 - E1) / (1 - c E1)] = -(1 - c) / (1 - c E1)^2 and dE1/dR1 = -TR E1.
  return SpgrShape{s * one_minus_e1 / denom, s * one_minus_cos * tr * e1 / (denom * denom)};
}

}  // namespace voxflow::t1

#endif
