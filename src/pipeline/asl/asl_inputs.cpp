#include "asl_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/pipeline/grid_checks.hpp>

#include <cmath>
#include <memory>

namespace voxflow::pipeline::asl_run {

namespace {

// The M0 image of the subject as a full volume: the M0 scan (4-D: its volumes averaged), or the mean of the
// series' m0scan volumes; empty when M0 is a single value.
std::vector<double> m0_volume(AslSettings const& s, AslLayout const& layout, io::NiftiImage const& series) {
  auto mean_of = [](io::NiftiImage const& image, std::vector<int> const& volumes) {
    std::int64_t const n = image.voxels_per_volume();
    std::vector<double> mean(static_cast<std::size_t>(n), 0.0);
    for (int v : volumes)
      for (std::int64_t i = 0; i < n; ++i)
        mean[static_cast<std::size_t>(i)] += image.data[static_cast<std::size_t>(i + n * v)];
    for (double& m : mean) m /= static_cast<double>(volumes.size());
    return mean;
  };
  if (!s.inputs.m0scan.empty()) {
    auto const m0 = io::read_nifti(s.inputs.m0scan);
    std::vector<int> all;
    for (int v = 0; v < m0.dims[3]; ++v) all.push_back(v);
    return mean_of(m0, all);
  }
  if (!layout.m0_volumes.empty()) return mean_of(series, layout.m0_volumes);
  return {};
}

std::string m0_source(AslSettings const& s, AslLayout const& layout) {
  if (!s.inputs.m0scan.empty()) return s.inputs.m0scan;
  if (!layout.m0_volumes.empty()) return s.inputs.asl + " (m0scan volumes)";
  return s.config_file + " (calibration.m0_value)";
}

// Mean of `values` over the voxels where `region` > 0; NaN when there are none.
double region_mean(std::vector<double> const& values, io::NiftiImage const* region) {
  double sum = 0.0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    if ((region == nullptr || region->data[i] > 0.0) && std::isfinite(values[i])) {
      sum += values[i];
      ++count;
    }
  return count > 0 ? sum / static_cast<double>(count) : std::nan("");
}

}  // namespace

InputGrid check_asl_inputs(AslSettings const& s, AslLayout& layout) {
  auto const asl = io::read_nifti_header(s.inputs.asl);
  std::int64_t const volumes = asl.dims[3];
  require_input(volumes >= 2, asl.path, "dim[4]",
                "a 4-D ASL series with at least 2 volumes, found " + std::to_string(volumes));
  layout.types = read_aslcontext(s.inputs.aslcontext);
  require_input(static_cast<std::int64_t>(layout.types.size()) == volumes, s.inputs.aslcontext, "volume_type",
                "one line per volume of " + asl.path + " (" + std::to_string(volumes) + "), found " +
                    std::to_string(layout.types.size()));
  require_input(s.pld_s.size() == 1 || static_cast<std::int64_t>(s.pld_s.size()) == volumes, s.pld_source,
                s.pld_field,
                "one post-labeling delay for the series or one per volume of " + asl.path + " (" +
                    std::to_string(volumes) + "), found " + std::to_string(s.pld_s.size()));
  layout.pld_s =
      s.pld_s.size() == 1 ? std::vector<double>(static_cast<std::size_t>(volumes), s.pld_s[0]) : s.pld_s;
  layout.plan = difference_plan(layout.types, layout.pld_s, s.inputs.aslcontext);
  asl::check_difference_plan(layout.plan, s.method, s.pld_source);
  layout.m0_volumes = m0scan_volumes(layout.types);
  if (!s.inputs.m0scan.empty()) require_same_grid(asl, io::read_nifti_header(s.inputs.m0scan), "m0scan");
  if (s.inputs.m0scan.empty() && layout.m0_volumes.empty() && !s.m0_value && !s.m0_estimate)
    throw ConfigError(s.config_file, "inputs.m0scan",
                      "an M0: an M0 scan, m0scan volumes in the aslcontext, or calibration.m0_value");
  if (!s.inputs.mask.empty()) require_same_grid(asl, require_3d(s.inputs.mask, "mask"), "mask");
  if (!s.inputs.reference_mask.empty())
    require_same_grid(asl, require_3d(s.inputs.reference_mask, "calibration.reference_mask"),
                      "calibration.reference_mask");
  return {{asl.dims[0], asl.dims[1], asl.dims[2]}, asl.geometry, asl.path};
}

AslData read_asl_data(AslSettings const& s, AslLayout const& layout) {
  AslData d;
  auto const series = io::read_nifti(s.inputs.asl);
  std::unique_ptr<io::NiftiImage> mask;
  if (!s.inputs.mask.empty()) mask = std::make_unique<io::NiftiImage>(io::read_nifti(s.inputs.mask));
  d.voxels = select_voxels(mask.get(), series.voxels_per_volume());
  require_input(d.voxels.size() > 0, s.inputs.mask, "mask", "at least one voxel > 0");
  d.series = gather_series(series, d.voxels);

  std::string const source = m0_source(s, layout);
  auto const volume = m0_volume(s, layout, series);
  // A configured single value wins over an image; the sidecar's M0Estimate serves only without one.
  bool const use_value = s.m0_value.has_value() || (volume.empty() && s.m0_estimate.has_value());
  std::string const value_source =
      s.m0_value ? s.config_file + " (calibration.m0_value)" : s.inputs.sidecar + " (M0Estimate)";
  d.m0_info = {{"Source", use_value ? value_source : source},
               {"Method", enum_name(m0_method_names, s.m0_method)}};
  double single = 0.0;
  if (use_value) {
    single = s.m0_value ? *s.m0_value : s.m0_estimate.value_or(0.0);
  } else if (s.m0_method == M0Method::single) {
    single = region_mean(volume, mask.get());
  } else if (s.m0_method == M0Method::reference_region) {
    auto const region = io::read_nifti(s.inputs.reference_mask);
    single = region_mean(volume, &region);
    d.m0_info["ReferenceRegion"] = s.inputs.reference_mask;
  }
  if (use_value || s.m0_method != M0Method::voxelwise) {
    require_input(single > 0.0, use_value ? value_source : source, "M0",
                  "an M0 > 0, found " + std::to_string(single) +
                      (s.m0_method == M0Method::reference_region ? " (mean over the reference region)" : ""));
    d.m0.assign(d.voxels.size(), single);
    d.m0_info["Value"] = single;
    return d;
  }
  d.m0.resize(d.voxels.size());
  for (std::size_t v = 0; v < d.voxels.size(); ++v)
    d.m0[v] = volume[static_cast<std::size_t>(d.voxels.index[v])];
  bool any_positive = false;
  for (double m : d.m0) any_positive = any_positive || (m > 0.0 && std::isfinite(m));
  require_input(any_positive, source, "M0",
                "an M0 > 0 in at least one voxel " + std::string(mask ? "of the mask " + s.inputs.mask : "") +
                    "; it is <= 0 (or not finite) everywhere");
  return d;
}

}  // namespace voxflow::pipeline::asl_run
