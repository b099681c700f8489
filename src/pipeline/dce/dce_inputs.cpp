#include "dce_inputs.hpp"

#include <voxflow/core/errors.hpp>
#include <voxflow/io/nifti_image.hpp>
#include <voxflow/io/timing_file.hpp>
#include <voxflow/pipeline/grid_checks.hpp>

#include <memory>

namespace voxflow::pipeline::dce_run {

namespace {

// Frame times (s): the timing file, else the BIDS sidecar's, else the DICOM series' own.
std::vector<double> frame_times(DceSettings const& s, std::optional<io::DicomAcquisition> const& dicom) {
  if (!s.inputs.timing.empty()) return io::read_frame_times(s.inputs.timing);
  if (!s.inputs.frame_times_s.empty()) return s.inputs.frame_times_s;
  if (dicom) return dicom->require_frame_times_s();
  throw ConfigError(s.config_file, "inputs.timing",
                    "a text file with one time (s) per frame for a NIfTI input");
}

// Acquisition parameters: the configuration's, else the DICOM series'.
dce::SpgrConversion spgr_conversion(DceSettings const& s, std::optional<io::DicomAcquisition> const& dicom) {
  auto const& acq = s.acquisition;
  if (!acq.flip_angle_deg && !dicom)
    throw ConfigError(s.config_file, "acquisition.flip_angle_deg",
                      "the flip angle of the signal series, degrees");
  if (!acq.repetition_time_s && !dicom)
    throw ConfigError(s.config_file, "acquisition.repetition_time_s", "the TR of the signal series, seconds");
  dce::SpgrConversion conversion;
  conversion.flip_angle_deg = acq.flip_angle_deg ? *acq.flip_angle_deg : dicom->require_flip_angle_deg();
  conversion.tr_s = acq.repetition_time_s ? *acq.repetition_time_s : dicom->require_repetition_time_s();
  conversion.relaxivity = acq.relaxivity;
  conversion.baseline_begin = acq.baseline_begin;
  conversion.baseline_end = acq.baseline_end;
  conversion.assumed_t1_s = acq.t1_assumed_s.value_or(0.0);
  return conversion;
}

std::optional<io::DicomAcquisition> dicom_of(std::optional<InputImage> const& dynamic) {
  return dynamic ? dynamic->dicom : std::nullopt;
}

// Several VFA files are one per flip angle: both counts come from the configuration, so a mismatch is a
// configuration error, not an input one.
void require_one_file_per_angle(DceSettings const& s) {
  std::size_t const files = s.inputs.vfa.size(), angles = s.acquisition.vfa_flip_angles_deg.size();
  if (files > 1 && files != angles)
    throw ConfigError(s.config_file, "inputs.vfa",
                      "one file per acquisition.vfa_flip_angles_deg entry (" + std::to_string(angles) +
                          "), found " + std::to_string(files));
}

// The VFA series of the selected voxels: one 4-D file (a volume per flip angle) or one 3-D file per flip
// angle.
Kokkos::View<double**, Kokkos::HostSpace> read_vfa_series(DceSettings const& s,
                                                          VoxelSelection const& voxels) {
  auto const& files = s.inputs.vfa;
  std::size_t const angles = s.acquisition.vfa_flip_angles_deg.size();
  if (files.size() == 1) {
    auto const image = io::read_nifti(files[0]);
    require_input(static_cast<std::size_t>(image.dims[3]) == angles, files[0], "dim[4]",
                  std::to_string(angles) + " volumes, one per acquisition.vfa_flip_angles_deg entry");
    return gather_series(image, voxels);
  }
  require_one_file_per_angle(s);
  Kokkos::View<double**, Kokkos::HostSpace> series("voxflow::pipeline::dce::vfa", voxels.size(), angles);
  for (std::size_t a = 0; a < angles; ++a) {
    auto const values = gather_values(io::read_nifti(files[a]), voxels);
    for (std::size_t v = 0; v < voxels.size(); ++v) series(v, a) = values[v];
  }
  return series;
}

}  // namespace

InputGrid check_dce_inputs(DceSettings const& s, std::optional<InputImage>& dynamic_image) {
  // A NIfTI input is checked from its header alone; a DICOM series has to be decoded for its geometry and
  // metadata, and is kept for reading.
  io::NiftiHeaderInfo dynamic;
  if (is_dicom_input(s.dynamic_input())) {
    dynamic_image = load_input_image(s.dynamic_input(), s.inputs.series);
    dynamic.path = dynamic_image->image.path;
    dynamic.dims = dynamic_image->image.dims;
    dynamic.geometry = dynamic_image->image.geometry;
  } else {
    if (s.inputs.series.series_number || !s.inputs.series.series_uid.empty())
      throw ConfigError(
          s.config_file, "inputs.series",
          "no series choice for " + s.dynamic_input() + ", which is a NIfTI file, not a DICOM folder");
    dynamic = io::read_nifti_header(s.dynamic_input());
  }
  auto const dicom = dicom_of(dynamic_image);
  require_input(dynamic.dims[3] >= 3, dynamic.path, "dim[4]",
                "a 4-D series with at least 3 frames, found " + std::to_string(dynamic.dims[3]));
  auto const times = frame_times(s, dicom);
  std::string const timing_source = s.inputs.timing.empty() ? dynamic.path : s.inputs.timing;
  require_input(static_cast<std::int64_t>(times.size()) == dynamic.dims[3], timing_source, "timing",
                std::to_string(dynamic.dims[3]) + " frame times to match " + dynamic.path + ", found " +
                    std::to_string(times.size()));
  if (!s.inputs.mask.empty()) require_same_grid(dynamic, require_3d(s.inputs.mask, "mask"), "mask");
  if (!s.inputs.t1_map.empty()) require_same_grid(dynamic, require_3d(s.inputs.t1_map, "t1_map"), "t1_map");
  if (!s.aif.mask.empty()) require_same_grid(dynamic, require_3d(s.aif.mask, "aif.mask"), "aif.mask");
  if (!s.inputs.b1_map.empty()) require_same_grid(dynamic, require_3d(s.inputs.b1_map, "b1_map"), "b1_map");
  require_one_file_per_angle(s);
  for (auto const& file : s.inputs.vfa) {
    auto const header = load_input_header(file);
    require_same_grid(dynamic, header, "vfa");
    if (s.inputs.vfa.size() > 1) continue;
    // One 4-D file: its volume count is the input's, to match the configuration.
    std::size_t const volumes = static_cast<std::size_t>(header.dims[3]);
    require_input(volumes == s.acquisition.vfa_flip_angles_deg.size(), file, "vfa",
                  std::to_string(s.acquisition.vfa_flip_angles_deg.size()) +
                      " flip-angle volumes to match acquisition.vfa_flip_angles_deg, found " +
                      std::to_string(volumes));
  }
  if (s.signal_input())
    dce::validate_spgr_conversion(spgr_conversion(s, dicom), static_cast<int>(dynamic.dims[3]),
                                  !s.inputs.t1_map.empty() || !s.inputs.vfa.empty(), s.config_file);
  return {{dynamic.dims[0], dynamic.dims[1], dynamic.dims[2]}, dynamic.geometry, dynamic.path};
}

DceData read_dce_data(DceSettings const& s, std::optional<InputImage>& dynamic_image) {
  DceData d;
  // A NIfTI input is read straight into the selected voxels' series; a DICOM series is decoded whole.
  std::string const path = s.dynamic_input();
  if (!dynamic_image && is_dicom_input(path)) dynamic_image = load_input_image(path, s.inputs.series);
  auto const dicom = dicom_of(dynamic_image);
  d.times = frame_times(s, dicom);
  if (s.signal_input()) d.conversion = spgr_conversion(s, dicom);
  auto const dims = dynamic_image ? dynamic_image->image.dims : io::read_nifti_header(path).dims;
  std::unique_ptr<io::NiftiImage> mask;
  if (!s.inputs.mask.empty()) mask = std::make_unique<io::NiftiImage>(io::read_nifti(s.inputs.mask));
  d.voxels = select_voxels(mask.get(), dims[0] * dims[1] * dims[2]);
  require_input(d.voxels.size() > 0, s.inputs.mask, "mask", "at least one voxel > 0");
  d.series = dynamic_image ? SubjectSeries(gather_series(dynamic_image->image, d.voxels))
                           : read_series(path, d.voxels, s.inputs.series_precision);
  dynamic_image.reset();  // the full 4-D image is no longer needed: only the selected voxels' curves
  if (s.signal_input() && !s.inputs.t1_map.empty())
    d.t1 = gather_values(io::read_nifti(s.inputs.t1_map), d.voxels);
  if (s.signal_input() && s.inputs.t1_map.empty() && !s.inputs.vfa.empty()) {
    d.vfa = read_vfa_series(s, d.voxels);
    if (!s.inputs.b1_map.empty()) d.b1 = gather_values(io::read_nifti(s.inputs.b1_map), d.voxels);
  }
  if (s.aif.source == AifSource::measured) {
    auto const aif_mask = io::read_nifti(s.aif.mask);
    for (std::size_t v = 0; v < d.voxels.size(); ++v)
      if (aif_mask.data[static_cast<std::size_t>(d.voxels.index[v])] > 0.0)
        d.aif_rows.push_back(static_cast<std::int64_t>(v));
    require_input(!d.aif_rows.empty(), s.aif.mask, "aif.mask",
                  "at least one arterial voxel inside inputs.mask");
  }
  return d;
}

}  // namespace voxflow::pipeline::dce_run
