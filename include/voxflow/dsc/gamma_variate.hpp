// Recirculation removal (SPEC §5.2, done right): a gamma variate C(t) = K (t − t0)^α e^{−(t − t0)/β}
// (0 before t0) fitted with the project's bounded Levenberg–Marquardt to the first pass of each curve, the
// samples up to the first one after the peak that falls below tail_fraction · peak (at least three after
// the peak), and the curve replaced by the fit over every frame. Parameters K (units of the curve), t0 (s),
// α, β (s); bounds K [0, 1e6], t0 [first frame, time of the peak], α [0.1, 20], β [0.1, 50]; the start is
// t0 = the last frame before the peak below 10 % of it, α = 3, β = (t_peak − t0)/3 (≥ the frame spacing /
// 2), K from the peak height. The fit status is data: a curve whose fit is unusable keeps its samples and
// says so in the status column.
#ifndef VOXFLOW_DSC_GAMMA_VARIATE_HPP
#define VOXFLOW_DSC_GAMMA_VARIATE_HPP

#include <voxflow/core/fit_status.hpp>
#include <voxflow/core/kokkos_compat.hpp>
#include <voxflow/core/views.hpp>
#include <voxflow/fit/fit_voxels.hpp>
#include <voxflow/fit/levenberg_marquardt.hpp>

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace voxflow::dsc {

template <class Times>
struct GammaVariateModel {
  static constexpr int n_params = 4;  // K, t0 (s), α, β (s)
  Times times;                        // frame times, s
  int samples = 0;                    // fitted: [0, samples)
  double t0_min = 0.0, t0_max = 0.0;  // the first frame and the time of the peak

  KOKKOS_INLINE_FUNCTION int n_samples() const { return samples; }
  KOKKOS_INLINE_FUNCTION double lower(int i) const { return i == 0 ? 0.0 : i == 1 ? t0_min : 0.1; }
  KOKKOS_INLINE_FUNCTION double upper(int i) const {
    return i == 0 ? 1e6 : i == 1 ? t0_max : i == 2 ? 20.0 : 50.0;
  }

  template <class Sink>
  KOKKOS_INLINE_FUNCTION bool evaluate(double const (&p)[n_params], Sink& sink) const {
    double const k = p[0], t0 = p[1], alpha = p[2], beta = p[3];
    for (int j = 0; j < samples; ++j) {
      double const x = times(j) - t0;
      if (!(x > 0.0)) {
        double const zero[n_params] = {0.0, 0.0, 0.0, 0.0};
        sink(j, 0.0, zero);
        continue;
      }
      double const log_x = kmath::log(x), e = kmath::exp(alpha * log_x - x / beta), f = k * e;
      double const df[n_params] = {e, f * (1.0 / beta - alpha / x), f * log_x, f * x / (beta * beta)};
      if (!is_finite(f)) return false;
      sink(j, f, df);
    }
    return true;
  }

  template <class Curve>
  KOKKOS_INLINE_FUNCTION void initial_guess(Curve const& y, double (&p)[n_params]) const {
    int peak_at = 0;
    for (int j = 1; j < samples; ++j)
      if (y(j) > y(peak_at)) peak_at = j;
    double const peak = y(peak_at);
    int start = peak_at;
    while (start > 0 && y(start - 1) >= 0.1 * peak) --start;
    if (start > 0) --start;
    double const t0 = times(start), spacing = samples > 1 ? times(1) - times(0) : 1.0;
    double const alpha = 3.0, beta = max_of((times(peak_at) - t0) / alpha, 0.5 * spacing);
    p[0] = peak / (kmath::pow(alpha * beta, alpha) * kmath::exp(-alpha));
    p[1] = t0;
    p[2] = alpha;
    p[3] = beta;
    fit::clamp_to_bounds(*this, p);
  }
};

// Whether a first-pass fit of this status replaced its curve (fit_first_passes).
KOKKOS_INLINE_FUNCTION bool first_pass_fitted(FitStatus s) {
  return fit_status_usable(s) && s != FitStatus::flat_signal;
}

// The end of the first pass of curve v: the first sample after the peak below tail_fraction · peak (itself
// included), at least three samples after the peak, at most every frame; also the peak's index.
template <class Curves>
KOKKOS_INLINE_FUNCTION int first_pass_end(Curves const& c, long v, int frames, double tail_fraction,
                                          int& peak_at) {
  peak_at = 0;
  for (int j = 1; j < frames; ++j)
    if (c(v, j) > c(v, peak_at)) peak_at = j;
  double const level = tail_fraction * c(v, peak_at);
  int end = peak_at + 1;
  while (end < frames && c(v, end - 1) >= level) ++end;
  return min_of(frames, max_of(end, peak_at + 4));
}

// out(v, j) for j < frames: the gamma variate fitted to the first pass of curves(v, ·), or the curve itself
// where the fit is unusable; out(v, frames): the fit's FitStatus. `times` are the frame times, s.
template <class ExecutionSpace, class Curves, class Out>
void fit_first_passes(ExecutionSpace const& space, Curves const& curves,
                      Kokkos::View<double const*, typename ExecutionSpace::memory_space> const& times,
                      double tail_fraction, Out const& out) {
  using Times = Kokkos::View<double const*, typename ExecutionSpace::memory_space>;
  int const frames = static_cast<int>(curves.extent(1));
  fit::LMOptions const options;
  Kokkos::parallel_for(
      "voxflow::dsc::fit_first_passes",
      Kokkos::RangePolicy<ExecutionSpace>(space, 0, static_cast<long>(curves.extent(0))),
      KOKKOS_LAMBDA(long v) {
        int peak_at = 0;
        int const end = first_pass_end(curves, v, frames, tail_fraction, peak_at);
        GammaVariateModel<Times> model{times, end, times(0), times(peak_at)};
        fit::VoxelCurve<Curves> const y{curves, static_cast<int>(v)};
        double p[4];
        model.initial_guess(y, p);
        auto const result = fit::levenberg_marquardt(model, y, p, options);
        out(v, frames) = static_cast<double>(static_cast<std::uint8_t>(result.status));
        for (int j = 0; j < frames; ++j) out(v, j) = curves(v, j);
        if (!first_pass_fitted(result.status)) return;
        model.samples = frames;
        auto const row = Kokkos::subview(out, v, Kokkos::ALL);
        fit::CurveSink<4, decltype(row)> sink{row};
        model.evaluate(p, sink);
      });
}

}  // namespace voxflow::dsc

#endif
