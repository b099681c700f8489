#include <voxflow/io/input_paths.hpp>
#include <voxflow/pipeline/input_image.hpp>

namespace voxflow::pipeline {

bool is_dicom_input(std::string const& path) {
  return io::is_input_directory(path, "input");
}

InputImage load_input_image(std::string const& path, io::DicomSelection const& selection) {
  if (!is_dicom_input(path)) return {io::read_nifti(path), std::nullopt};
  auto series = io::read_dicom_series_guarded(path, selection);
  series.image.path = path;
  return {std::move(series.image), std::move(series.acquisition)};
}

io::NiftiHeaderInfo load_input_header(std::string const& path) {
  if (!is_dicom_input(path)) return io::read_nifti_header(path);
  auto const loaded = load_input_image(path);
  io::NiftiHeaderInfo h;
  h.path = path;
  h.dims = loaded.image.dims;
  h.geometry = loaded.image.geometry;
  return h;
}

}  // namespace voxflow::pipeline
