// Synthetic DICOM MR series for the tests (not part of the library, not for clinical data): one file per
// (slice, time point) with a known geometry, timing and values, carrying time in the style of one vendor, so
// that read_dicom_series (include/voxflow/io/dicom_series.hpp) can be checked against what was written.
#ifndef VOXFLOW_TESTS_SUPPORT_SYNTHETIC_DICOM_HPP
#define VOXFLOW_TESTS_SUPPORT_SYNTHETIC_DICOM_HPP

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace voxflow::io {

// How the synthetic files carry time, in the style of one vendor.
enum class DicomTimingStyle {
  siemens,  // AcquisitionTime per volume (+ a slice offset), AcquisitionNumber per volume; no temporal tags
  ge,       // TemporalPositionIdentifier + TriggerTime (ms) per volume; one AcquisitionTime for all files
  philips,  // TemporalPositionIdentifier + NumberOfTemporalPositions + AcquisitionTime per volume
  instance_only,  // only InstanceNumber (increasing with time): no frame times can be derived
};

struct SyntheticDicomSpec {
  int columns = 5, rows = 4, slices = 3, time_points = 2;
  // ImageOrientationPatient: row direction X then column direction Y (unit vectors, LPS).
  std::array<double, 6> orientation{{1.0, 0.0, 0.0, 0.0, 1.0, 0.0}};
  std::array<double, 2> pixel_spacing{{1.5, 1.25}};  // PixelSpacing: between rows, between columns (mm)
  double slice_spacing = 2.5;                        // along N = X × Y (mm); negative writes slice 0 highest
  double slice_thickness = 2.0;
  std::array<double, 3> first_position{{-20.0, -30.0, 10.0}};  // ImagePositionPatient of slice 0 (LPS, mm)
  // Stored value of voxel (i = column, j = row, k = slice, t): stored_values[i + columns*(j + rows*(k +
  // slices*t))] when given, else i + 7 j + 31 k + 101 t. Written as int16 (or uint16 when unsigned_pixels).
  std::vector<int> stored_values;
  bool unsigned_pixels = false;
  double rescale_slope = 1.0, rescale_intercept = 0.0;
  std::string series_uid;  // generated when empty
  int series_number = 1;
  std::string series_description = "synthetic";
  std::string manufacturer = "SIEMENS";
  DicomTimingStyle timing = DicomTimingStyle::siemens;
  std::vector<double> frame_times_s;           // per volume; empty: t * 3.5 s
  double clock_start_s = 10 * 3600 + 15 * 60;  // time of day of frame 0 (times wrap at midnight)
  bool dates = true;                           // false: no AcquisitionDate/ContentDate (anonymised)
  double flip_angle_deg = 15.0, repetition_time_ms = 4.5, echo_time_ms = 1.8;
  double inversion_time_ms = -1.0;  // written when >= 0
  double magnetic_field_strength_t = 3.0;
  std::vector<double> b_values;  // per volume; written as DiffusionBValue and the manufacturer's private tag
  bool standard_b_value_tag = true;  // false: only the private tag (SIEMENS, GE or Philips in manufacturer)
  bool jpeg_lossless = false;        // JPEG lossless (process 14, SV1) instead of explicit VR little endian
  std::string file_prefix = "IM";
  uint32_t shuffle_seed = 0;  // file names are file_prefix + a number shuffled with this seed
};

// The stored value of voxel (i, j, k, t) that the writers below put in the pixel data.
int synthetic_stored_value(SyntheticDicomSpec const& spec, int i, int j, int k, int t);

// Writes one file per (slice, time point) into `directory` (created when missing) and returns the paths in
// the order files[k + slices * t]. Throws OutputError when a file cannot be written.
std::vector<std::string> write_synthetic_dicom_series(std::string const& directory,
                                                      SyntheticDicomSpec const& spec);

// Writes the same images as one enhanced MR object (PS3.3 A.36, Philips style: Manufacturer from `spec`) at
// `path`: NumberOfFrames = slices * time_points, geometry, rescaling and timing in the shared and per-frame
// functional groups (FrameContent with TemporalPositionIndex and FrameAcquisitionDateTime, PlanePosition,
// MRDiffusion when b_values are given). The frames are stored in an order shuffled with `shuffle_seed`, so
// that only the functional groups say where and when each frame lies. Throws OutputError when it cannot.
void write_synthetic_enhanced_dicom(std::string const& path, SyntheticDicomSpec const& spec);

}  // namespace voxflow::io

#endif
