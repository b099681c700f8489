// The spatial layout of a DICOM series (see slice_geometry.hpp): the DICOM position formula of
// include/voxflow/io/dicom_series.hpp turned into checks, a slice order and a NIfTI geometry.
#include "slice_geometry.hpp"

#include "attribute_names.hpp"
#include "attribute_values.hpp"

#include <voxflow/core/errors.hpp>

#include <nifti2_io.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace voxflow::io::detail {

namespace {

constexpr double position_tolerance = 0.01;  // mm

Vec3 cross(Vec3 const& a, Vec3 const& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(Vec3 const& a, Vec3 const& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
double norm(Vec3 const& a) {
  return std::sqrt(dot(a, a));
}

bool near(double a, double b, double tolerance) {
  return std::abs(a - b) <= tolerance;
}

}  // namespace

void check_same_image_plane(std::vector<FileHeader> const& files) {
  FileHeader const& ref = files.front();
  if (!ref.orientation) throw InputError(ref.path, kImageOrientation.label(), "six direction cosines");
  if (!ref.pixel_spacing) throw InputError(ref.path, kPixelSpacing.label(), "two pixel spacings in mm");
  for (auto const& h : files) {
    if (h.rows != ref.rows || h.columns != ref.columns)
      throw InputError(h.path, kRows.label() + "/" + kColumns.label(),
                       std::to_string(ref.rows) + " x " + std::to_string(ref.columns) + " as in " + ref.path +
                           " (found " + std::to_string(h.rows) + " x " + std::to_string(h.columns) + ")");
    if (h.samples_per_pixel.value_or(1) != 1)
      throw InputError(h.path, kSamplesPerPixel.label(), "1 (grey-level images only)");
    if (h.number_of_frames.value_or(1) != 1)
      throw InputError(h.path, kNumberOfFrames.label(),
                       "1 (a multi-frame image without per-frame functional groups is not supported)");
    if (!h.orientation) throw InputError(h.path, kImageOrientation.label(), "six direction cosines");
    for (int n = 0; n < 6; ++n)
      if (!near((*h.orientation)[n], (*ref.orientation)[n], 1e-4))
        throw InputError(h.path, kImageOrientation.label(),
                         "the orientation of the rest of the series (as in " + ref.path + ")");
    if (!h.pixel_spacing) throw InputError(h.path, kPixelSpacing.label(), "two pixel spacings in mm");
    // A zero, negative or non-finite spacing would give every map NaN or collapsed geometry.
    for (double const spacing : *h.pixel_spacing)
      if (!std::isfinite(spacing) || spacing <= 0.0)
        throw InputError(h.path, kPixelSpacing.label(),
                         "two positive pixel spacings in mm, found " + std::to_string((*h.pixel_spacing)[0]) +
                             "\\" + std::to_string((*h.pixel_spacing)[1]));
    for (int n = 0; n < 2; ++n)
      if (!near((*h.pixel_spacing)[n], (*ref.pixel_spacing)[n], 1e-4 * (*ref.pixel_spacing)[n]))
        throw InputError(h.path, kPixelSpacing.label(),
                         "the pixel spacing of the rest of the series (as in " + ref.path + ")");
    if (!h.position) throw InputError(h.path, kImagePosition.label(), "three coordinates in mm");
  }
}

SliceAxes slice_axes(FileHeader const& ref) {
  auto const& o = *ref.orientation;
  Vec3 x{{o[0], o[1], o[2]}}, y{{o[3], o[4], o[5]}};
  double const nx_norm = norm(x), ny_norm = norm(y);
  if (!(std::abs(nx_norm - 1.0) < 1e-2 && std::abs(ny_norm - 1.0) < 1e-2 && std::abs(dot(x, y)) < 1e-3))
    throw InputError(ref.path, kImageOrientation.label(), "two orthogonal unit vectors");
  for (int n = 0; n < 3; ++n) {
    x[n] /= nx_norm;
    y[n] /= ny_norm;
  }
  Vec3 z = cross(x, y);
  double const nz_norm = norm(z);
  for (double& v : z) v /= nz_norm;
  return {x, y, z};
}

SlicePositions group_by_slice_position(std::vector<FileHeader> const& all, SliceAxes const& axes) {
  std::vector<std::size_t> order(all.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto const projection = [&](std::size_t n) { return dot(*all[n].position, axes.z); };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return projection(a) < projection(b); });
  SlicePositions positions;
  for (std::size_t n : order) {
    if (positions.empty() || projection(n) - projection(positions.back().front()) > position_tolerance)
      positions.emplace_back();
    else {
      Vec3 const& p = *all[n].position;
      Vec3 const& q = *all[positions.back().front()].position;
      if (!(near(p[0], q[0], position_tolerance) && near(p[1], q[1], position_tolerance) &&
            near(p[2], q[2], position_tolerance)))
        throw InputError(all[n].path, kImagePosition.label(),
                         "the position of the other images of its slice (as in " +
                             all[positions.back().front()].path +
                             "): slices shifted within their plane are not supported");
    }
    positions.back().push_back(n);
  }
  std::size_t const nt = positions.front().size();
  for (auto const& p : positions)
    if (p.size() != nt)
      throw InputError(all[p.front()].path, kImagePosition.label(),
                       "the same number of images (time points) at every slice position: " +
                           std::to_string(nt) + " at the position of " + all[positions.front().front()].path +
                           " but " + std::to_string(p.size()) + " at this one");
  return positions;
}

double slice_spacing(std::vector<FileHeader> const& all, SlicePositions const& positions,
                     SliceAxes const& axes) {
  std::size_t const nz = positions.size();
  if (nz < 2) {
    FileHeader const& ref = all.front();
    double const dz = ref.spacing_between_slices.value_or(ref.slice_thickness.value_or(1.0));
    return dz > 0.0 ? dz : 1.0;
  }
  // Equal spacing along the normal, no in-plane shift between slices.
  auto const projection = [&](std::size_t n) { return dot(*all[n].position, axes.z); };
  Vec3 const& z = axes.z;
  Vec3 const origin = *all[positions.front().front()].position;
  double const dz = (projection(positions.back().front()) - projection(positions.front().front())) /
                    static_cast<double>(nz - 1);
  double const tolerance = position_tolerance + 0.01 * dz;
  for (std::size_t k = 0; k < nz; ++k) {
    Vec3 const& p = *all[positions[k].front()].position;
    for (int c = 0; c < 3; ++c) {
      double const expected = origin[c] + static_cast<double>(k) * dz * z[c];
      if (!near(p[c], expected, tolerance))
        throw InputError(all[positions[k].front()].path, kImagePosition.label(),
                         "slices equally spaced along the slice normal (slice " + std::to_string(k) +
                             " expected at " + number_text(origin[0] + k * dz * z[0]) + "\\" +
                             number_text(origin[1] + k * dz * z[1]) + "\\" +
                             number_text(origin[2] + k * dz * z[2]) +
                             " mm): a missing slice, uneven spacing or a gantry tilt");
    }
  }
  return dz;
}

void set_scanner_geometry(NiftiGeometry& g, FileHeader const& ref, SliceAxes const& axes, Vec3 const& origin,
                          double dz, double time_step_s) {
  // LPS voxel-to-world (columns dc*X, dr*Y, dz*Z, origin S), then RAS by negating rows x and y.
  double const dr = (*ref.pixel_spacing)[0], dc = (*ref.pixel_spacing)[1];
  double lps[3][4];
  for (int r = 0; r < 3; ++r) {
    lps[r][0] = axes.x[r] * dc;
    lps[r][1] = axes.y[r] * dr;
    lps[r][2] = axes.z[r] * dz;
    lps[r][3] = origin[r];
  }
  nifti_dmat44 m{};
  for (int r = 0; r < 3; ++r) {
    double const sign = r < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 4; ++c) {
      g.srow[r][c] = sign * lps[r][c];
      m.m[r][c] = g.srow[r][c];
    }
  }
  m.m[3][3] = 1.0;
  g.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  g.qform_code = NIFTI_XFORM_SCANNER_ANAT;
  double qx, qy, qz, sx, sy, sz, qfac;
  nifti_dmat44_to_quatern(m, &g.quatern_b, &g.quatern_c, &g.quatern_d, &qx, &qy, &qz, &sx, &sy, &sz, &qfac);
  g.qoffset_x = qx;
  g.qoffset_y = qy;
  g.qoffset_z = qz;
  g.qfac = qfac;
  g.pixdim = {qfac, dc, dr, dz, time_step_s, 0.0, 0.0, 0.0};
  g.xyz_units = NIFTI_UNITS_MM;
  g.time_units = NIFTI_UNITS_SEC;
  g.time_step_s = time_step_s;
  // Phase encoding along the rows ("ROW") runs along i; the slice axis is k.
  if (ref.phase_direction == "ROW") {
    g.phase_dim = 1;
    g.freq_dim = 2;
  } else if (ref.phase_direction == "COL") {
    g.phase_dim = 2;
    g.freq_dim = 1;
  }
  g.slice_dim = 3;
}

}  // namespace voxflow::io::detail
