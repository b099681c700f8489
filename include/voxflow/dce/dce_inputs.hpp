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
  // undelayed curve needs one set of weights and a plain recursion (PERF-LIMIT.md's kernel), a delayed one a
  // second set for the fraction of an interval the delay leaves.
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
    if (uniform_step > 0.0) {
      // In frames, the shifted time of sample j is j - shift / step = j + q + fraction: on a uniform grid
      // every shifted sample lies the same fraction into its AIF interval, the (q + j)-th.
      double const frames = -shift / uniform_step;
      if (kmath::fabs(frames) < n_samples()) {  // else (or NaN) the general walk copes with any shift
        double const q = kmath::floor(frames);
        convolve_uniform<R, WithSlope>(rates, static_cast<int>(q), frames - q, body);
        return;
      }
    }
    convolve_walk<R, WithSlope>(rates, shift, body);
  }

 private:
  // convolve_samples() on a uniform grid with the AIF on it: sample j reads AIF knot k = j + q and the
  // fraction `fraction` of the interval after it. One recursion step per sample with one set of full-interval
  // weights, and one set of partial weights for all samples: two exps per rate and curve whatever the delay.
  // Before the AIF's first sample the input is zero (knots k < 0 read zeros at both ends of their interval);
  // after its last it is constant (knots past the end repeat the last value, the exact convolution of a
  // constant). One call of body per sample keeps it inlined.
  template <int R, bool WithSlope, class Body>
  KOKKOS_FORCEINLINE_FUNCTION void convolve_uniform(double const (&rates)[R], int q, double fraction,
                                                    Body&& body) const {
    int const n = n_samples();
    auto const aif = [&](int k) { return k < 0 ? 0.0 : ca(k < n ? k : n - 1); };
    bool const on_knots = fraction == 0.0;
    double const per_step = 1.0 / uniform_step;  // a multiply per sample, not a division
    signal::ExpConvWeights full[R], part[R];
    double f[R], g[R];
    for (int r = 0; r < R; ++r) {
      full[r] = signal::exp_conv_weights(rates[r], uniform_step);
      if (!on_knots) part[r] = signal::exp_conv_weights(rates[r], fraction * uniform_step);
      f[r] = g[r] = 0.0;
    }
    auto const step = [&](double c0, double c1) {
      for (int r = 0; r < R; ++r) {
        double const f_prev = f[r];
        f[r] = full[r].decay * f_prev + full[r].w0 * c0 + full[r].w1 * c1;
        g[r] = full[r].decay * g[r] + full[r].d_decay * f_prev + full[r].d_w0 * c0 + full[r].d_w1 * c1;
      }
    };
    for (int k = 0; k < q; ++k) step(aif(k), aif(k + 1));  // the AIF ahead of the tissue (negative delay)
    ConvolvedSample<R> s;
    for (int j = 0, k = q; j < n; ++j, ++k) {
      double const c0 = aif(k), c1 = k < 0 ? 0.0 : aif(k + 1);
      if (on_knots) {
        for (int r = 0; r < R; ++r) s.f[r] = f[r], s.g[r] = g[r];
        s.c = c0;
      } else {
        s.c = c0 + (c1 - c0) * fraction;
        for (int r = 0; r < R; ++r) {
          s.f[r] = part[r].decay * f[r] + part[r].w0 * c0 + part[r].w1 * s.c;
          s.g[r] = part[r].decay * g[r] + part[r].d_decay * f[r] + part[r].d_w0 * c0 + part[r].d_w1 * s.c;
        }
      }
      s.slope = WithSlope ? (c1 - c0) * per_step : 0.0;  // zero before the AIF and past its end
      body(j, s);
      step(c0, c1);
    }
  }

  // convolve_samples() on any grid: each rate's convolution walks the AIF's knots up to each shifted time.
  template <int R, bool WithSlope, class Body>
  KOKKOS_FORCEINLINE_FUNCTION void convolve_walk(double const (&rates)[R], double shift, Body&& body) const {
    int const n = n_samples();
    ConvolvedSample<R> s;
    s.slope = 0.0;
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
