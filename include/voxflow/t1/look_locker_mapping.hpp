// Look-Locker T1 mapping, host API (DESIGN.md §1: execution space first, inputs, outputs):
//
//   map_t1_look_locker(space, signal (voxel, TI), inversion_times_s, mask (voxel) or empty,
//                      outputs [, options])
//
// Each voxel's signed recovery curve is fitted with S(TI) = A - B exp(-TI / T1*) (look_locker_model.hpp)
// and corrected with T1 = T1* (B/A - 1) (Deichmann & Haase 1992). Statuses are those of the LM core, plus
//   masked_out        outside the mask; every output 0.
//   flat_signal       a constant curve: T1 = R1 = NaN.
//   non_finite_model  the fit is usable but B/A <= 1 (no inversion, e.g. magnitude data): T1 = R1 = NaN,
//                     while A, B, T1* and R² are kept for inspection.
// Magnitude data must be polarity-restored before the call; no restoration is attempted here.
#ifndef VOXFLOW_T1_LOOK_LOCKER_MAPPING_HPP
#define VOXFLOW_T1_LOOK_LOCKER_MAPPING_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/fit_voxels.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>
#include <voxflow/t1/look_locker_model.hpp>
#include <voxflow/t1/mapping_support.hpp>
#include <voxflow/t1/t1_validation.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::t1 {

template <class MemorySpace>
struct LookLockerOutputs {
  VoxelValues<MemorySpace> t1;       // corrected T1 [s]
  VoxelValues<MemorySpace> r1;       // 1/T1 [1/s]
  VoxelValues<MemorySpace> t1_star;  // apparent T1* [s]
  VoxelValues<MemorySpace> a;        // signal units
  VoxelValues<MemorySpace> b;        // signal units
  StatusMap<MemorySpace> status;
  VoxelValues<MemorySpace> r2;
  VoxelValues<MemorySpace> sse;
  IterationMap<MemorySpace> iterations;

  LookLockerOutputs() = default;
  template <class ExecutionSpace>
  LookLockerOutputs(ExecutionSpace const& space, std::string const& label, int n_voxels)
      : t1(allocate<VoxelValues<MemorySpace>>(space, label + "::t1", n_voxels)),
        r1(allocate<VoxelValues<MemorySpace>>(space, label + "::r1", n_voxels)),
        t1_star(allocate<VoxelValues<MemorySpace>>(space, label + "::t1_star", n_voxels)),
        a(allocate<VoxelValues<MemorySpace>>(space, label + "::a", n_voxels)),
        b(allocate<VoxelValues<MemorySpace>>(space, label + "::b", n_voxels)),
        status(allocate<StatusMap<MemorySpace>>(space, label + "::status", n_voxels)),
        r2(allocate<VoxelValues<MemorySpace>>(space, label + "::r2", n_voxels)),
        sse(allocate<VoxelValues<MemorySpace>>(space, label + "::sse", n_voxels)),
        iterations(allocate<IterationMap<MemorySpace>>(space, label + "::iterations", n_voxels)) {}

  std::size_t min_extent() const {
    return detail::min_extent(t1, r1, t1_star, a, b, status, r2, sse, iterations);
  }
  std::size_t max_extent() const {
    return detail::max_extent(t1, r1, t1_star, a, b, status, r2, sse, iterations);
  }
};

namespace detail {

// fit_status_usable (core/fit_status.hpp) is a host-only constexpr function; kernels need their own spelling.
KOKKOS_INLINE_FUNCTION bool usable(FitStatus s) {
  return s == FitStatus::converged || s == FitStatus::converged_at_bound || s == FitStatus::max_iterations ||
         s == FitStatus::flat_signal;
}

template <class MemorySpace>
struct LookLockerFunctor {
  LookLockerModel<MemorySpace> model;
  Series<MemorySpace> data;
  Kokkos::View<std::uint8_t const*, MemorySpace> mask;
  LookLockerOutputs<MemorySpace> out;
  fit::LMOptions options;

  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    if (mask.extent(0) > 0 && mask(v) == 0) {
      out.t1(v) = out.r1(v) = out.t1_star(v) = out.a(v) = out.b(v) = out.r2(v) = out.sse(v) = 0.0;
      out.status(v) = static_cast<std::uint8_t>(FitStatus::masked_out);
      out.iterations(v) = 0;
      return;
    }
    fit::VoxelCurve<Series<MemorySpace>> const y{data, v};
    double p[3];
    model.initial_guess(y, p);
    fit::LMResult const r = fit::levenberg_marquardt(model, y, p, options);
    FitStatus status = r.status;
    double const nan = kmath::nan("");
    double t1 = nan;
    // A flat curve keeps its own code (T1 undefined); any other usable fit without a real inversion is
    // non-physical.
    if (status != FitStatus::flat_signal && usable(status) && !look_locker_t1(p[0], p[1], p[2], t1))
      status = FitStatus::non_finite_model;
    if (status == FitStatus::flat_signal || !usable(status)) t1 = nan;
    out.t1(v) = t1;
    out.r1(v) = is_finite(t1) ? 1.0 / t1 : nan;
    out.t1_star(v) = p[2] > 0.0 ? 1.0 / p[2] : nan;
    out.a(v) = p[0];
    out.b(v) = p[1];
    out.status(v) = static_cast<std::uint8_t>(status);
    out.r2(v) = r.r2;
    out.sse(v) = r.sse;
    out.iterations(v) = static_cast<std::uint16_t>(r.iterations);
  }
};

}  // namespace detail

// Fits every voxel of `signal` (voxel, inversion time). inversion_times_s: at least three, finite, >= 0 and
// strictly increasing [s]; mask: one byte per voxel (0 = skip) or an empty View. Throws InputError before any
// kernel runs when an input is invalid. Returns when the outputs are complete.
template <class ExecutionSpace, class MemorySpace>
void map_t1_look_locker(
    ExecutionSpace const& space, Series<MemorySpace> const& signal,
    typename detail::identity<Kokkos::View<double const*, MemorySpace>>::type const& inversion_times_s,
    typename detail::identity<Kokkos::View<std::uint8_t const*, MemorySpace>>::type const& mask,
    LookLockerOutputs<MemorySpace> const& out, fit::LMOptions const& options = {}) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::t1::map_t1_look_locker: the first argument must be a Kokkos execution space");
  static_assert(
      Kokkos::SpaceAccessibility<ExecutionSpace, MemorySpace>::accessible,
      "voxflow::t1::map_t1_look_locker: inputs and outputs must be accessible from the execution space");
  ScopedRegion region("voxflow::t1::map_t1_look_locker");
  std::vector<double> const times = detail::to_host_vector(inversion_times_s);
  T1InputShape const shape{signal.extent(0), signal.extent(1), 0,
                           mask.extent(0),   out.min_extent(), out.max_extent()};
  validate_look_locker_inputs("map_t1_look_locker", times, shape);
  auto const model =
      make_look_locker_model<MemorySpace>(space, inversion_times_s, "voxflow::t1::map_t1_look_locker");
  int const n = static_cast<int>(signal.extent(0));
  Kokkos::parallel_for("voxflow::t1::map_t1_look_locker", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n),
                       detail::LookLockerFunctor<MemorySpace>{model, signal, mask, out, options});
  fence(space, "voxflow::t1::map_t1_look_locker");
}

}  // namespace voxflow::t1

#endif
