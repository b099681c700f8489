#include "ivim_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/grid_checks.hpp>

#include <memory>

namespace voxflow::pipeline::ivim_run {

namespace {

// The b-value of every volume: the .bval file, else the DICOM series' own.
std::vector<double> volume_b_values(IvimSettings const& s, std::optional<InputImage> const& dwi) {
  if (!s.inputs.bvals.empty()) return io::read_number_list(s.inputs.bvals, "b-values");
  if (dwi && dwi->dicom) return dwi->dicom->require_b_values_s_per_mm2();
  throw ConfigError(s.config_file, "inputs.bvals",
                    "an FSL/BIDS .bval file with the b-values (s/mm^2) of " + s.inputs.dwi);
}

// A .bvec file holds 3 rows of one component per volume (or, transposed, one row of 3 per volume).
void check_b_vectors(std::string const& path, std::int64_t volumes) {
  auto const values = io::read_number_list(path, "b-vectors");
  require_input(static_cast<std::int64_t>(values.size()) == 3 * volumes, path, "b-vectors",
                "3 components per volume (" + std::to_string(3 * volumes) + " numbers), found " +
                    std::to_string(values.size()));
  for (double v : values) require_input(std::isfinite(v), path, "b-vectors", "finite direction components");
}

}  // namespace

InputGrid check_ivim_inputs(IvimSettings const& s, ivim::BValueShells& shells,
                            std::optional<InputImage>& dwi_image) {
  io::NiftiHeaderInfo dwi;
  if (is_dicom_input(s.inputs.dwi)) {
    dwi_image = load_input_image(s.inputs.dwi);
    dwi.path = dwi_image->image.path;
    dwi.dims = dwi_image->image.dims;
    dwi.geometry = dwi_image->image.geometry;
  } else {
    dwi = io::read_nifti_header(s.inputs.dwi);
  }
  require_input(
      dwi.dims[3] >= 4, dwi.path, "dim[4]",
      "a 4-D series with one volume per b-value (at least 4), found " + std::to_string(dwi.dims[3]));
  auto const b = volume_b_values(s, dwi_image);
  std::string const b_source = s.inputs.bvals.empty() ? dwi.path : s.inputs.bvals;
  require_input(static_cast<std::int64_t>(b.size()) == dwi.dims[3], b_source, "b-values",
                std::to_string(dwi.dims[3]) + " b-values, one per volume of " + dwi.path + ", found " +
                    std::to_string(b.size()));
  if (!s.inputs.bvecs.empty()) check_b_vectors(s.inputs.bvecs, dwi.dims[3]);
  shells = ivim::group_b_values(b, b_source);
  ivim::validate_ivim_protocol(shells.b, s.fit, b_source);
  if (!s.inputs.mask.empty()) require_same_grid(dwi, require_3d(s.inputs.mask, "mask"), "mask");
  return {{dwi.dims[0], dwi.dims[1], dwi.dims[2]}, dwi.geometry, dwi.path};
}

IvimData read_ivim_data(IvimSettings const& s, ivim::BValueShells const& shells,
                        std::optional<InputImage>& dwi_image) {
  IvimData d;
  d.shells = shells;
  if (!dwi_image) dwi_image = load_input_image(s.inputs.dwi);
  std::unique_ptr<io::NiftiImage> mask;
  if (!s.inputs.mask.empty()) mask = std::make_unique<io::NiftiImage>(io::read_nifti(s.inputs.mask));
  d.voxels = select_voxels(mask.get(), dwi_image->image.voxels_per_volume());
  require_input(d.voxels.size() > 0, s.inputs.mask, "mask", "at least one voxel > 0");
  d.series = ivim::average_shells(gather_series(dwi_image->image, d.voxels), shells);
  dwi_image.reset();  // the full 4-D image is no longer needed: only the selected voxels' curves
  return d;
}

}  // namespace voxflow::pipeline::ivim_run
