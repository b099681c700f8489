// Private to src/io/dicom: what one file's header says, read without the pixel data. Every file found is
// read this way first, so that files can be grouped into series and sorted before any pixel is decoded.
#ifndef VOXFLOW_SRC_IO_DICOM_FILE_HEADER_HPP
#define VOXFLOW_SRC_IO_DICOM_FILE_HEADER_HPP

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace voxflow::io::detail {

using Vec3 = std::array<double, 3>;

// Values an enhanced (multi-frame) MR object gives per frame in its functional groups (the shared groups
// merged in), replacing the file-level ones for that frame.
struct FrameValues {
  std::optional<Vec3> position;
  std::optional<std::array<double, 6>> orientation;
  std::optional<std::array<double, 2>> pixel_spacing;
  std::optional<double> slice_thickness, spacing_between_slices, slope, intercept;
  std::optional<double> repetition_time_ms, flip_angle, echo_time_ms;
  std::optional<double> temporal_position, acquisition_time_s, b_value;
};

// Where one image lies inside a file that holds several (image_parts.hpp): tile `index` of a Siemens mosaic,
// or frame `index` of an enhanced MR object.
struct ImagePart {
  int index = 0;
  int file_rows = 0, file_columns = 0, file_frames = 1;  // the file's pixel data
  int tiles_per_row = 0;                                 // mosaic tiles per mosaic row; 0 for a frame
};

// What one file's header says (read without the pixel data).
struct FileHeader {
  std::string path;
  bool is_image = false;
  bool rt_dose = false;  // an RT Dose object, whose NumberOfFrames GDCM's image reader needs
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
  // Several images in one file: a Siemens mosaic (ImageType MOSAIC) with its CSA image header values, or an
  // enhanced MR object's frames. `part` is set on the single images split from such a file.
  bool mosaic = false;
  std::optional<int> mosaic_images;   // NumberOfImagesInMosaic
  std::optional<Vec3> mosaic_normal;  // SliceNormalVector
  std::vector<FrameValues> frames;
  std::optional<ImagePart> part;
};

// Checks the structure of `path` (structure_check.hpp), then parses its header with GDCM up to the pixel
// data. nullopt for a file that is not DICOM; a header with is_image false for DICOM without an image
// (DICOMDIR, structured reports, ...). InputError naming the file for a truncated or corrupt file, an image
// file without pixel data, pixel data without a matrix size, an image without a SeriesInstanceUID, or an
// attribute that does not hold the numbers it should.
std::optional<FileHeader> read_file_header(std::string const& path);

}  // namespace voxflow::io::detail

#endif
