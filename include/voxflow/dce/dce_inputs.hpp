// What every DCE pharmacokinetic model reads besides a voxel's curve: tissue sample times and the plasma AIF
// on its own grid, all in minutes (rates are per minute, DESIGN.md §5), plus bounds and the arterial-delay
// setting.
#ifndef VOXFLOW_DCE_DCE_INPUTS_HPP
#define VOXFLOW_DCE_DCE_INPUTS_HPP

#include <voxflow/core/units.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/fit/model.hpp>
#include <voxflow/signal/aif_convolution.hpp>

namespace voxflow::dce {

// The convolutions of the AIF with exp(-k_r t) for R rates at one tissue sample.
template <int R>
struct ConvolvedSample {
  double f[R];   // F_k(tau)
  double g[R];   // dF_k/dk
  double c;      // Cp(tau)
  double slope;  // dCp/dtau, filled only when requested (delay derivatives)
};

template <class MemorySpace>
struct DceInputs {
  Kokkos::View<double const*, MemorySpace> t;   // tissue sample times, min
  Kokkos::View<double const*, MemorySpace> ta;  // AIF sample times, min
  Kokkos::View<double const*, MemorySpace> ca;  // AIF plasma concentration, mM
  // Frame spacing (min) when the AIF is sampled on the tissue grid and that grid is uniform, else 0: then an
  // undelayed curve needs one set of weights and a plain recursion (PERF-LIMIT.md's kernel).
  double uniform_step = 0.0;

  KOKKOS_INLINE_FUNCTION int n_samples() const { return static_cast<int>(t.extent(0)); }
  KOKKOS_INLINE_FUNCTION int n_aif() const { return static_cast<int>(ta.extent(0)); }
  KOKKOS_INLINE_FUNCTION signal::AifConvolution<Kokkos::View<double const*, MemorySpace>,
                                                Kokkos::View<double const*, MemorySpace>>
  convolution(double rate) const {
    return {ta, ca, n_aif(), rate};
  }

  // Calls body(j, sample) for every tissue sample j with the AIF shifted by `shift` (min) and convolved with
  // each rate. The one streamed pass every model evaluation, start value and forward prediction is built on.
  template <int R, bool WithSlope, class Body>
  KOKKOS_FORCEINLINE_FUNCTION void convolve_samples(double const (&rates)[R], double shift,
                                                    Body&& body) const {
    int const n = n_samples();
    ConvolvedSample<R> s;
    s.slope = 0.0;
    if (shift == 0.0 && uniform_step > 0.0) {
      signal::ExpConvWeights w[R];
      for (int r = 0; r < R; ++r) {
        w[r] = signal::exp_conv_weights(rates[r], uniform_step);
        s.f[r] = s.g[r] = 0.0;
      }
      double c_prev = ca(0);
      s.c = c_prev;
      if (WithSlope && n > 1) s.slope = (ca(1) - c_prev) / uniform_step;
      body(0, s);
      for (int j = 1; j < n; ++j) {
        double const c = ca(j);
        for (int r = 0; r < R; ++r) {
          double const f_prev = s.f[r];
          s.f[r] = w[r].decay * f_prev + w[r].w0 * c_prev + w[r].w1 * c;
          s.g[r] = w[r].decay * s.g[r] + w[r].d_decay * f_prev + w[r].d_w0 * c_prev + w[r].d_w1 * c;
        }
        s.c = c;
        if (WithSlope) s.slope = j + 1 < n ? (ca(j + 1) - c) / uniform_step : 0.0;
        c_prev = c;
        body(j, s);
      }
      return;
    }
    signal::AifConvolution<Kokkos::View<double const*, MemorySpace>, Kokkos::View<double const*, MemorySpace>>
        conv[R] = {};
    for (int r = 0; r < R; ++r) conv[r] = convolution(rates[r]);
    for (int j = 0; j < n; ++j) {
      double const tau = t(j) - shift;
      for (int r = 0; r < R; ++r) {
        conv[r].seek(tau);
        s.f[r] = conv[r].value();
        s.g[r] = conv[r].derivative();
      }
      s.c = conv[0].input();
      if (WithSlope) s.slope = conv[0].input_slope();
      body(j, s);
    }
  }
};

// Arterial delay as an extra fitted parameter, in seconds: tissue time t sees the AIF at t - delay.
struct DelaySearch {
  double lower_s = -10.0;
  double upper_s = 20.0;
  double grid_step_s = 1.0;  // starting values are searched on this grid before LM refines the delay

  // The grid's delays: candidate(s) for s < candidates().
  KOKKOS_INLINE_FUNCTION int candidates() const {
    return 1 + static_cast<int>((upper_s - lower_s) / grid_step_s + 1e-9);
  }
  KOKKOS_INLINE_FUNCTION double candidate(int s) const { return lower_s + s * grid_step_s; }
};

using units::seconds_per_minute;  // rates are per minute, times arrive in seconds

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
KOKKOS_INLINE_FUNCTION double model_cost(Model const& model, Curve const& y,
                                         double const (&p)[Model::n_params]) {
  CostSink<Model::n_params, Curve> sink{&y};
  if (!model.evaluate(p, sink) || !is_finite(sink.cost)) return 1e300;
  return sink.cost;
}

// Starting values of a model with a fitted delay: the model's linearised estimate at every delay of the
// search grid, keeping the one whose model curve fits y best. `linearised(y, delay_s, p)` fills p for one
// candidate delay.
template <class Model, class Curve, class Linearised>
KOKKOS_INLINE_FUNCTION void best_delay_start(Model const& model, Curve const& y, DelaySearch const& delay,
                                             Linearised&& linearised, double (&p)[Model::n_params]) {
  constexpr int P = Model::n_params;
  double best_cost = 1e300;
  double best[P];
  for (int i = 0; i < P; ++i) best[i] = p[i] = 0.0;
  int const steps = delay.candidates();
  for (int s = 0; s < steps; ++s) {
    double candidate[P];
    linearised(y, delay.candidate(s), candidate);
    double const cost = model_cost(model, y, candidate);
    if (cost < best_cost) {
      best_cost = cost;
      for (int i = 0; i < P; ++i) best[i] = candidate[i];
    }
  }
  for (int i = 0; i < P; ++i) p[i] = best[i];
}

}  // namespace voxflow::dce

#endif
