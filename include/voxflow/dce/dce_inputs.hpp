// What every DCE pharmacokinetic model reads besides a voxel's curve: tissue sample times and the plasma AIF on its own
// grid, all in minutes (rates are per minute, DESIGN.md §5), plus bounds and the arterial-delay setting.
#ifndef VOXFLOW_DCE_DCE_INPUTS_HPP
#define VOXFLOW_DCE_DCE_INPUTS_HPP

#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>
#include <voxflow/signal/aif_convolution.hpp>

namespace voxflow::dce {

template <class MemorySpace>
struct DceInputs {
  Kokkos::View<double const*, MemorySpace> t;   // tissue sample times, min
  Kokkos::View<double const*, MemorySpace> ta;  // AIF sample times, min
  Kokkos::View<double const*, MemorySpace> ca;  // AIF plasma concentration, mM

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(t.extent(0)); }
  KOKKOS_INLINE_FUNCTION int n_aif() const { return static_cast<int>(ta.extent(0)); }
  KOKKOS_INLINE_FUNCTION signal::AifConvolution<Kokkos::View<double const*, MemorySpace>,
                                                Kokkos::View<double const*, MemorySpace>>
  convolution(double rate) const {
    return {ta, ca, n_aif(), rate};
  }
};

// Arterial delay as an extra fitted parameter, in seconds: tissue time t sees the AIF at t - delay.
struct DelaySearch {
  double lower_s = -10.0;
  double upper_s = 20.0;
  double grid_step_s = 1.0;  // starting values are searched on this grid before LM refines the delay
};

inline constexpr double seconds_per_minute = 60.0;

// Sum of squared residuals of one model curve against y: the score of a candidate start.
template <int P, class Curve>
struct CostSink {
  Curve const* y;
  double cost = 0.0;
  KOKKOS_FORCEINLINE_FUNCTION void operator()(int j, double f, double const (&)[P]) {
    double const r = (*y)(j)-f;
    cost += r * r;
  }
};

template <class Model, class Curve>
KOKKOS_INLINE_FUNCTION double model_cost(Model const& model, Curve const& y, double const (&p)[Model::n_params]) {
  CostSink<Model::n_params, Curve> sink{&y};
  if (!model.evaluate(p, sink) || !is_finite(sink.cost)) return 1e300;
  return sink.cost;
}

}  // namespace voxflow::dce

#endif
