// Host entry point of voxel fitting: one parallel_for over voxels, each running its own bounded
// Levenberg-Marquardt (levenberg_marquardt.hpp) and writing parameters, status, R², SSE and iteration count.
// On host spaces, models with a lane pass fit host_lanes voxels per work item in SIMD lanes
// (fit_lane_packs.hpp), with the same per-voxel results.
#ifndef VOXFLOW_FIT_FIT_VOXELS_HPP
#define VOXFLOW_FIT_FIT_VOXELS_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/fit_lane_packs.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>

#include <string>
#include <type_traits>
#include <utility>

namespace voxflow::fit {

// Per-voxel outputs of a fit; all Views live in the same memory space.
template <class MemorySpace>
struct FitOutputs {
  Maps<MemorySpace> params;       // (voxel, parameter)
  StatusMap<MemorySpace> status;  // FitStatus codes
  VoxelValues<MemorySpace> r2;    // coefficient of determination
  VoxelValues<MemorySpace> sse;   // sum of squared residuals
  IterationMap<MemorySpace> iterations;

  FitOutputs() = default;
  template <class ExecutionSpace>
  FitOutputs(ExecutionSpace const& space, std::string const& label, int n_voxels, int n_params)
      : params(allocate<Maps<MemorySpace>>(space, label + "::params", n_voxels, n_params)),
        status(allocate<StatusMap<MemorySpace>>(space, label + "::status", n_voxels)),
        r2(allocate<VoxelValues<MemorySpace>>(space, label + "::r2", n_voxels)),
        sse(allocate<VoxelValues<MemorySpace>>(space, label + "::sse", n_voxels)),
        iterations(allocate<IterationMap<MemorySpace>>(space, label + "::iterations", n_voxels)) {}
};

// One voxel's curve as a callable: y(j) = data(voxel, j).
template <class DataView>
struct VoxelCurve {
  DataView data;
  int voxel;
  KOKKOS_FORCEINLINE_FUNCTION double operator()(int j) const { return data(voxel, j); }
};

namespace detail {

// Models with several local minima (2CXM, 2CUM) declare `n_alternative_starts` and
// `alternative_start(i, primary, p)`; the others pay nothing for the feature.
template <class Model, class = void>
struct has_alternative_starts : std::false_type {};
template <class Model>
struct has_alternative_starts<Model, std::void_t<decltype(Model::n_alternative_starts)>> : std::true_type {};

template <class Model, class Curve, class = void>
struct has_linear_solution : std::false_type {};
template <class Model, class Curve>
struct has_linear_solution<Model, Curve,
                           std::void_t<decltype(std::declval<Model const&>().linear_solution(
                               std::declval<Curve const&>(), std::declval<double (&)[Model::n_params]>(),
                               std::declval<LMResult&>()))>> : std::true_type {};

template <class Model, class DataView, class MaskView, class Outputs>
struct FitVoxelsFunctor {
  using Curve = VoxelCurve<DataView>;
  Model model;
  DataView data;
  MaskView mask;
  Outputs out;
  LMOptions options;

  KOKKOS_INLINE_FUNCTION void operator()(int v) const {
    VoxelCurve<DataView> const y{data, v};
    double p[Model::n_params];
    if (!begin(v, y, p)) return;
    LMResult const r = levenberg_marquardt(model, y, p, options);
    finish(v, y, p, r);
  }

  // A voxel's fit up to LM: writes masked-out voxels and exact linear solutions and returns false, or puts
  // the model's starting values into p and returns true.
  KOKKOS_INLINE_FUNCTION bool begin(int v, VoxelCurve<DataView> const& y,
                                    double (&p)[Model::n_params]) const {
    if (!prepare(v, y, p)) return false;
    model.initial_guess(y, p);
    return true;
  }

  // begin() without the starting values, which the lane-pack driver (fit_lane_packs.hpp) computes for a whole
  // pack: false when the voxel is written already.
  KOKKOS_INLINE_FUNCTION bool prepare(int v, VoxelCurve<DataView> const& y,
                                      double (&p)[Model::n_params]) const {
    if (written_as_masked_out(v)) return false;
    if constexpr (has_linear_solution<Model, VoxelCurve<DataView>>::value) {
      LMResult r;
      if (model.linear_solution(y, p, r)) {  // exact least squares in one pass: no iterations needed
        write(v, p, r);
        return false;
      }
    }
    (void)y;
    (void)p;
    return true;
  }

  // Writes a voxel outside the mask (and returns true) or leaves it to be fitted.
  KOKKOS_INLINE_FUNCTION bool written_as_masked_out(int v) const {
    if (mask.extent(0) == 0 || mask(v) != 0) return false;
    for (int i = 0; i < Model::n_params; ++i) out.params(v, i) = 0.0;
    out.status(v) = static_cast<std::uint8_t>(FitStatus::masked_out);
    out.r2(v) = 0.0;
    out.sse(v) = 0.0;
    out.iterations(v) = 0;
    return true;
  }

  // A voxel's fit after LM from its starting values (result r, parameters p): alternative starts where the
  // model has them, then the outputs.
  KOKKOS_INLINE_FUNCTION void finish(int v, VoxelCurve<DataView> const& y, double (&p)[Model::n_params],
                                     LMResult r) const {
    constexpr int P = Model::n_params;
    if constexpr (has_alternative_starts<Model>::value) {
      // A fit that did not converge cleanly or explains the curve poorly may sit in a local minimum: refit
      // from the model's alternative starts and keep the lowest cost.
      bool const doubtful = r.status != FitStatus::non_finite_input && r.status != FitStatus::flat_signal &&
                            (r.status != FitStatus::converged || r.r2 < options.multistart_below_r2);
      if (doubtful) {
        double first[P];
        for (int i = 0; i < P; ++i) first[i] = p[i];
        for (int s = 0; s < Model::n_alternative_starts; ++s) {
          double q[P];
          model.alternative_start(s, first, q);
          LMResult const rq = levenberg_marquardt(model, y, q, options);
          if (fit_status_usable(rq.status) && (rq.sse < r.sse || !fit_status_usable(r.status))) {
            r = rq;
            for (int i = 0; i < P; ++i) p[i] = q[i];
          }
        }
      }
    }
    (void)y;
    write(v, p, r);
  }

  KOKKOS_INLINE_FUNCTION void write(int v, double const (&p)[Model::n_params], LMResult const& r) const {
    for (int i = 0; i < Model::n_params; ++i) out.params(v, i) = p[i];
    out.status(v) = static_cast<std::uint8_t>(r.status);
    out.r2(v) = r.r2;
    out.sse(v) = r.sse;
    out.iterations(v) = static_cast<std::uint16_t>(r.iterations);
  }
};

}  // namespace detail

// Runs a per-voxel fit functor over every voxel of its data on `space`: host_lanes voxels per work item in
// lane packs (fit_lane_packs.hpp) where its model has a lane pass on these inputs, else one voxel per work
// item (its operator()). The functor follows detail::FitVoxelsFunctor's protocol: the members model, data
// and options (LMOptions), the type Curve, and prepare(), finish(), and for models with lane linear
// solutions written_as_masked_out() and write().
template <class ExecutionSpace, class Functor>
void run_voxel_fits(ExecutionSpace const& space, Functor const& functor, std::string const& label) {
  using Model = std::decay_t<decltype(functor.model)>;
  int const n = static_cast<int>(functor.data.extent(0));
  if constexpr (host_lanes > 1 && detail::has_lane_evaluation<Model>::value &&
                Kokkos::SpaceAccessibility<ExecutionSpace, Kokkos::HostSpace>::accessible) {
    if (lane_pack_width<ExecutionSpace>(functor.model, functor.options) == host_lanes) {
      int const packs = (n + host_lanes - 1) / host_lanes;
      Kokkos::parallel_for(label + "_in_lanes", Kokkos::RangePolicy<ExecutionSpace>(space, 0, packs),
                           detail::FitLanePacksFunctor<Functor, host_lanes>{functor});
      return;
    }
  }
  Kokkos::parallel_for(label, Kokkos::RangePolicy<ExecutionSpace>(space, 0, n), functor);
}

// Fits every voxel of `data` (voxel, time) with `model` on `space`. `mask` holds one byte per voxel (0 =
// skip) or is empty (fit all). Outputs must be sized for data.extent(0) voxels and model's parameter count.
template <class ExecutionSpace, class Model, class MemorySpace>
void fit_voxels(ExecutionSpace const& space, Model const& model, Series<MemorySpace> const& data,
                Kokkos::View<std::uint8_t const*, MemorySpace> const& mask, LMOptions const& options,
                FitOutputs<MemorySpace> const& out) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::fit::fit_voxels: the first argument must be a Kokkos execution space");
  static_assert(Kokkos::SpaceAccessibility<ExecutionSpace, MemorySpace>::accessible,
                "voxflow::fit::fit_voxels: data and outputs must be accessible from the execution space");
  using Functor =
      detail::FitVoxelsFunctor<Model, Series<MemorySpace>, Kokkos::View<std::uint8_t const*, MemorySpace>,
                               FitOutputs<MemorySpace>>;
  ScopedRegion region("voxflow::fit::fit_voxels");
  run_voxel_fits(space, Functor{model, data, mask, out, options}, "voxflow::fit::fit_voxels");
}

}  // namespace voxflow::fit

#endif
