// Assembling one DICOM series (see series_assembly.hpp): the spatial layout, the time axis, the pixel values
// and the metadata, each from its own file in this folder.
#include "series_assembly.hpp"

#include "acquisition_metadata.hpp"
#include "image_parts.hpp"
#include "pixel_decoding.hpp"
#include "slice_geometry.hpp"
#include "time_points.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

namespace voxflow::io::detail {

DicomSeries assemble_series(std::vector<FileHeader> const& files, std::string const& input) {
  std::vector<FileHeader> all = split_into_single_images(files);
  unwrap_midnight(all);
  FileHeader const& ref = all.front();
  check_same_image_plane(all);
  SliceAxes const axes = slice_axes(ref);
  SlicePositions positions = group_by_slice_position(all, axes);
  std::size_t const nz = positions.size();
  std::size_t const nt = positions.front().size();
  std::string const temporal_source = order_time_points(all, positions);
  double const dz = slice_spacing(all, positions, axes);

  DicomSeries result;
  NiftiImage& image = result.image;
  image.path = input;
  image.dims = {ref.columns, ref.rows, static_cast<int64_t>(nz), static_cast<int64_t>(nt)};
  std::size_t const per_slice = static_cast<std::size_t>(ref.columns) * static_cast<std::size_t>(ref.rows);
  image.data.resize(per_slice * nz * nt);
  result.files.resize(nz * nt);
  // Each file is decoded once, however many of the series' images (mosaic tiles, frames) it holds.
  std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> images_of_file;  // (slot, image)
  std::vector<std::string> file_order;
  for (std::size_t t = 0; t < nt; ++t)
    for (std::size_t k = 0; k < nz; ++k) {
      std::size_t const slot = k + nz * t, n = positions[k][t];
      result.files[slot] = all[n].path;
      auto& images = images_of_file[all[n].path];
      if (images.empty()) file_order.push_back(all[n].path);
      images.emplace_back(slot, n);
    }
  for (auto const& path : file_order) {
    auto const& images = images_of_file[path];
    auto const stored = decode_pixels(all[images.front().second]);
    for (auto const& [slot, n] : images) {
      FileHeader const& h = all[n];
      double* out = image.data.data() + per_slice * slot;
      // DICOM row r, column c -> voxel (i = c, j = r): the same memory order, no transposition.
      copy_image_part(stored, h, out);
      for (std::size_t v = 0; v < per_slice; ++v) out[v] = out[v] * h.slope + h.intercept;
    }
  }

  // Metadata from the first image; times and b-values per volume.
  FileHeader const& first = all[positions.front().front()];
  DicomAcquisition& acq = result.acquisition;
  set_acquisition_metadata(acq, first);
  acq.temporal_order_source = temporal_source;
  set_frame_times(acq, all, positions);
  set_b_values(acq, all, positions);

  double const time_step =
      acq.frame_times_s.size() > 1 && nt > 1 ? acq.frame_times_s.back() / static_cast<double>(nt - 1) : 0.0;
  set_scanner_geometry(image.geometry, ref, axes, *first.position, dz, time_step);
  return result;
}

}  // namespace voxflow::io::detail
