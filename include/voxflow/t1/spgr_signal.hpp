// The spoiled gradient-echo (SPGR) steady-state signal of variable-flip-angle T1 mapping for M0 = 1,
//   g(a) = sin(a) (1 - E1) / (1 - cos(a) E1),   E1 = exp(-TR R1),
// and the bounds of the (M0, R1) fit. Shared by the starting-value estimates and the fittable model.
//
// The transcendental terms are split by what they depend on, so callers compute each once: the angle terms
// once per flip angle and voxel (once per subject when B1 = 1), the R1 terms once per R1 value, not once per
// (angle, R1) pair. spgr_shape combines them with a few multiplications and one division.
#ifndef VOXFLOW_T1_SPGR_SIGNAL_HPP
#define VOXFLOW_T1_SPGR_SIGNAL_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::t1 {

// R1 from 1e-3 1/s (T1 = 1000 s, far beyond any tissue or fluid) to 1e3 1/s (T1 = 1 ms, well below the 22 ms
// of the shortest QIBA phantom value). M0 is in arbitrary units and only needs to be non-negative.
inline constexpr double spgr_r1_min = 1e-3;
inline constexpr double spgr_r1_max = 1e3;
inline constexpr double spgr_m0_max = 1e30;

// The coarse R1 grid of the non-linear fit's start (spgr_estimates.hpp): 10 points per decade across the R1
// bounds, both ends included.
inline constexpr int spgr_grid_per_decade = 10;
inline constexpr int spgr_grid_points = 6 * spgr_grid_per_decade + 1;  // log10(spgr_r1_max / spgr_r1_min) = 6

KOKKOS_INLINE_FUNCTION double spgr_grid_r1(int k) {
  return spgr_r1_min * kmath::pow(10.0, static_cast<double>(k) / spgr_grid_per_decade);
}

// V is double for one voxel, or fit::LanePack<W> for W voxels in lanes (spgr_model.hpp's lane pass): the same
// operations in the same order either way.
template <class V>
struct BasicSpgrShape {
  V g;       // signal for M0 = 1
  V dg_dr1;  // its derivative with respect to R1 [s]
};
using SpgrShape = BasicSpgrShape<double>;

// The terms of one (effective) flip angle a in (0, pi): of one voxel, or of a lane pack's voxels, each with
// its own B1.
template <class V>
struct BasicSpgrAngleTerms {
  V sin_a;
  V cos_a;
  V one_minus_cos;  // 2 sin^2(a/2): 1 - cos(a) without cancellation at small angles
};
using SpgrAngleTerms = BasicSpgrAngleTerms<double>;

// The terms of one R1 at a given TR.
template <class V>
struct BasicSpgrR1Terms {
  V e1;            // exp(-TR R1)
  V one_minus_e1;  // -expm1(-TR R1): 1 - E1 without cancellation at long T1
};
using SpgrR1Terms = BasicSpgrR1Terms<double>;

KOKKOS_INLINE_FUNCTION SpgrAngleTerms spgr_angle_terms(double alpha_rad) {
  double const half = kmath::sin(0.5 * alpha_rad);
  return SpgrAngleTerms{kmath::sin(alpha_rad), kmath::cos(alpha_rad), 2.0 * half * half};
}

KOKKOS_INLINE_FUNCTION SpgrR1Terms spgr_r1_terms(double tr, double r1) {
  double const x = tr * r1;
  return SpgrR1Terms{kmath::exp(-x), -kmath::expm1(-x)};
}

// Evaluated without cancellation: 1 - cos(a) E1 = (1 - E1) + 2 sin^2(a/2) E1, so long T1 (TR R1 ~ 1e-3) and
// small angles keep full relative precision. Both terms of the denominator are >= 0 and their sum is > 0 for
// a in (0, pi) and R1 > 0.
// A and V are each double or one fit::LanePack<W>: the shape is a pack where either is.
template <class A, class V>
KOKKOS_INLINE_FUNCTION auto spgr_shape(BasicSpgrAngleTerms<A> const& a, BasicSpgrR1Terms<V> const& r,
                                       double tr) {
  using R = decltype(a.sin_a * r.e1);
  R const denom = r.one_minus_e1 + a.one_minus_cos * r.e1;
  // d/dE1 [(1 - E1) / (1 - c E1)] = -(1 - c) / (1 - c E1)^2 and dE1/dR1 = -TR E1.
  return BasicSpgrShape<R>{a.sin_a * r.one_minus_e1 / denom,
                           a.sin_a * a.one_minus_cos * tr * r.e1 / (denom * denom)};
}

// The curve M0 g and its gradient (g, M0 dg/dR1) at the n flip angles whose terms are angle_terms(j), for one
// voxel (V = double) or a lane pack: emit(j, f, df).
template <class AngleTerms, class V, class Emit>
KOKKOS_FORCEINLINE_FUNCTION void spgr_curve(int n, AngleTerms const& angle_terms, double tr, V m0,
                                            BasicSpgrR1Terms<V> const& r, Emit&& emit) {
  for (int j = 0; j < n; ++j) {
    auto const sh = spgr_shape(angle_terms(j), r, tr);
    V const df[2] = {sh.g, m0 * sh.dg_dr1};
    emit(j, m0 * sh.g, df);
  }
}

}  // namespace voxflow::t1

#endif
