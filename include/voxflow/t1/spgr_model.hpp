// The SPGR (variable flip angle) signal as a fittable model (fit/model.hpp):
//   S(alpha) = M0 sin(a) (1 - E1) / (1 - cos(a) E1),   E1 = exp(-TR R1),   a = B1 alpha,
// with parameters (M0 [a.u.], R1 [1/s]) and an analytic Jacobian. R1 rather than T1 is fitted because the
// signal is smooth in R1 down to R1 -> 0 (T1 -> infinity), and the OSIPI reference compares R1.
//
// B1 is the voxel's relative flip-angle scale (1 = nominal). It is a plain member, not a View: the T1 driver
// (vfa_mapping.hpp) copies the model per voxel and sets it, so the model stays trivially copyable and the
// generic Levenberg-Marquardt core needs no voxel index.
//
// Speed: sin/cos of the angles and exp(-TR R1) of the start grid do not change within a voxel, and at B1 = 1
// not between voxels either. make_spgr_model computes the nominal angle terms and the start grid's curves
// once per subject; use_b1 recomputes the angle terms of a voxel with B1 != 1 once. A model built by hand
// (alpha, tr, b1 only) computes every term where it is needed and gives the same values to rounding. On host
// spaces the T1 driver fits lane packs of voxels, SpgrPack (spgr_pack.hpp), from a model of make_spgr_model.
#ifndef VOXFLOW_T1_SPGR_MODEL_HPP
#define VOXFLOW_T1_SPGR_MODEL_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>
#include <voxflow/t1/spgr_estimates.hpp>
#include <voxflow/t1/spgr_signal.hpp>

#include <string>
#include <vector>

namespace voxflow::t1 {

// Angles whose terms a voxel keeps; later angles of a longer protocol are computed where needed.
inline constexpr int spgr_cached_angles = 16;

template <class MemorySpace>
struct SpgrModel {
  static constexpr int n_params = 2;               // (M0, R1)
  Kokkos::View<double const*, MemorySpace> alpha;  // nominal flip angles [rad], each in (0, pi)
  double tr = 0.0;                                 // repetition time [s]
  double b1 = 1.0;                                 // this voxel's flip-angle scale
  double lo[n_params] = {0.0, spgr_r1_min};
  double hi[n_params] = {spgr_m0_max, spgr_r1_max};
  // Shared by every voxel, or empty: per start-grid point R1, E1, 1 - E1; and the grid's curves g at B1 = 1
  // (grid point, angle).
  Kokkos::View<double const* [3], MemorySpace> grid;
  Kokkos::View<double const**, Kokkos::LayoutRight, MemorySpace> nominal_g;
  // The terms of angles 0 .. cached_angles - 1 at this b1.
  int cached_angles = 0;
  SpgrAngleTerms angle_cache[spgr_cached_angles] = {};

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(alpha.extent(0)); }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return lo[i]; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const { return hi[i]; }
  KOKKOS_INLINE_FUNCTION double effective_angle(int j) const { return b1 * alpha(j); }

  // Sets this voxel's flip-angle scale and its angle terms.
  KOKKOS_INLINE_FUNCTION void use_b1(double scale) {
    b1 = scale;
    cached_angles = min_of(n_samples(), spgr_cached_angles);
    for (int j = 0; j < cached_angles; ++j) angle_cache[j] = spgr_angle_terms(effective_angle(j));
  }

  KOKKOS_INLINE_FUNCTION SpgrAngleTerms angle_terms(int j) const {
    return j < cached_angles ? angle_cache[j] : spgr_angle_terms(effective_angle(j));
  }

  KOKKOS_INLINE_FUNCTION double grid_r1(int k) const {
    return grid.extent(0) > 0 ? grid(k, 0) : spgr_grid_r1(k);
  }
  // The start grid's curves of this voxel are the shared ones (B1 = 1 and a model from make_spgr_model):
  // nominal_row(k)[j] is the curve at grid point k, flip angle j.
  KOKKOS_INLINE_FUNCTION bool nominal_grid() const { return b1 == 1.0 && nominal_g.extent(0) > 0; }
  KOKKOS_INLINE_FUNCTION double const* nominal_row(int k) const { return &nominal_g(k, 0); }
  // The curve at start-grid point k, flip angle j, computed from the angle and R1 terms.
  KOKKOS_INLINE_FUNCTION double grid_g(int k, int j) const {
    SpgrR1Terms const r =
        grid.extent(0) > 0 ? SpgrR1Terms{grid(k, 1), grid(k, 2)} : spgr_r1_terms(tr, spgr_grid_r1(k));
    return spgr_shape(angle_terms(j), r, tr).g;
  }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    spgr_curve(
        n_samples(), [&](int j) { return angle_terms(j); }, tr, p[0], spgr_r1_terms(tr, p[1]),
        [&](int j, double f, double const(&df)[n_params]) { sink(j, f, df); });
    return true;
  }

  // The best of the DESPOT1 line and a coarse R1 grid, each with M0 in closed form (spgr_estimates.hpp).
  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    start_at(spgr_start(*this, y), p);
  }

  // The starting values of an estimate, inside the bounds.
  KOKKOS_INLINE_FUNCTION void start_at(SpgrEstimate const& e, double (&p)[n_params]) const {
    p[0] = e.m0;
    p[1] = e.r1;
    fit::clamp_to_bounds(*this, p);
  }

  // Lane packs (fit_lane_packs.hpp) of the models of W voxels, SpgrPack (spgr_pack.hpp), which the T1 driver
  // builds per pack from this model with each voxel's B1; they need the shared start grid of a model from
  // make_spgr_model.
  static constexpr bool lane_evaluation = true;
  KOKKOS_INLINE_FUNCTION bool lanes_supported() const { return nominal_grid() && n_samples() > 0; }
};

// The model of nominal flip angles `alpha_rad` and repetition time `tr_s` at B1 = 1, with the angle terms and
// the start grid's tables computed once, by a kernel on `space` with the same functions (and so the same
// device maths) that a model built by hand uses in its kernels there.
template <class MemorySpace, class ExecutionSpace>
SpgrModel<MemorySpace> make_spgr_model(ExecutionSpace const& space, std::vector<double> const& alpha_rad,
                                       double tr_s, std::string const& label) {
  SpgrModel<MemorySpace> m;
  auto const alpha = to_device<MemorySpace>(space, alpha_rad, label + "::alpha");
  m.alpha = alpha;
  m.tr = tr_s;
  int const n = static_cast<int>(alpha_rad.size());
  auto const grid =
      allocate<Kokkos::View<double* [3], MemorySpace>>(space, label + "::grid", spgr_grid_points);
  auto const g = allocate<Kokkos::View<double**, Kokkos::LayoutRight, MemorySpace>>(
      space, label + "::nominal_g", spgr_grid_points, n);
  auto const angles = allocate<Kokkos::View<double* [3], MemorySpace>>(space, label + "::angles", n);
  Kokkos::parallel_for(
      label + "::tables", Kokkos::RangePolicy<ExecutionSpace>(space, 0, spgr_grid_points),
      KOKKOS_LAMBDA(int k) {
        SpgrR1Terms const r = spgr_r1_terms(tr_s, spgr_grid_r1(k));
        grid(k, 0) = spgr_grid_r1(k);
        grid(k, 1) = r.e1;
        grid(k, 2) = r.one_minus_e1;
        for (int j = 0; j < n; ++j) {
          SpgrAngleTerms const a = spgr_angle_terms(alpha(j));
          g(k, j) = spgr_shape(a, r, tr_s).g;
          if (k == 0) {
            angles(j, 0) = a.sin_a;
            angles(j, 1) = a.cos_a;
            angles(j, 2) = a.one_minus_cos;
          }
        }
      });
  auto const angles_host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), angles);
  m.cached_angles = min_of(n, spgr_cached_angles);
  for (int j = 0; j < m.cached_angles; ++j)
    m.angle_cache[j] = SpgrAngleTerms{angles_host(j, 0), angles_host(j, 1), angles_host(j, 2)};
  m.grid = grid;
  m.nominal_g = g;
  return m;
}

}  // namespace voxflow::t1

#endif
