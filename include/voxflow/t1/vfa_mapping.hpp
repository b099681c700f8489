// Variable-flip-angle (SPGR) T1 mapping, host API (DESIGN.md §1: execution space first, inputs, outputs):
//
//   map_t1_vfa(space, signal (voxel, flip), flip_angles_deg, tr_s, b1 (voxel) or empty,
//              mask (voxel) or empty, method, outputs [, options])
//
// Inputs are validated on the host before any kernel (t1_validation.hpp). Then one work item per voxel
// computes the chosen estimate (on host spaces the non-linear fit takes lane packs of voxels,
// fit_lane_packs.hpp and spgr_pack.hpp, with the same per-voxel results); every voxel ends with a FitStatus
// code and never stops the others:
//   masked_out        outside the mask; T1, R1, M0, R², SSE = 0.
//   non_finite_input  NaN/Inf signal, or a B1 that is not finite, <= 0 or pushes a flip angle to
//                     >= 180 degrees; T1, R1, M0, SSE = NaN.
//   flat_signal       every sample is zero: M0 = 0, T1 = R1 = NaN; or a constant non-zero signal
//                     (fitted, R² = 0).
//   singular          linear methods: the DESPOT1 line is undetermined (all x = S / tan a equal);
//                     non-linear: as in levenberg_marquardt.hpp.
//   non_finite_model  linear methods: the line gives E1 outside (0, 1) or M0 <= 0, i.e. no physical
//                     T1; T1, R1, M0 = NaN.
//   converged, converged_at_bound, max_iterations, stalled: as reported by the non-linear fit.
// R² and SSE compare the SPGR curve at the estimate with every flip angle's sample, for all methods.
#ifndef VOXFLOW_T1_VFA_MAPPING_HPP
#define VOXFLOW_T1_VFA_MAPPING_HPP

#include <voxflow/core/units.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/fit/fit_voxels.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>
#include <voxflow/t1/mapping_support.hpp>
#include <voxflow/t1/spgr_model.hpp>
#include <voxflow/t1/spgr_pack.hpp>
#include <voxflow/t1/t1_method.hpp>
#include <voxflow/t1/t1_validation.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::t1 {

// Per-voxel results of VFA T1 mapping; all Views live in the same memory space.
template <class MemorySpace>
struct T1Outputs {
  VoxelValues<MemorySpace> t1;  // s
  VoxelValues<MemorySpace> r1;  // 1/s
  VoxelValues<MemorySpace> m0;  // a.u., the signal's units
  StatusMap<MemorySpace> status;
  VoxelValues<MemorySpace> r2;
  VoxelValues<MemorySpace> sse;
  IterationMap<MemorySpace> iterations;  // 0 for the closed-form methods

  T1Outputs() = default;
  template <class ExecutionSpace>
  T1Outputs(ExecutionSpace const& space, std::string const& label, int n_voxels)
      : t1(allocate<VoxelValues<MemorySpace>>(space, label + "::t1", n_voxels)),
        r1(allocate<VoxelValues<MemorySpace>>(space, label + "::r1", n_voxels)),
        m0(allocate<VoxelValues<MemorySpace>>(space, label + "::m0", n_voxels)),
        status(allocate<StatusMap<MemorySpace>>(space, label + "::status", n_voxels)),
        r2(allocate<VoxelValues<MemorySpace>>(space, label + "::r2", n_voxels)),
        sse(allocate<VoxelValues<MemorySpace>>(space, label + "::sse", n_voxels)),
        iterations(allocate<IterationMap<MemorySpace>>(space, label + "::iterations", n_voxels)) {}

  // Smallest and largest extent among the Views, for validation.
  std::size_t min_extent() const { return detail::min_extent(t1, r1, m0, status, r2, sse, iterations); }
  std::size_t max_extent() const { return detail::max_extent(t1, r1, m0, status, r2, sse, iterations); }
};

namespace detail {

// One voxel's T1 estimate per work item (operator()); for the non-linear method also the per-voxel functor
// of fit::run_voxel_fits, which fits lane packs of voxels on host spaces: prepare(), pack_model() and
// finish() around the same LM.
template <class MemorySpace>
struct VfaFunctor {
  using Curve = fit::VoxelCurve<Series<MemorySpace>>;
  SpgrModel<MemorySpace> model;
  Series<MemorySpace> data;
  Kokkos::View<double const*, MemorySpace> b1;
  Kokkos::View<std::uint8_t const*, MemorySpace> mask;
  T1Outputs<MemorySpace> out;
  T1Method method;
  bool weighted_linear;
  fit::LMOptions options;  // the non-linear fit's

  KOKKOS_INLINE_FUNCTION void write(int v, double m0, double r1, FitStatus s, double r2, double sse,
                                    int it) const {
    out.m0(v) = m0;
    out.r1(v) = r1;
    out.t1(v) = r1 > 0.0 ? 1.0 / r1 : kmath::nan("");
    out.status(v) = static_cast<std::uint8_t>(s);
    out.r2(v) = r2;
    out.sse(v) = sse;
    out.iterations(v) = static_cast<std::uint16_t>(it);
  }

  // The flip-angle scale of voxel v (1 without a B1 map).
  KOKKOS_INLINE_FUNCTION double b1_of(int v) const { return b1.extent(0) > 0 ? b1(v) : 1.0; }

  // A scale that is finite, positive and keeps every flip angle below 180 degrees.
  KOKKOS_INLINE_FUNCTION bool usable_b1(double scale) const {
    bool ok = is_finite(scale) && scale > 0.0;
    for (int j = 0; j < model.n_samples() && ok; ++j) ok = scale * model.alpha(j) < units::pi;
    return ok;
  }

  // Writes the voxels no method estimates (outside the mask, non-finite, a B1 that is not usable, all-zero
  // signal) and returns false for them.
  KOKKOS_INLINE_FUNCTION bool estimable(int v, Curve const& y, fit::CurveStats& stats) const {
    double const nan = kmath::nan("");
    if (mask.extent(0) > 0 && mask(v) == 0) {
      write(v, 0.0, 0.0, FitStatus::masked_out, 0.0, 0.0, 0);
      out.t1(v) = 0.0;
      return false;
    }
    stats = fit::curve_stats(y, model.n_samples());
    if (!stats.finite || !usable_b1(b1_of(v))) {
      write(v, nan, nan, FitStatus::non_finite_input, 0.0, nan, 0);
      return false;
    }
    if (stats.sum_sq == 0.0) {
      write(v, 0.0, nan, FitStatus::flat_signal, 0.0, 0.0, 0);
      return false;
    }
    return true;
  }

  // fit::run_voxel_fits' protocol for the lane packs: prepare(), the model of a pack with each voxel's B1
  // (lanes past the end and voxels prepare() wrote take B1 = 1: they are never fitted), finish().
  KOKKOS_INLINE_FUNCTION bool prepare(int v, Curve const& y, double (&)[2]) const {
    fit::CurveStats stats;
    return estimable(v, y, stats);
  }
  template <int W>
  KOKKOS_INLINE_FUNCTION SpgrPack<MemorySpace, W> pack_model(int v0) const {
    double scale[W];
    for (int l = 0; l < W; ++l) {
      int const v = v0 + l;
      scale[l] = v < static_cast<int>(data.extent(0)) && usable_b1(b1_of(v)) ? b1_of(v) : 1.0;
    }
    return SpgrPack<MemorySpace, W>(model, scale);
  }
  KOKKOS_INLINE_FUNCTION void finish(int v, Curve const&, double (&p)[2], fit::LMResult const& r) const {
    write(v, p[0], p[1], r.status, r.r2, r.sse, r.iterations);
  }

  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    Curve const y{data, v};
    fit::CurveStats stats;
    if (!estimable(v, y, stats)) return;
    SpgrModel<MemorySpace> m = model;
    if (b1_of(v) != 1.0) m.use_b1(b1_of(v));  // the model holds the terms of B1 = 1

    if (method == T1Method::nonlinear) {
      double p[2];
      m.initial_guess(y, p);
      fit::LMResult const r = fit::levenberg_marquardt(m, y, p, options);
      return finish(v, y, p, r);
    }
    SpgrEstimate const e = despot1_estimate(m, y, method == T1Method::two_point, weighted_linear);
    double const nan = kmath::nan("");
    if (e.status != FitStatus::converged) return write(v, nan, nan, e.status, 0.0, nan, 0);
    double const p[2] = {e.m0, e.r1};
    SseSink<2, Curve> sink{&y};
    m.evaluate(p, sink);
    bool const flat = !(stats.sst > 0.0);
    write(v, e.m0, e.r1, flat ? FitStatus::flat_signal : FitStatus::converged,
          flat ? 0.0 : 1.0 - sink.sse / stats.sst, sink.sse, 0);
  }
};

}  // namespace detail

// Fits every voxel of `signal` (voxel, flip angle).
//   flip_angles_deg  nominal flip angles [deg], each in (0, 180); at least two different ones for every
//                    method (two_point: first != last); with exactly two the non-linear fit interpolates.
//   tr_s             repetition time [s].
//   b1               per-voxel flip-angle scale, effective angle = b1 * nominal (1 = nominal; a B1 map in
//                    percent must be divided by 100), or an empty View for no correction.
//   mask             one byte per voxel (0 = skip), or an empty View for all voxels.
// Throws InputError before any kernel runs when an input is invalid. Returns when the outputs are complete.
template <class ExecutionSpace, class MemorySpace>
void map_t1_vfa(
    ExecutionSpace const& space, Series<MemorySpace> const& signal,
    typename detail::identity<Kokkos::View<double const*, MemorySpace>>::type const& flip_angles_deg,
    double tr_s, typename detail::identity<Kokkos::View<double const*, MemorySpace>>::type const& b1,
    typename detail::identity<Kokkos::View<std::uint8_t const*, MemorySpace>>::type const& mask,
    T1Method method, T1Outputs<MemorySpace> const& out, T1Options const& options = {}) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::t1::map_t1_vfa: the first argument must be a Kokkos execution space");
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, MemorySpace>::accessible,
                "voxflow::t1::map_t1_vfa: inputs and outputs must be accessible from the execution space");
  ScopedRegion region("voxflow::t1::map_t1_vfa");
  std::vector<double> const angles = detail::to_host_vector(flip_angles_deg);
  T1InputShape const shape{signal.extent(0), signal.extent(1), b1.extent(0),
                           mask.extent(0),   out.min_extent(), out.max_extent()};
  validate_vfa_inputs("map_t1_vfa", angles, tr_s, shape, method);

  std::vector<double> radians(angles);
  for (double& a : radians) a *= units::degrees_to_radians;
  auto const model = make_spgr_model<MemorySpace>(space, radians, tr_s, "voxflow::t1::map_t1_vfa");
  fit::LMOptions lm = options.lm;
  lm.lane_packs = lm.lane_packs && method == T1Method::nonlinear;  // the closed forms take no lanes
  fit::run_voxel_fits(
      space,
      detail::VfaFunctor<MemorySpace>{model, signal, b1, mask, out, method, options.weighted_linear, lm},
      "voxflow::t1::map_t1_vfa");
  // The model's Views are temporaries of this call: finish before they are released.
  fence(space, "voxflow::t1::map_t1_vfa");
}

}  // namespace voxflow::t1

#endif
