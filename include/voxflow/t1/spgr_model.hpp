// The SPGR (variable flip angle) signal as a fittable model (fit/model.hpp):
//   S(alpha) = M0 sin(a) (1 - E1) / (1 - cos(a) E1),   E1 = exp(-TR R1),   a = B1 alpha,
// with parameters (M0 [a.u.], R1 [1/s]) and an analytic Jacobian. R1 rather than T1 is fitted because the
// signal is smooth in R1 down to R1 -> 0 (T1 -> infinity), and the OSIPI reference compares R1.
//
// B1 is the voxel's relative flip-angle scale (1 = nominal). It is a plain member, not a View: the T1 driver
// (vfa_mapping.hpp) copies the model per voxel and sets it, so the model stays trivially copyable and the
// generic Levenberg-Marquardt core needs no voxel index.
#ifndef VOXFLOW_T1_SPGR_MODEL_HPP
#define VOXFLOW_T1_SPGR_MODEL_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>
#include <voxflow/t1/spgr_estimates.hpp>
#include <voxflow/t1/spgr_signal.hpp>

namespace voxflow::t1 {

template <class MemorySpace>
struct SpgrModel {
  static constexpr int n_params = 2;               // (M0, R1)
  Kokkos::View<double const*, MemorySpace> alpha;  // nominal flip angles [rad], each in (0, pi)
  double tr = 0.0;                                 // repetition time [s]
  double b1 = 1.0;                                 // this voxel's flip-angle scale
  double lo[n_params] = {0.0, spgr_r1_min};
  double hi[n_params] = {spgr_m0_max, spgr_r1_max};

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(alpha.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }
  KOKKOS_INLINE_FUNCTION double effective_angle(int j) const { return b1 * alpha(j); }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    for (int j = 0; j < n_samples(); ++j) {
      SpgrShape const sh = spgr_shape(effective_angle(j), tr, p[1]);
      double const df[n_params] = {sh.g, p[0] * sh.dg_dr1};
      sink(j, p[0] * sh.g, df);
    }
    return true;
  }

  // The best of the DESPOT1 line and a coarse R1 grid, each with M0 in closed form (spgr_estimates.hpp).
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    SpgrEstimate const e = spgr_start(*this, y);
    p[0] = e.m0;
    p[1] = e.r1;
    fit::clamp_to_bounds(*this, p);
  }
};

}  // namespace voxflow::t1

#endif
