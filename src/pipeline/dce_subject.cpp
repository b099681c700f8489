#include "dce_subject.hpp"

#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/dce_pipeline.hpp>
#include <voxflow/pipeline/input_image.hpp>

#include <memory>
#include <optional>

namespace voxflow::pipeline {

namespace detail {

std::string const& dynamic_input(DceRunConfig const& c) {
  return c.inputs.concentration.empty() ? c.inputs.signal : c.inputs.concentration;
}

}  // namespace detail

namespace {

void require_same_grid(io::NiftiHeaderInfo const& reference, io::NiftiHeaderInfo const& other,
                       char const* field) {
  require_input(io::same_grid(reference.geometry, reference.dims, other.geometry, other.dims), other.path,
                field,
                "the voxel grid of " + reference.path + " (" + std::to_string(reference.dims[0]) + "x" +
                    std::to_string(reference.dims[1]) + "x" + std::to_string(reference.dims[2]) +
                    " voxels with the same voxel size and orientation)");
}

io::NiftiHeaderInfo require_3d(std::string const& path, char const* field) {
  auto h = io::read_nifti_header(path);
  require_input(h.dims[3] == 1, path, field, "a 3-D image, found " + std::to_string(h.dims[3]) + " volumes");
  return h;
}

}  // namespace

using detail::dynamic_input;

namespace {

// Frame times (s): the timing file, else the DICOM series' own; acquisition parameters: the configuration's,
// else the DICOM series'.
std::vector<double> frame_times(DceRunConfig const& c, std::optional<io::DicomAcquisition> const& dicom) {
  if (!c.inputs.timing.empty()) return io::read_frame_times(c.inputs.timing);
  if (!c.inputs.frame_times_s.empty()) return c.inputs.frame_times_s;
  if (dicom) return dicom->require_frame_times_s();
  throw ConfigError(c.config_file, "inputs.timing",
                    "a text file with one time (s) per frame for a NIfTI input");
}

dce::SpgrConversion spgr_conversion(DceRunConfig const& c, std::optional<io::DicomAcquisition> const& dicom) {
  dce::SpgrConversion conversion;
  conversion.flip_angle_deg = c.acquisition.flip_angle_deg ? *c.acquisition.flip_angle_deg
                              : dicom                      ? dicom->require_flip_angle_deg()
                                                           : 0.0;
  conversion.tr_s = c.acquisition.repetition_time_s ? *c.acquisition.repetition_time_s
                    : dicom                         ? dicom->require_repetition_time_s()
                                                    : 0.0;
  if (!c.acquisition.flip_angle_deg && !dicom)
    throw ConfigError(c.config_file, "acquisition.flip_angle_deg",
                      "the flip angle of the signal series, degrees");
  if (!c.acquisition.repetition_time_s && !dicom)
    throw ConfigError(c.config_file, "acquisition.repetition_time_s", "the TR of the signal series, seconds");
  conversion.relaxivity = c.acquisition.relaxivity;
  conversion.baseline_begin = c.acquisition.baseline_begin;
  conversion.baseline_end = c.acquisition.baseline_end;
  conversion.assumed_t1_s = c.acquisition.t1_assumed_s.value_or(0.0);
  return conversion;
}

}  // namespace

void check_dce_inputs(DceRunConfig const& c) {
  // A NIfTI input is checked from its header alone; a DICOM series has to be read for its geometry and
  // metadata.
  std::optional<io::DicomAcquisition> dicom;
  io::NiftiHeaderInfo dynamic;
  if (is_dicom_input(dynamic_input(c))) {
    auto loaded = load_input_image(dynamic_input(c));
    dynamic.path = loaded.image.path;
    dynamic.dims = loaded.image.dims;
    dynamic.geometry = loaded.image.geometry;
    dicom = std::move(loaded.dicom);
  } else {
    dynamic = io::read_nifti_header(dynamic_input(c));
  }
  require_input(dynamic.dims[3] >= 3, dynamic.path, "dim[4]",
                "a 4-D series with at least 3 frames, found " + std::to_string(dynamic.dims[3]));
  auto const times = frame_times(c, dicom);
  std::string const timing_source = c.inputs.timing.empty() ? dynamic.path : c.inputs.timing;
  require_input(static_cast<std::int64_t>(times.size()) == dynamic.dims[3], timing_source, "timing",
                std::to_string(dynamic.dims[3]) + " frame times to match " + dynamic.path + ", found " +
                    std::to_string(times.size()));
  if (!c.inputs.mask.empty()) require_same_grid(dynamic, require_3d(c.inputs.mask, "mask"), "mask");
  if (!c.inputs.t1_map.empty()) require_same_grid(dynamic, require_3d(c.inputs.t1_map, "t1_map"), "t1_map");
  if (!c.aif.mask.empty()) require_same_grid(dynamic, require_3d(c.aif.mask, "aif.mask"), "aif.mask");
  if (!c.inputs.b1_map.empty()) require_same_grid(dynamic, require_3d(c.inputs.b1_map, "b1_map"), "b1_map");
  for (auto const& file : c.inputs.vfa) {
    auto const header = load_input_header(file);
    require_same_grid(dynamic, header, "vfa");
    std::size_t const volumes =
        c.inputs.vfa.size() == 1 ? static_cast<std::size_t>(header.dims[3]) : c.inputs.vfa.size();
    require_input(volumes == c.acquisition.vfa_flip_angles_deg.size(), file, "vfa",
                  std::to_string(c.acquisition.vfa_flip_angles_deg.size()) +
                      " flip-angle volumes to match acquisition.vfa_flip_angles_deg, found " +
                      std::to_string(volumes));
  }
  if (!c.inputs.signal.empty())
    dce::validate_spgr_conversion(spgr_conversion(c, dicom), static_cast<int>(dynamic.dims[3]),
                                  !c.inputs.t1_map.empty() || !c.inputs.vfa.empty(), c.config_file);
  if (c.aif.source == AifSource::population)
    aif::parse_population_aif(c.aif.model, c.config_file, "aif.model");
}

namespace detail {

namespace {

// The VFA series of the selected voxels: one 4-D file (a volume per flip angle) or one 3-D file per flip
// angle.
Kokkos::View<double**, Kokkos::HostSpace> read_vfa_series(DceRunConfig const& c,
                                                          VoxelSelection const& voxels) {
  auto const& files = c.inputs.vfa;
  std::size_t const angles = c.acquisition.vfa_flip_angles_deg.size();
  if (files.size() == 1) {
    auto const image = io::read_nifti(files[0]);
    require_input(static_cast<std::size_t>(image.dims[3]) == angles, files[0], "dim[4]",
                  std::to_string(angles) + " volumes, one per acquisition.vfa_flip_angles_deg entry");
    return gather_series(image, voxels);
  }
  require_input(files.size() == angles, c.config_file, "inputs.vfa",
                "one file per acquisition.vfa_flip_angles_deg entry (" + std::to_string(angles) +
                    "), found " + std::to_string(files.size()));
  Kokkos::View<double**, Kokkos::HostSpace> series("voxflow::pipeline::vfa", voxels.size(), angles);
  for (std::size_t a = 0; a < angles; ++a) {
    auto const values = gather_values(io::read_nifti(files[a]), voxels);
    for (std::size_t v = 0; v < voxels.size(); ++v) series(v, a) = values[v];
  }
  return series;
}

}  // namespace

SubjectData read_subject(DceRunConfig const& c) {
  SubjectData d;
  auto loaded = load_input_image(dynamic_input(c));
  d.times = frame_times(c, loaded.dicom);
  if (!c.inputs.signal.empty()) d.conversion = spgr_conversion(c, loaded.dicom);
  auto const& dynamic = loaded.image;
  d.geometry = dynamic.geometry;
  d.dims = {dynamic.dims[0], dynamic.dims[1], dynamic.dims[2]};
  std::unique_ptr<io::NiftiImage> mask;
  if (!c.inputs.mask.empty()) mask = std::make_unique<io::NiftiImage>(io::read_nifti(c.inputs.mask));
  d.voxels = select_voxels(mask.get(), dynamic.voxels_per_volume());
  require_input(d.voxels.size() > 0, c.inputs.mask, "mask", "at least one voxel > 0");
  d.series = gather_series(dynamic, d.voxels);
  if (!c.inputs.signal.empty() && !c.inputs.t1_map.empty())
    d.t1 = gather_values(io::read_nifti(c.inputs.t1_map), d.voxels);
  if (!c.inputs.signal.empty() && c.inputs.t1_map.empty() && !c.inputs.vfa.empty()) {
    d.vfa = read_vfa_series(c, d.voxels);
    if (!c.inputs.b1_map.empty()) d.b1 = gather_values(io::read_nifti(c.inputs.b1_map), d.voxels);
  }
  if (c.aif.source == AifSource::measured) {
    auto const aif_mask = io::read_nifti(c.aif.mask);
    for (std::size_t v = 0; v < d.voxels.size(); ++v)
      if (aif_mask.data[static_cast<std::size_t>(d.voxels.index[v])] > 0.0)
        d.aif_rows.push_back(static_cast<std::int64_t>(v));
    require_input(!d.aif_rows.empty(), c.aif.mask, "aif.mask",
                  "at least one arterial voxel inside inputs.mask");
  }
  return d;
}

}  // namespace detail

}  // namespace voxflow::pipeline
