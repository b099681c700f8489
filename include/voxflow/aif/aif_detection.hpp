// Automatic AIF detection on concentration data (voxel, time). Replaces osipy's detect_aif (SPEC §3.7,
// broken at run time: B-5) with the same idea made robust:
//   1. Kernel, one thread per voxel: baseline, peak, time to peak and first-pass FWHM (curve_features.hpp).
//      A voxel is arterial-like when its curve is finite, inside the ROI, rises and falls back below half its
//      peak within max_fwhm_s. Its score = peak · (1 − FWHM/max_fwhm_s) · (1 − (TTP − t_first)/(t_last −
//      t_first)): high, narrow and early first passes rank first. The peak above baseline, not osipy's
//      max/baseline ratio, keeps the score meaningful on concentration data, whose baseline is ~0.
//   2. Host: the best-scoring voxels are the candidates; one whose curve correlates with the pointwise median
//      candidate curve below min_correlation is an outlier (noise spike, vessel wall, tissue) and is dropped.
//      Without voxel coordinates there is no spatial clustering: the check is on curve shape only.
//   3. The AIF is the mean curve of the kept candidates. Quality in [0, 1] is the mean of their correlation
//      with the median curve, the fraction of candidates kept and the narrowness 1 − FWHM/max_fwhm_s of the
//      mean curve's first pass.
#ifndef VOXFLOW_AIF_AIF_DETECTION_HPP
#define VOXFLOW_AIF_AIF_DETECTION_HPP

#include <voxflow/aif/aif_curve.hpp>
#include <voxflow/aif/curve_features.hpp>
#include <voxflow/aif/input_checks.hpp>
#include <voxflow/core/views.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::aif {

struct AifDetectionParams {
  int baseline_frames = 3;   // frames averaged for the baseline (at most a quarter of the series)
  double max_fwhm_s = 20.0;  // widest first pass still called arterial, s
  // How many best-scoring voxels become candidates: few, because the score favours the highest peaks, i.e.
  // the voxels with the least partial volume, and averaging more of them lowers the AIF's amplitude. When
  // candidate_fraction > 0 it replaces the count: that fraction of the arterial-like voxels (at least
  // min_voxels).
  int candidate_count = 10;
  double candidate_fraction = 0.0;
  double min_correlation = 0.9;  // candidates correlating less with the median candidate curve are outliers
  int min_voxels = 3;            // fewest arterial-like voxels accepted, and fewest voxels averaged
  std::string source = "AIF detection";  // names the caller in error messages
};

struct AifDetectionResult {
  std::vector<std::size_t> voxels;   // voxels averaged into the AIF, best score first
  std::vector<double> scores;        // their scores
  std::vector<double> correlations;  // their Pearson correlation with the median candidate curve
  std::size_t arterial_like = 0;     // voxels with a positive score
  std::size_t candidates = 0;        // voxels ranked as candidates before outlier removal
  double quality = 0.0;              // in [0, 1], see the header comment
};

// Host-side steps (src/aif/aif_detection.cpp).
namespace detail {
void check_detection_params(AifDetectionParams const& params);
// Voxels with the highest positive scores, best first (ties by lower index), as many as the parameters ask
// for. Throws InputError when fewer than params.min_voxels voxels have a positive score.
std::vector<std::size_t> choose_candidates(std::vector<double> const& scores,
                                           AifDetectionParams const& params);
// curves holds the candidates' curves, row-major (candidate, time). Drops the outliers, writes the mean curve
// and returns the result.
AifDetectionResult select_arterial(std::vector<std::size_t> const& candidates,
                                   std::vector<double> const& scores, std::vector<double> const& curves,
                                   std::vector<double> const& times, AifDetectionParams const& params,
                                   std::vector<double>& mean_curve);

// A voxel's arterial score (0 when it does not look arterial); see the header comment.
KOKKOS_INLINE_FUNCTION double arterial_score(CurveFeatures const& f, double t_first, double t_last,
                                             double max_fwhm_s) {
  if (!f.finite || !f.washes_out || !(f.peak > 0.0) || !(f.fwhm_s <= max_fwhm_s)) return 0.0;
  double const span = t_last - t_first;
  double const early = span > 0.0 ? 1.0 - (f.ttp_s - t_first) / span : 1.0;
  double const narrow = 1.0 - f.fwhm_s / max_fwhm_s;
  return max_of(f.peak * narrow * early, 0.0);
}

template <class DataView>
struct VoxelAccessor {
  DataView data;
  long voxel;
  KOKKOS_FORCEINLINE_FUNCTION double operator()(int j) const { return data(voxel, j); }
};

// score(v) for every voxel, 0 outside a non-empty ROI.
template <class ExecutionSpace, class MemorySpace>
void score_voxels(ExecutionSpace const& space, Series<MemorySpace> const& data,
                  Kokkos::View<double const*, MemorySpace> const& times,
                  Kokkos::View<std::uint8_t const*, MemorySpace> const& roi, AifDetectionParams const& params,
                  Kokkos::View<double*, MemorySpace> const& score) {
  int const n_time = static_cast<int>(data.extent(1));
  int const baseline_frames = params.baseline_frames;
  double const max_fwhm = params.max_fwhm_s;
  bool const has_roi = roi.extent(0) > 0;
  Kokkos::parallel_for(
      "voxflow::aif::detect_aif::score", Kokkos::RangePolicy<ExecutionSpace>(space, 0, data.extent(0)),
      KOKKOS_LAMBDA(long v) {
        if (has_roi && roi(v) == 0) {
          score(v) = 0.0;
          return;
        }
        VoxelAccessor<Series<MemorySpace>> const curve{data, v};
        CurveFeatures const f = curve_features(curve, times, n_time, baseline_frames);
        score(v) = arterial_score(f, times(0), times(n_time - 1), max_fwhm);
      });
}

// curves(k, j) = data(voxels(k), j): the few candidate curves, gathered for one small copy to the host.
template <class ExecutionSpace, class MemorySpace>
std::vector<double> gather_curves(ExecutionSpace const& space, Series<MemorySpace> const& data,
                                  std::vector<std::size_t> const& voxels) {
  long const n = static_cast<long>(voxels.size()), n_time = static_cast<long>(data.extent(1));
  Kokkos::View<long*, Kokkos::HostSpace> host_index("voxflow::aif::detect_aif::index", n);
  for (long k = 0; k < n; ++k) host_index(k) = static_cast<long>(voxels[k]);
  auto const index = Kokkos::create_mirror_view_and_copy(MemorySpace(), host_index);
  Kokkos::View<double**, Kokkos::LayoutRight, MemorySpace> curves(
      Kokkos::view_alloc(space, Kokkos::WithoutInitializing, "voxflow::aif::detect_aif::curves"), n, n_time);
  Kokkos::parallel_for(
      "voxflow::aif::detect_aif::gather", Kokkos::RangePolicy<ExecutionSpace>(space, 0, n * n_time),
      KOKKOS_LAMBDA(long i) {
        long const k = i / n_time, j = i % n_time;
        curves(k, j) = data(index(k), j);
      });
  auto const host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), curves);
  return std::vector<double>(host.data(), host.data() + n * n_time);
}
}  // namespace detail

// Step 1, on the execution space, one voxel per thread and chunk by chunk if need be: score(v) of every voxel
// of `concentration` (voxel, time; mM) sampled at times_s (s), 0 outside a non-empty roi_mask (one byte per
// voxel, non-zero = search here). Throws InputError on inconsistent extents, a bad time grid or bad
// parameters.
template <class ExecutionSpace, class MemorySpace>
void score_arterial_voxels(ExecutionSpace const& space, Series<MemorySpace> const& concentration,
                           detail::non_deduced<Kokkos::View<double const*, MemorySpace>> times_s,
                           detail::non_deduced<Kokkos::View<std::uint8_t const*, MemorySpace>> roi_mask,
                           AifDetectionParams const& params,
                           detail::non_deduced<Kokkos::View<double*, MemorySpace>> score) {
  static_assert(Kokkos::is_execution_space<ExecutionSpace>::value,
                "voxflow::aif::score_arterial_voxels: the first argument must be a Kokkos execution space");
  static_assert(
      Kokkos::SpaceAccessibility<ExecutionSpace, typename Series<MemorySpace>::memory_space>::accessible,
      "voxflow::aif::score_arterial_voxels: data, times, mask and scores must be accessible from the "
      "execution "
      "space");
  std::string const& source = params.source;
  detail::check_detection_params(params);
  check_extent(times_s.extent(0), concentration.extent(1), source, "times_s", "one time per frame");
  check_extent(score.extent(0), concentration.extent(0), source, "score", "one score per voxel");
  if (roi_mask.extent(0) > 0)
    check_extent(roi_mask.extent(0), concentration.extent(0), source, "roi_mask",
                 "one mask byte per voxel, or an empty mask");
  require_input(concentration.extent(1) >= 3, source, "concentration", "at least 3 frames per voxel");
  check_time_grid(space, times_s, source);
  detail::score_voxels(space, concentration, times_s, roi_mask, params, score);
}

// Step 2, on the host, once per subject: ranks the scores of every voxel, asks `candidate_curves` for the
// chosen candidates' curves (row-major (candidate, time), in the order given), drops the outliers and writes
// their mean curve to `mean_curve`. Throws InputError when fewer than params.min_voxels voxels look arterial.
template <class CandidateCurves>
AifDetectionResult select_aif(std::vector<double> const& scores, CandidateCurves&& candidate_curves,
                              std::vector<double> const& times_s, AifDetectionParams const& params,
                              std::vector<double>& mean_curve) {
  std::vector<std::size_t> const candidates = detail::choose_candidates(scores, params);
  std::vector<double> const curves = candidate_curves(candidates);
  return detail::select_arterial(candidates, scores, curves, times_s, params, mean_curve);
}

// Both steps on data that fit in memory at once: finds arterial voxels in `concentration` and writes their
// mean curve to `out` (one value per time).
template <class ExecutionSpace, class MemorySpace>
AifDetectionResult detect_aif(ExecutionSpace const& space, Series<MemorySpace> const& concentration,
                              detail::non_deduced<Kokkos::View<double const*, MemorySpace>> times_s,
                              detail::non_deduced<Kokkos::View<std::uint8_t const*, MemorySpace>> roi_mask,
                              AifDetectionParams const& params,
                              detail::non_deduced<Kokkos::View<double*, MemorySpace>> out) {
  check_extent(out.extent(0), concentration.extent(1), params.source, "out", "one output sample per frame");
  ScopedRegion region("voxflow::aif::detect_aif");
  auto const score = allocate<Kokkos::View<double*, MemorySpace>>(space, "voxflow::aif::detect_aif::score",
                                                                  concentration.extent(0));
  score_arterial_voxels(space, concentration, times_s, roi_mask, params, score);
  auto const host_score = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), score);
  std::vector<double> const scores(host_score.data(), host_score.data() + host_score.extent(0));
  auto const host_times = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), times_s);
  std::vector<double> const times(host_times.data(), host_times.data() + host_times.extent(0));
  std::vector<double> mean_curve;
  AifDetectionResult result = select_aif(
      scores,
      [&](std::vector<std::size_t> const& voxels) {
        return detail::gather_curves(space, concentration, voxels);
      },
      times, params, mean_curve);

  auto host_out = Kokkos::create_mirror_view(out);
  for (std::size_t j = 0; j < mean_curve.size(); ++j) host_out(j) = mean_curve[j];
  Kokkos::deep_copy(space, out, host_out);
  fence(space, "voxflow::aif::detect_aif: output copied");
  return result;
}

}  // namespace voxflow::aif

#endif
