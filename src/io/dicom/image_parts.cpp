// Splitting mosaics and multi-frame files into single images (see image_parts.hpp).
#include "image_parts.hpp"

#include "attribute_names.hpp"

#include <voxflow/core/errors.hpp>

#include <algorithm>
#include <cmath>

namespace voxflow::io::detail {

namespace {

int tiles_per_row(int images) {
  return static_cast<int>(std::ceil(std::sqrt(static_cast<double>(images))));
}

Vec3 unit(Vec3 v) {
  double const n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  return {v[0] / n, v[1] / n, v[2] / n};
}

// Where tile k of the mosaics of a series lies: `ref` is the series' first mosaic.
Vec3 tile_position(FileHeader const& ref, int k) {
  if (!ref.orientation) throw InputError(ref.path, kImageOrientation.label(), "six direction cosines");
  if (!ref.pixel_spacing) throw InputError(ref.path, kPixelSpacing.label(), "two pixel spacings in mm");
  if (!ref.position) throw InputError(ref.path, kImagePosition.label(), "three coordinates in mm");
  auto const& o = *ref.orientation;
  Vec3 const x = unit({o[0], o[1], o[2]}), y = unit({o[3], o[4], o[5]});
  Vec3 const normal =
      ref.mosaic_normal
          ? unit(*ref.mosaic_normal)
          : unit({x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]});
  int const m = tiles_per_row(*ref.mosaic_images);
  double const dr = (*ref.pixel_spacing)[0], dc = (*ref.pixel_spacing)[1];
  // The shift to tile 0 uses the exact fraction Columns / m (as Siemens, dcm2niix and nibabel do), even where
  // the tiles themselves are a whole number of pixels.
  double const shift_columns = 0.5 * (ref.columns - ref.columns / static_cast<double>(m)),
               shift_rows = 0.5 * (ref.rows - ref.rows / static_cast<double>(m));
  double const dz = ref.spacing_between_slices.value_or(ref.slice_thickness.value_or(1.0));
  Vec3 p = *ref.position;
  for (int c = 0; c < 3; ++c) p[c] += x[c] * dc * shift_columns + y[c] * dr * shift_rows + normal[c] * dz * k;
  return p;
}

void split_mosaic(FileHeader const& h, FileHeader const& ref, std::vector<FileHeader>& images) {
  int const n = *h.mosaic_images;
  if (n != *ref.mosaic_images)
    throw InputError(
        h.path, "NumberOfImagesInMosaic in the CSA image header (0029,xx10)",
        std::to_string(*ref.mosaic_images) + " as in " + ref.path + " (found " + std::to_string(n) + ")");
  int const m = tiles_per_row(n);
  for (int k = 0; k < n; ++k) {
    FileHeader tile = h;
    tile.rows = h.rows / m;
    tile.columns = h.columns / m;
    tile.position = tile_position(ref, k);
    tile.part = ImagePart{k, h.rows, h.columns, 1, m};
    images.push_back(std::move(tile));
  }
}

void split_frames(FileHeader const& h, std::vector<FileHeader>& images) {
  FileHeader file = h;
  file.frames.clear();  // each frame's copy carries only its own values
  int const frames = static_cast<int>(h.frames.size());
  for (int f = 0; f < frames; ++f) {
    FrameValues const& v = h.frames[static_cast<std::size_t>(f)];
    FileHeader frame = file;
    auto const take = [](auto& field, auto const& value) {
      if (value) field = value;
    };
    take(frame.position, v.position);
    take(frame.orientation, v.orientation);
    take(frame.pixel_spacing, v.pixel_spacing);
    take(frame.slice_thickness, v.slice_thickness);
    take(frame.spacing_between_slices, v.spacing_between_slices);
    take(frame.repetition_time_ms, v.repetition_time_ms);
    take(frame.flip_angle, v.flip_angle);
    take(frame.echo_time_ms, v.echo_time_ms);
    take(frame.temporal_position, v.temporal_position);
    take(frame.acquisition_time_s, v.acquisition_time_s);
    take(frame.b_value, v.b_value);
    if (v.b_value) frame.b_value_source = kDiffusionBValue.label() + " in " + kMrDiffusionSequence.label();
    if (v.slope) frame.slope = *v.slope;
    if (v.intercept) frame.intercept = *v.intercept;
    frame.number_of_frames = 1;
    frame.part = ImagePart{f, h.rows, h.columns, frames, 0};
    images.push_back(std::move(frame));
  }
}

}  // namespace

std::vector<FileHeader> split_into_single_images(std::vector<FileHeader> const& files) {
  std::vector<FileHeader> images;
  images.reserve(files.size());
  FileHeader const* first_mosaic = nullptr;
  for (auto const& h : files) {
    if (h.mosaic) {
      if (first_mosaic == nullptr) first_mosaic = &h;
      split_mosaic(h, *first_mosaic, images);
    } else if (!h.frames.empty()) {
      split_frames(h, images);
    } else if (h.number_of_frames.value_or(1) > 1) {
      throw InputError(h.path, kPerFrameFunctionalGroups.label(),
                       "per-frame functional groups giving each frame's position (a multi-frame image of " +
                           std::to_string(*h.number_of_frames) +
                           " frames without them is not supported; convert it to single frames)");
    } else {
      images.push_back(h);
    }
  }
  return images;
}

void copy_image_part(std::vector<double> const& stored, FileHeader const& h, double* out) {
  std::size_t const rows = static_cast<std::size_t>(h.rows), columns = static_cast<std::size_t>(h.columns);
  if (!h.part) {
    std::copy(stored.begin(), stored.begin() + static_cast<std::ptrdiff_t>(rows * columns), out);
    return;
  }
  ImagePart const& p = *h.part;
  std::size_t const file_columns = static_cast<std::size_t>(p.file_columns);
  std::size_t first = 0;  // offset of the part's pixel (0, 0) in `stored`
  if (p.tiles_per_row > 0) {
    std::size_t const tile_row = static_cast<std::size_t>(p.index / p.tiles_per_row),
                      tile_column = static_cast<std::size_t>(p.index % p.tiles_per_row);
    // Tile rows start every Rows * Columns / m pixels, as dcm2niix reads them: m tile heights for the
    // matrices Siemens writes, and the same pixels as dcm2niix where a matrix is not a multiple of m.
    std::size_t const tile_row_pixels =
        static_cast<std::size_t>(p.file_rows) * file_columns / static_cast<std::size_t>(p.tiles_per_row);
    first = tile_row * tile_row_pixels + tile_column * columns;
  } else {
    first = static_cast<std::size_t>(p.index) * rows * columns;
  }
  for (std::size_t r = 0; r < rows; ++r)
    std::copy(stored.begin() + static_cast<std::ptrdiff_t>(first + r * file_columns),
              stored.begin() + static_cast<std::ptrdiff_t>(first + r * file_columns + columns),
              out + r * columns);
}

}  // namespace voxflow::io::detail
