// Assembling one DICOM series (see series_assembly.hpp): the spatial layout, the time axis, the pixel values
// and the metadata, each from its own file in this folder.
#include "series_assembly.hpp"

#include "acquisition_metadata.hpp"
#include "pixel_decoding.hpp"
#include "slice_geometry.hpp"
#include "time_points.hpp"

#include <cstddef>
#include <cstdint>

namespace voxflow::io::detail {

DicomSeries assemble_series(std::vector<FileHeader> const& all, std::string const& input) {
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
  for (std::size_t t = 0; t < nt; ++t)
    for (std::size_t k = 0; k < nz; ++k) {
      FileHeader const& h = all[positions[k][t]];
      result.files[k + nz * t] = h.path;
      auto const stored = decode_pixels(h);
      double* out = image.data.data() + per_slice * (k + nz * t);
      // DICOM row r, column c -> voxel (i = c, j = r): the same memory order, no transposition.
      for (std::size_t n = 0; n < per_slice; ++n) out[n] = stored[n] * h.slope + h.intercept;
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
