// Private to src/io/dicom: what one file's header says, read without the pixel data. Every file found is
// read this way first, so that files can be grouped into series and sorted before any pixel is decoded.
#ifndef VOXFLOW_SRC_IO_DICOM_FILE_HEADER_HPP
#define VOXFLOW_SRC_IO_DICOM_FILE_HEADER_HPP

#include <array>
#include <optional>
#include <string>

namespace voxflow::io::detail {

using Vec3 = std::array<double, 3>;

// What one file's header says (read without the pixel data).
struct FileHeader {
  std::string path;
  bool is_image = false;
  std::string series_uid, series_description, modality, manufacturer, phase_direction;
  std::optional<int> series_number;
  int rows = 0, columns = 0;
  std::optional<int> samples_per_pixel, number_of_frames;
  std::optional<std::array<double, 2>> pixel_spacing;
  std::optional<Vec3> position;
  std::optional<std::array<double, 6>> orientation;
  std::optional<double> slice_thickness, spacing_between_slices;
  double slope = 1.0, intercept = 0.0;
  std::optional<double> flip_angle, repetition_time_ms, echo_time_ms, inversion_time_ms, field_strength;
  std::optional<double> trigger_time_ms, acquisition_time_s, content_time_s;
  std::optional<double> temporal_position, number_of_temporal_positions, acquisition_number, instance_number;
  std::optional<double> b_value;
  std::string b_value_source;
};

// Checks the structure of `path` (structure_check.hpp), then parses its header with GDCM up to the pixel
// data. nullopt for a file that is not DICOM; a header with is_image false for DICOM without an image
// (DICOMDIR, structured reports, ...). InputError naming the file for a truncated or corrupt file, an image
// file without pixel data, pixel data without a matrix size, an image without a SeriesInstanceUID, or an
// attribute that does not hold the numbers it should.
std::optional<FileHeader> read_file_header(std::string const& path);

}  // namespace voxflow::io::detail

#endif
