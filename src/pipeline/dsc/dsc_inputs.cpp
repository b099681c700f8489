#include "dsc_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/bids_sidecar.hpp>
#include <voxflow/pipeline/grid_checks.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>

namespace voxflow::pipeline::dsc_run {

namespace {

// Frame times relative to the first frame; InputError unless evenly spaced (the deconvolution matrix
// assumes one Δt).
std::vector<double> relative_times(std::string const& timing, double& dt_s) {
  auto times = io::read_frame_times(timing);
  require_input(times.size() >= 2, timing, "timing", "at least 2 frame times");
  double const t0 = times.front();
  for (double& t : times) t -= t0;
  dt_s = times.back() / static_cast<double>(times.size() - 1);
  for (std::size_t j = 1; j < times.size(); ++j)
    require_input(std::fabs(times[j] - times[j - 1] - dt_s) <= 0.01 * dt_s, timing, "timing",
                  "evenly spaced frames (DSC deconvolution assumes one frame spacing): frame " +
                      std::to_string(j) + " is " + std::to_string(times[j] - times[j - 1]) +
                      " s after the previous one, the mean "
                      "spacing is " +
                      std::to_string(dt_s) + " s");
  return times;
}

void check_baseline(DscSettings const& s, std::int64_t frames) {
  if (!s.acquisition.baseline) return;
  require_input(s.acquisition.baseline->second + 2 <= frames, s.inputs.signal, "dim[4]",
                "at least 2 frames after acquisition.baseline_frames [" +
                    std::to_string(s.acquisition.baseline->first) + ", " +
                    std::to_string(s.acquisition.baseline->second) + ") of " + s.config_file + ", found " +
                    std::to_string(frames) + " frames");
}

// The rows of `voxels` whose voxel is > 0 in `mask`; `mask_voxels` counts its voxels > 0, inside or not.
std::vector<std::int64_t> rows_in_mask(io::NiftiImage const& mask, VoxelSelection const& voxels,
                                       std::size_t& mask_voxels) {
  std::vector<std::int64_t> rows;
  mask_voxels = 0;
  for (std::size_t i = 0; i < mask.data.size(); ++i) {
    if (!(mask.data[i] > 0.0)) continue;
    ++mask_voxels;
    auto const at = std::lower_bound(voxels.index.begin(), voxels.index.end(), static_cast<std::int64_t>(i));
    if (at != voxels.index.end() && *at == static_cast<std::int64_t>(i))
      rows.push_back(at - voxels.index.begin());
  }
  return rows;
}

}  // namespace

double echo_time_s(DscSettings const& s) {
  if (s.acquisition.echo_time_s) {
    double const te = *s.acquisition.echo_time_s;
    // A value of the configuration itself: a configuration error (a sidecar's EchoTime below is an input's).
    if (!(te > 0.0 && std::isfinite(te)))
      throw ConfigError(s.config_file, "acquisition.echo_time_s",
                        "a positive echo time in seconds (e.g. 0.03), found " + std::to_string(te));
    return te;
  }
  // The signal's metadata by BIDS inheritance (a dataset-level dsc.json counts too).
  BidsSidecar const sidecar = BidsSidecar::for_data_file(s.inputs.signal);
  if (auto const te = sidecar.number("EchoTime")) {
    require_input(*te > 0.0 && std::isfinite(*te), sidecar.source("EchoTime"), "EchoTime",
                  "a positive echo time in seconds");
    return *te;
  }
  throw InputError(
      s.config_file, "acquisition.echo_time_s",
      "the echo time of the DSC signal in seconds (e.g. 0.03), or EchoTime in a JSON sidecar beside " +
          s.inputs.signal);
}

InputGrid check_dsc_inputs(DscSettings const& s) {
  auto const signal = io::read_nifti_header(s.inputs.signal);
  require_input(signal.dims[3] >= 4, signal.path, "dim[4]",
                "a 4-D series with at least 4 frames, found " + std::to_string(signal.dims[3]));
  echo_time_s(s);
  double dt = 0.0;
  auto const times = relative_times(s.inputs.timing, dt);
  require_input(static_cast<std::int64_t>(times.size()) == signal.dims[3], s.inputs.timing, "timing",
                std::to_string(signal.dims[3]) + " frame times to match " + signal.path + ", found " +
                    std::to_string(times.size()));
  check_baseline(s, signal.dims[3]);
  if (!s.inputs.mask.empty()) require_same_grid(signal, require_3d(s.inputs.mask, "mask"), "mask");
  if (!s.aif.mask.empty()) require_same_grid(signal, require_3d(s.aif.mask, "aif.mask"), "aif.mask");
  if (!s.reference_mask.empty())
    require_same_grid(signal, require_3d(s.reference_mask, "normalisation.reference_mask"),
                      "normalisation.reference_mask");
  if (s.aif.source == DscAifSource::file) {
    auto const curve = io::read_number_list(s.aif.file, "aif.file");
    require_input(static_cast<std::int64_t>(curve.size()) == signal.dims[3], s.aif.file, "aif.file",
                  std::to_string(signal.dims[3]) + " values (dR2*, 1/s), one per frame, found " +
                      std::to_string(curve.size()));
  }
  return {{signal.dims[0], signal.dims[1], signal.dims[2]}, signal.geometry, signal.path};
}

DscData read_dsc_data(DscSettings const& s) {
  DscData d;
  d.times = relative_times(s.inputs.timing, d.dt_s);
  auto const signal = io::read_nifti(s.inputs.signal);
  d.dims = {signal.dims[0], signal.dims[1], signal.dims[2]};
  std::unique_ptr<io::NiftiImage> mask;
  if (!s.inputs.mask.empty()) mask = std::make_unique<io::NiftiImage>(io::read_nifti(s.inputs.mask));
  d.voxels = select_voxels(mask.get(), signal.voxels_per_volume());
  require_input(d.voxels.size() > 0, s.inputs.mask, "mask", "at least one voxel > 0");
  d.signal = gather_series(signal, d.voxels);
  if (s.aif.source == DscAifSource::measured) {
    d.aif_rows = rows_in_mask(io::read_nifti(s.aif.mask), d.voxels, d.aif_mask_voxels);
    require_input(d.aif_mask_voxels > 0, s.aif.mask, "aif.mask",
                  "at least one arterial voxel > 0 (the mask is empty)");
    require_input(!d.aif_rows.empty(), s.aif.mask, "aif.mask",
                  "arterial voxels inside the data mask " + s.inputs.mask + ": none of its " +
                      std::to_string(d.aif_mask_voxels) + " voxels is inside");
  }
  if (!s.reference_mask.empty()) {
    std::size_t region_voxels = 0;
    d.reference_rows = rows_in_mask(io::read_nifti(s.reference_mask), d.voxels, region_voxels);
    require_input(region_voxels > 0, s.reference_mask, "normalisation.reference_mask",
                  "at least one reference voxel > 0 (the mask is empty)");
    require_input(!d.reference_rows.empty(), s.reference_mask, "normalisation.reference_mask",
                  "reference voxels inside the data mask " + s.inputs.mask + ": none of its " +
                      std::to_string(region_voxels) + " voxels is inside");
  }
  if (s.aif.source == DscAifSource::file) d.aif_file = io::read_number_list(s.aif.file, "aif.file");
  d.conversion.echo_time_s = echo_time_s(s);
  if (s.acquisition.baseline) {
    d.conversion.baseline_begin = s.acquisition.baseline->first;
    d.conversion.baseline_end = s.acquisition.baseline->second;
  } else {
    // The mean signal of the voxels whose samples are all finite: one corrupt voxel must not hide the bolus.
    std::vector<std::int64_t> every_row(d.voxels.size());
    std::iota(every_row.begin(), every_row.end(), std::int64_t{0});
    std::vector<double> mean;
    mean_of_rows(d.signal, every_row, mean);
    auto const baseline = detect_baseline(mean);
    d.conversion.baseline_begin = baseline.first;
    d.conversion.baseline_end = baseline.second;
  }
  return d;
}

}  // namespace voxflow::pipeline::dsc_run
