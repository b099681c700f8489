// The compute stages of a DSC subject on one execution space (private to src/pipeline/dsc): signal to ΔR2*,
// the AIF, leakage correction and the deconvolution. Stages over all voxels run through for_each_chunk, so
// data move between host and device only per chunk. Free function templates, because CUDA forbids extended
// lambdas in private member functions.
#ifndef VOXFLOW_SRC_PIPELINE_DSC_DSC_STAGES_HPP
#define VOXFLOW_SRC_PIPELINE_DSC_DSC_STAGES_HPP

#include "dsc_settings.hpp"

#include <voxflow/aif/aif_detection.hpp>
#include <voxflow/dsc/deconvolve.hpp>
#include <voxflow/dsc/delta_r2.hpp>
#include <voxflow/dsc/gamma_variate.hpp>
#include <voxflow/dsc/leakage_correction.hpp>
#include <voxflow/pipeline/chunk_driver.hpp>
#include <voxflow/pipeline/masked_volume.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::pipeline::dsc_run {

using HostCurves = Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace>;

// Everything read from disk for one subject, on the host.
struct DscData {
  std::vector<double> times;  // s after the first frame, one per frame (evenly spaced)
  double dt_s = 0.0;
  std::array<std::int64_t, 3> dims{};
  VoxelSelection voxels;
  HostCurves signal;                         // (voxel, frame)
  std::vector<std::int64_t> aif_rows;        // rows of `signal` in the AIF mask (measured AIF)
  std::size_t aif_mask_voxels = 0;           // voxels of the AIF mask, inside inputs.mask or not
  std::vector<std::int64_t> reference_rows;  // rows of `signal` in normalisation.reference_mask
  std::vector<double> aif_file;              // aif.source file: the curve, 1/s
  dsc::DeltaR2Conversion conversion;         // TE and the baseline frames, resolved
};

// The AIF the deconvolution uses, with what the sidecars say about it.
struct DscAif {
  std::vector<double> delta_r2;  // 1/s on the frame grid
  double arrival_s = 0.0;        // where it first reaches 10 % of its peak
  nlohmann::json info;
};

// The pre-bolus frames [0, end) of the mean signal: end is the frame before the first one that falls
// below the running baseline by 3 standard deviations (and 2 %); at least 2 frames.
inline std::pair<int, int> detect_baseline(std::vector<double> const& mean_signal) {
  int const frames = static_cast<int>(mean_signal.size());
  for (int j = 3; j < frames; ++j) {
    double sum = 0.0, sum_sq = 0.0;
    for (int i = 0; i < j; ++i) {
      sum += mean_signal[i];
      sum_sq += mean_signal[i] * mean_signal[i];
    }
    double const mean = sum / j, sd = std::sqrt(std::max(0.0, sum_sq / j - mean * mean));
    if (mean_signal[j] < mean - std::max(3.0 * sd, 0.02 * std::fabs(mean))) return {0, std::max(2, j - 1)};
  }
  return {0, std::max(2, frames / 4)};
}

// Where a curve first reaches 10 % of its peak, by linear interpolation (s).
inline double curve_arrival(std::vector<double> const& times, std::vector<double> const& curve) {
  std::size_t peak_at = 0;
  for (std::size_t j = 1; j < curve.size(); ++j)
    if (curve[j] > curve[peak_at]) peak_at = j;
  double const level = 0.1 * curve[peak_at];
  for (std::size_t j = peak_at; j > 0; --j)
    if (curve[j - 1] < level)
      return times[j - 1] + (level - curve[j - 1]) / (curve[j] - curve[j - 1]) * (times[j] - times[j - 1]);
  return times.front();
}

// ΔR2* (1/s) of every voxel, on the host. Counts the voxels without a usable baseline.
template <class Space>
HostCurves delta_r2_of_voxels(Space const& space, DscData const& d, std::int64_t chunk_voxels,
                              dsc::DeltaR2Result& bad) {
  using Mem = typename Space::memory_space;
  auto const n = static_cast<std::int64_t>(d.voxels.size());
  HostCurves out(Kokkos::view_alloc(Kokkos::WithoutInitializing, "voxflow::pipeline::dsc::delta_r2"), n,
                 d.times.size());
  bad = {};
  for_each_chunk(space, d.signal, {0, n}, chunk_voxels, {map_columns(out, 0, d.times.size()), {}},
                 [&](Chunk<Mem> const& chunk) {
                   auto const r = dsc::signal_to_delta_r2(space, chunk.data, d.conversion, chunk.values);
                   if (r.bad_baseline_voxels > 0 && bad.first_bad_voxel < 0)
                     bad.first_bad_voxel = chunk.begin + r.first_bad_voxel;
                   bad.bad_baseline_voxels += r.bad_baseline_voxels;
                 });
  return out;
}

// The mean curve of the given rows whose samples are all finite; returns how many were averaged.
inline std::size_t mean_of_rows(HostCurves const& curves, std::vector<std::int64_t> const& rows,
                                std::vector<double>& mean) {
  std::size_t const frames = curves.extent(1);
  mean.assign(frames, 0.0);
  std::size_t used = 0;
  for (std::int64_t r : rows) {
    bool finite = true;
    for (std::size_t j = 0; j < frames; ++j) finite = finite && std::isfinite(curves(r, j));
    if (!finite) continue;
    for (std::size_t j = 0; j < frames; ++j) mean[j] += curves(r, j);
    ++used;
  }
  for (double& m : mean) m = used > 0 ? m / static_cast<double>(used) : 0.0;
  return used;
}

// The AIF of the configuration: the mean ΔR2* of the AIF mask, a curve from a file, or detected.
template <class Space>
DscAif compute_aif(Space const& space, DscSettings const& s, DscData const& d, HostCurves const& delta_r2) {
  using Mem = typename Space::memory_space;
  DscAif aif;
  if (s.aif.source == DscAifSource::measured) {
    std::size_t const used = mean_of_rows(delta_r2, d.aif_rows, aif.delta_r2);
    require_input(used > 0, s.aif.mask, "aif.mask",
                  "at least one arterial voxel with a finite dR2* curve (" +
                      std::to_string(d.aif_rows.size()) + " voxels inside inputs.mask, none finite)");
    aif.info = {{"Source", "measured"},
                {"Mask", s.aif.mask},
                {"MaskVoxels", d.aif_mask_voxels},
                {"VoxelsInsideDataMask", d.aif_rows.size()},
                {"VoxelsAveraged", used}};
  } else if (s.aif.source == DscAifSource::file) {
    aif.delta_r2 = d.aif_file;
    aif.info = {{"Source", "file"}, {"File", s.aif.file}};
  } else {
    aif::AifDetectionParams params;
    params.source = s.config_file + ": aif.source detect";
    params.baseline_frames = std::max(1, d.conversion.baseline_end - d.conversion.baseline_begin);
    auto const curves = upload_series<Mem>(delta_r2, "voxflow::pipeline::dsc::detect_curves");
    Kokkos::View<double*, Mem> out("voxflow::pipeline::dsc::detected_aif", d.times.size());
    auto const r =
        aif::detect_aif(space, curves, to_device<Mem>(space, d.times, "voxflow::pipeline::dsc::times"),
                        Kokkos::View<std::uint8_t const*, Mem>(), params, out);
    auto const h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    aif.delta_r2.assign(h.data(), h.data() + d.times.size());
    std::vector<std::int64_t> chosen;
    for (auto v : r.voxels) chosen.push_back(d.voxels.index[v]);
    aif.info = {{"Source", "detect"}, {"Voxels", chosen}, {"Quality", r.quality}};
  }
  aif.arrival_s = curve_arrival(d.times, aif.delta_r2);
  aif.info["Quantity"] = "DeltaR2star";
  aif.info["Units"] = "1/s";
  aif.info["BolusArrivalSeconds"] = aif.arrival_s;
  return aif;
}

// Boxerman-Schmainda-Weisskoff leakage correction of every voxel, in place; returns K2 (1/s) per voxel. The
// reference curve is the mean of the non-enhancing voxels: a first pass against the mean of every voxel
// finds them as those whose K1 and K2 lie within 3 robust standard deviations of their medians; the second
// pass corrects every voxel against their mean.
template <class Space>
std::vector<double> correct_leakage(Space const& space, DscData const& d, HostCurves const& delta_r2,
                                    std::int64_t chunk_voxels, std::string const& source,
                                    nlohmann::json& info) {
  using Mem = typename Space::memory_space;
  auto const n = static_cast<std::int64_t>(delta_r2.extent(0));
  std::size_t const frames = delta_r2.extent(1);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  for (std::int64_t v = 0; v < n; ++v) rows[static_cast<std::size_t>(v)] = v;
  std::vector<double> reference;
  mean_of_rows(delta_r2, rows, reference);
  HostCurves coefficients("voxflow::pipeline::dsc::leakage_k", n, 2);
  auto fit = [&](bool correct) {
    auto const regressors = dsc::leakage_regressors(reference, d.times);
    require_input(regressors.usable, source, "leakage_correction",
                  "a reference tissue curve that is not flat");
    HostCurves out("voxflow::pipeline::dsc::leakage_out", n, correct ? frames + 2 : 2);
    for_each_chunk(
        space, delta_r2, {0, n}, chunk_voxels, {map_columns(out, 0, out.extent(1)), {}},
        [&](Chunk<Mem> const& chunk) { dsc::fit_leakage(space, chunk.data, regressors, chunk.values); });
    std::size_t const k0 = correct ? frames : 0;
    for (std::int64_t v = 0; v < n; ++v) {
      coefficients(v, 0) = out(v, k0);
      coefficients(v, 1) = out(v, k0 + 1);
      if (correct)
        for (std::size_t j = 0; j < frames; ++j) delta_r2(v, j) = out(v, j);
    }
  };
  fit(false);
  // Non-enhancing voxels: K1 and K2 both within 3 robust standard deviations of their medians (leaky voxels
  // are K2 outliers; arterial and vessel voxels, whose large curves would dominate the mean, K1 outliers).
  auto median = [](std::vector<double> x) {
    if (x.empty()) return 0.0;
    std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2), x.end());
    return x[x.size() / 2];
  };
  std::array<double, 2> centre{}, spread{};
  for (int k = 0; k < 2; ++k) {
    std::vector<double> values;
    for (std::int64_t v = 0; v < n; ++v)
      if (std::isfinite(coefficients(v, k))) values.push_back(coefficients(v, k));
    centre[k] = median(values);
    for (double& x : values) x = std::fabs(x - centre[k]);
    spread[k] = 3.0 * 1.4826 * median(values);
  }
  std::vector<std::int64_t> non_enhancing;
  for (std::int64_t v = 0; v < n; ++v)
    if (std::fabs(coefficients(v, 0) - centre[0]) <= spread[0] &&
        std::fabs(coefficients(v, 1) - centre[1]) <= spread[1])
      non_enhancing.push_back(v);
  if (mean_of_rows(delta_r2, non_enhancing, reference) == 0) mean_of_rows(delta_r2, rows, reference);
  fit(true);
  info = {{"Method", "Boxerman-Schmainda-Weisskoff"},
          {"ReferenceVoxels", non_enhancing.size()},
          {"Reference",
           "mean dR2* of the voxels whose first-pass K1 and K2 are within 3 robust SD of their medians"}};
  std::vector<double> result(static_cast<std::size_t>(n));
  for (std::int64_t v = 0; v < n; ++v) result[static_cast<std::size_t>(v)] = coefficients(v, 1);
  return result;
}

// Recirculation removal: every row of `curves` replaced, in place, by the gamma variate fitted to its first
// pass (where the fit is usable); returns each row's fit status.
template <class Space>
std::vector<FitStatus> remove_recirculation(Space const& space, std::vector<double> const& frame_times,
                                            HostCurves const& curves, std::int64_t chunk_voxels,
                                            double tail_fraction) {
  using Mem = typename Space::memory_space;
  auto const n = static_cast<std::int64_t>(curves.extent(0));
  std::size_t const frames = curves.extent(1);
  HostCurves out("voxflow::pipeline::dsc::first_passes", n, frames + 1);
  auto const times = to_device<Mem>(space, frame_times, "voxflow::pipeline::dsc::times");
  for_each_chunk(space, curves, {0, n}, chunk_voxels, {map_columns(out, 0, frames + 1), {}},
                 [&](Chunk<Mem> const& chunk) {
                   dsc::fit_first_passes(space, chunk.data, times, tail_fraction, chunk.values);
                 });
  std::vector<FitStatus> status(static_cast<std::size_t>(n));
  for (std::int64_t v = 0; v < n; ++v) {
    for (std::size_t j = 0; j < frames; ++j) curves(v, j) = out(v, j);
    status[static_cast<std::size_t>(v)] = static_cast<FitStatus>(static_cast<std::uint8_t>(out(v, frames)));
  }
  return status;
}

// Every DSC map of every voxel into out.values columns [0, dsc_map_count) and out.status.
template <class Space>
void deconvolve_all(Space const& space, DscSettings const& s, DscData const& d, HostCurves const& delta_r2,
                    DscAif const& aif, VoxelRange range, std::int64_t chunk_voxels, ChunkOutputs const& out,
                    Progress* progress) {
  using Mem = typename Space::memory_space;
  auto const op = dsc::build_deconvolution_operator(
      aif.delta_r2, d.dt_s, s.deconvolution, s.aif.source == DscAifSource::file ? s.aif.file : s.config_file);
  auto const device_op = dsc::upload_operator<Mem>(space, op);
  dsc::PerfusionScaling scaling;
  scaling.kh = s.kh;
  scaling.density_g_per_ml = s.density_g_per_ml;
  scaling.aif_integral = dsc::trapezoid_integral(d.times, aif.delta_r2);
  require_input(scaling.aif_integral > 0.0,
                s.aif.source == DscAifSource::measured ? s.aif.mask : s.config_file, "aif",
                "an AIF with a positive area (dR2* integral " + std::to_string(scaling.aif_integral) + ")");
  auto const times = to_device<Mem>(space, d.times, "voxflow::pipeline::dsc::times");
  // The residues of every candidate threshold live in device memory per chunk: at most 512 MiB of them.
  std::int64_t const budget = (std::int64_t(1) << 29) / dsc::deconvolution_bytes_per_voxel(op);
  for_each_chunk(
      space, delta_r2, range, std::max<std::int64_t>(1024, std::min(chunk_voxels, budget)), out,
      [&](Chunk<Mem> const& chunk) {
        dsc::deconvolve_voxels(space, chunk.data, times, device_op, scaling, chunk.values, chunk.status);
      },
      progress);
}

}  // namespace voxflow::pipeline::dsc_run

#endif
