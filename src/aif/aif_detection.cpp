// Host-side steps of the AIF detector: candidate ranking, outlier removal by curve shape, mean curve and
// quality.
#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/core/errors.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace voxflow::aif::detail {

void check_detection_params(AifDetectionParams const& p) {
  require_input(p.baseline_frames >= 1, p.source, "baseline_frames", "at least 1");
  require_input(std::isfinite(p.max_fwhm_s) && p.max_fwhm_s > 0.0, p.source, "max_fwhm_s",
                "a positive width in s");
  require_input(p.candidate_count >= 1, p.source, "candidate_count", "at least 1");
  require_input(
      std::isfinite(p.candidate_fraction) && p.candidate_fraction >= 0.0 && p.candidate_fraction <= 1.0,
      p.source, "candidate_fraction", "a fraction in [0, 1] (0: use candidate_count)");
  require_input(std::isfinite(p.min_correlation) && p.min_correlation >= -1.0 && p.min_correlation <= 1.0,
                p.source, "min_correlation", "a correlation in [-1, 1]");
  require_input(p.min_voxels >= 1, p.source, "min_voxels", "at least 1");
}

std::vector<std::size_t> choose_candidates(std::vector<double> const& scores,
                                           AifDetectionParams const& params) {
  std::vector<std::size_t> positive;
  for (std::size_t v = 0; v < scores.size(); ++v)
    if (scores[v] > 0.0) positive.push_back(v);
  std::size_t const min_voxels = static_cast<std::size_t>(params.min_voxels);
  require_input(
      positive.size() >= min_voxels, params.source, "concentration",
      "at least " + std::to_string(min_voxels) +
          " voxels with an arterial first pass (a finite curve that rises and falls below half its peak "
          "within max_fwhm_s); found " +
          std::to_string(positive.size()));
  std::size_t wanted = static_cast<std::size_t>(params.candidate_count);
  if (params.candidate_fraction > 0.0)
    wanted =
        static_cast<std::size_t>(std::ceil(params.candidate_fraction * static_cast<double>(positive.size())));
  wanted = std::min(std::max(wanted, min_voxels), positive.size());
  // Best first; equal scores keep voxel order so the choice is deterministic on every backend.
  std::stable_sort(positive.begin(), positive.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  positive.resize(wanted);
  return positive;
}

namespace {

double pearson(double const* a, double const* b, std::size_t n) {
  double mean_a = 0.0, mean_b = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    mean_a += a[j];
    mean_b += b[j];
  }
  mean_a /= static_cast<double>(n);
  mean_b /= static_cast<double>(n);
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    ab += (a[j] - mean_a) * (b[j] - mean_b);
    aa += (a[j] - mean_a) * (a[j] - mean_a);
    bb += (b[j] - mean_b) * (b[j] - mean_b);
  }
  return (aa > 0.0 && bb > 0.0) ? ab / std::sqrt(aa * bb) : 0.0;
}

// Pointwise median of the candidate curves: the reference shape, unaffected by a minority of outliers.
std::vector<double> median_curve(std::vector<double> const& curves, std::size_t n, std::size_t n_time) {
  std::vector<double> median(n_time), column(n);
  for (std::size_t j = 0; j < n_time; ++j) {
    for (std::size_t k = 0; k < n; ++k) column[k] = curves[k * n_time + j];
    std::sort(column.begin(), column.end());
    median[j] = n % 2 == 1 ? column[n / 2] : 0.5 * (column[n / 2 - 1] + column[n / 2]);
  }
  return median;
}

}  // namespace

AifDetectionResult select_arterial(std::vector<std::size_t> const& candidates,
                                   std::vector<double> const& scores, std::vector<double> const& curves,
                                   std::vector<double> const& times, AifDetectionParams const& params,
                                   std::vector<double>& mean_curve) {
  std::size_t const n = candidates.size(), n_time = times.size();
  std::vector<double> const median = median_curve(curves, n, n_time);
  std::vector<double> correlation(n);
  for (std::size_t k = 0; k < n; ++k) correlation[k] = pearson(&curves[k * n_time], median.data(), n_time);

  std::vector<std::size_t> kept;
  for (std::size_t k = 0; k < n; ++k)
    if (correlation[k] >= params.min_correlation) kept.push_back(k);
  std::size_t const min_voxels = std::min(static_cast<std::size_t>(params.min_voxels), n);
  if (kept.size() < min_voxels) {
    // Too few agree with the median: average the best-agreeing ones rather than fail; the quality shows it.
    kept.resize(n);
    std::iota(kept.begin(), kept.end(), std::size_t{0});
    std::stable_sort(kept.begin(), kept.end(),
                     [&](std::size_t a, std::size_t b) { return correlation[a] > correlation[b]; });
    kept.resize(min_voxels);
    std::sort(kept.begin(), kept.end());  // back to score order
  }

  AifDetectionResult result;
  result.candidates = n;
  for (double s : scores) result.arterial_like += s > 0.0 ? 1 : 0;
  mean_curve.assign(n_time, 0.0);
  double mean_correlation = 0.0;
  for (std::size_t k : kept) {
    result.voxels.push_back(candidates[k]);
    result.scores.push_back(scores[candidates[k]]);
    result.correlations.push_back(correlation[k]);
    mean_correlation += correlation[k];
    for (std::size_t j = 0; j < n_time; ++j) mean_curve[j] += curves[k * n_time + j];
  }
  for (double& c : mean_curve) c /= static_cast<double>(kept.size());
  mean_correlation /= static_cast<double>(kept.size());

  Kokkos::View<double const*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> const curve_view(
      mean_curve.data(), n_time),
      time_view(times.data(), n_time);
  CurveFeatures const f =
      curve_features(curve_view, time_view, static_cast<int>(n_time), params.baseline_frames);
  double const narrow =
      f.washes_out && f.peak > 0.0 ? std::clamp(1.0 - f.fwhm_s / params.max_fwhm_s, 0.0, 1.0) : 0.0;
  double const retained = static_cast<double>(kept.size()) / static_cast<double>(n);
  result.quality = (std::clamp(mean_correlation, 0.0, 1.0) + retained + narrow) / 3.0;
  return result;
}

}  // namespace voxflow::aif::detail
