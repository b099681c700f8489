// First-pass features of one concentration curve, shared by the AIF detector's scoring kernel and its
// host-side quality check: baseline, peak above baseline, time to peak and full width at half maximum on any
// time grid.
#ifndef VOXFLOW_AIF_CURVE_FEATURES_HPP
#define VOXFLOW_AIF_CURVE_FEATURES_HPP

#include <voxflow/core/kokkos_compat.hpp>

namespace voxflow::aif {

struct CurveFeatures {
  double baseline = 0.0;    // mean of the first baseline frames, mM
  double peak = 0.0;        // maximum minus baseline, mM
  double ttp_s = 0.0;       // time of the maximum, s
  double fwhm_s = 0.0;      // width of the first pass at half the peak, s (valid only when washes_out)
  bool washes_out = false;  // the curve falls below half its peak after the peak
  bool finite = true;       // every sample is finite
};

// Features of curve(j), j < n, sampled at times(j) (s, non-decreasing). Both are callables (Views or
// accessors). The half-maximum crossings are interpolated linearly between samples, so the width does not
// snap to the frame spacing; a curve still above half its peak at the end (tissue that has not washed out)
// has washes_out = false, and one already above it at the first frame starts its width there.
template <class Curve, class Times>
KOKKOS_INLINE_FUNCTION CurveFeatures curve_features(Curve const& curve, Times const& times, int n,
                                                    int baseline_frames) {
  CurveFeatures f;
  if (n <= 0) {
    f.finite = false;
    return f;
  }
  int const n_base = clamp_to(baseline_frames, 1, max_of(1, n / 4));
  double sum = 0.0;
  for (int j = 0; j < n_base; ++j) sum += curve(j);
  f.baseline = sum / n_base;
  int top = 0;
  for (int j = 0; j < n; ++j) {
    double const c = curve(j);
    if (!is_finite(c)) {
      f.finite = false;
      return f;
    }
    if (c > curve(top)) top = j;
  }
  f.peak = curve(top) - f.baseline;
  f.ttp_s = times(top);
  if (!(f.peak > 0.0)) return f;
  double const half = f.baseline + 0.5 * f.peak;
  // Crossing times by linear interpolation between the last sample above and the first below half maximum.
  auto crossing = [&](int above, int below) {
    double const ca = curve(above), cb = curve(below);
    double const w = (ca - half) / (ca - cb);
    return times(above) + w * (times(below) - times(above));
  };
  double left = times(0);
  for (int j = top - 1; j >= 0; --j)
    if (curve(j) < half) {
      left = crossing(j + 1, j);
      break;
    }
  for (int j = top + 1; j < n; ++j)
    if (curve(j) < half) {
      f.washes_out = true;
      f.fwhm_s = crossing(j - 1, j) - left;
      break;
    }
  return f;
}

}  // namespace voxflow::aif

#endif
